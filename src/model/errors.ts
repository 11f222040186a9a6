// Errors about the user's input: always with file, line, column and field path.
import { relative } from "node:path";

/** A file as the user knows it: relative to the working directory. */
export function displayPath(file: string, cwd = process.cwd()): string {
  return relative(cwd, file) || file;
}

/** Control characters as \u escapes: an error line stays one visible line. */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export class InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** Field path such as `flavors.full.extensions[2]`; empty for the whole file. */
    readonly path: string,
    readonly message: string,
  ) {}

  format(cwd = process.cwd()): string {
    const rel = displayPath(this.file, cwd);
    const where = this.line > 0 ? `${rel}:${this.line}:${this.column}` : rel;
    // Messages quote user values already; this is the last guard against a control character
    // (a terminal escape sequence, a newline faking another error line) reaching the terminal.
    return visible(this.path ? `${where}: ${this.path}: ${this.message}` : `${where}: ${this.message}`);
  }
}

export class InputErrors extends Error {
  constructor(readonly errors: InputError[]) {
    super(errors.map((e) => e.format()).join("\n"));
    this.name = "InputErrors";
  }
}

/** Stable order: by file, then position, then message. */
export function sortErrors(errors: InputError[]): InputError[] {
  return [...errors].sort(
    (a, b) =>
      a.file.localeCompare(b.file, "en") ||
      a.line - b.line ||
      a.column - b.column ||
      a.message.localeCompare(b.message, "en"),
  );
}
