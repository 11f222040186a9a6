// Errors that reach the user as one message and an exit code (src/cli/errors.ts prints them):
// 2 for bad input or a path pgbake cannot use, 1 for a failure of the machine (I/O, a build).
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
