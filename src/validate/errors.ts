// Errors about the user's input: always with file, line, column and field path.
import { relative } from "node:path";

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
    const rel = relative(cwd, this.file) || this.file;
    const where = this.line > 0 ? `${rel}:${this.line}:${this.column}` : rel;
    return this.path ? `${where}: ${this.path}: ${this.message}` : `${where}: ${this.message}`;
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
