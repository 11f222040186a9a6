// A file the generator makes: render produces them, write puts them on disk.
export interface RenderedFile {
  /** Relative to the output directory. */
  path: string;
  content: string;
  mode?: number;
}
