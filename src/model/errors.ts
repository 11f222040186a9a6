import { relative } from "node:path";

// Errors that reach the user as one message and an exit code (src/cli/errors.ts prints them):
// 2 for bad input or a path pgbake cannot use, 1 for a failure of the machine (I/O, a build).
// Every error class of pgbake extends PgbakeError (tests/errors.test.ts holds src/ to it), and
// exitCodeOf below is the one place any error, pgbake's or not, becomes an exit code.
export class PgbakeError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

const reasons: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  ENAMETOOLONG: "file name too long",
  EEXIST: "it already exists",
  ENOTEMPTY: "directory not empty",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ELOOP: "too many symbolic links",
  EXDEV: "not on the same file system",
  EBUSY: "resource busy",
};

/** Errors of the machine rather than of the path the user gave: exit 1. */
const machineFaults = new Set(["EIO", "ENOSPC", "EDQUOT", "EMFILE", "EBUSY"]);

/** A filesystem call that failed: names the operation and the path, never a stack. */
export class FsError extends PgbakeError {
  readonly code: string;
  constructor(
    readonly operation: string,
    readonly path: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? "EUNKNOWN";
    const reason = reasons[code] ?? ((cause as Error | undefined)?.message ?? String(cause)).replace(/^[A-Z]+: /, "").replace(/, \w+ '.*$/, "");
    super(`cannot ${operation} ${path}: ${reason} (${code})`, machineFaults.has(code) ? 1 : 2);
    this.code = code;
  }
}

/** Node's own errno errors (code, syscall, path) as an FsError. */
export function fromErrno(err: unknown): FsError | undefined {
  const e = err as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  if (!e || typeof e.code !== "string" || !/^E[A-Z]+$/.test(e.code) || typeof e.syscall !== "string") return undefined;
  const path = e.dest ? `${e.path ?? ""} -> ${e.dest}` : (e.path ?? "(unknown path)");
  return new FsError(e.syscall, path, e);
}

// ---- Input errors: about the user's files, always with file, line, column and field path.

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

export class InputErrors extends PgbakeError {
  constructor(readonly errors: InputError[]) {
    super(errors.map((e) => e.format()).join("\n"), 2);
    this.name = "InputErrors";
  }
}

/**
 * The exit code for any error: a PgbakeError's own; Node's errno errors as FsError decides (2 a
 * path the user gave, 1 the machine); node:util parseArgs refusing the arguments 2; anything
 * else is a bug or a failure pgbake did not foresee, 1.
 */
export function exitCodeOf(err: unknown): 1 | 2 {
  if (err instanceof PgbakeError) return err.exitCode;
  const fs = fromErrno(err);
  if (fs) return fs.exitCode;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS") ? 2 : 1;
}

/** Stable order: by file, then position, then message. */
export function sortErrors(errors: InputError[]): InputError[] {
  return [...errors].sort((a, b) => a.file.localeCompare(b.file, "en") || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message, "en"));
}
