// The filesystem calls the writer makes, as a small interface: production uses node:fs, tests
// pass a wrapper that fails the Nth call (tests/write-faults.process.test.ts). Every call that fails
// becomes an FsError naming the operation and the path.
import fs, { type Stats } from "node:fs";
import { dirname } from "node:path";
import { FsError } from "../model/errors.js";

export interface WriterFs {
  /** undefined when nothing is at the path. */
  lstat(path: string): Stats | undefined;
  readFile(path: string): Buffer;
  readdir(path: string): string[];
  /** Creates the directory and its missing parents. */
  mkdir(path: string): void;
  /** A new file with its content on disk (flushed) and exactly `mode`, whatever the umask. */
  writeFile(path: string, content: string, mode: number): void;
  rename(from: string, to: string): void;
  /** Fails with EEXIST when `to` exists: the atomic step of the lock. */
  link(from: string, to: string): void;
  unlink(path: string): void;
  rmdir(path: string): void;
  /** Removes a directory tree (nothing if missing). */
  removeTree(path: string): void;
  /** Throws unless the directory may be written. */
  checkWritable(path: string): void;
}

const wrap =
  <A extends unknown[], R>(operation: string, fn: (...args: A) => R, pathOf: (args: A) => string = (args) => String(args[0])) =>
  (...args: A): R => {
    try {
      return fn(...args);
    } catch (err) {
      if (err instanceof FsError) throw err;
      throw new FsError(operation, pathOf(args), err);
    }
  };

/** node:fs, looked up at each call (so a preload that wraps node:fs sees the writer's calls). */
export const nodeFs: WriterFs = {
  lstat: (p) => {
    try {
      return fs.lstatSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  },
  readFile: (p) => fs.readFileSync(p),
  readdir: (p) => fs.readdirSync(p),
  mkdir: (p) => {
    try {
      fs.mkdirSync(p, { recursive: true });
    } catch (err) {
      // Node's recursive mkdir says ENOENT whatever stopped it below an existing directory (a
      // read-only file system, a permission): one level at a time gives the real reason.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      const missing: string[] = [];
      for (let d = p; !fs.existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
      for (const d of missing) fs.mkdirSync(d);
    }
  },
  writeFile: (p, content, mode) => {
    fs.writeFileSync(p, content, { mode, flag: "wx", flush: true });
    fs.chmodSync(p, mode);
  },
  rename: (a, b) => fs.renameSync(a, b),
  link: (a, b) => fs.linkSync(a, b),
  unlink: (p) => fs.unlinkSync(p),
  rmdir: (p) => fs.rmdirSync(p),
  removeTree: (p) => fs.rmSync(p, { recursive: true, force: true }),
  checkWritable: (p) => fs.accessSync(p, fs.constants.W_OK),
};

/** The same calls, each failure turned into an FsError that says what was tried on which path. */
export function guarded(raw: WriterFs): WriterFs {
  return {
    lstat: wrap("inspect", raw.lstat),
    readFile: wrap("read", raw.readFile),
    readdir: wrap("list", raw.readdir),
    mkdir: wrap("create directory", raw.mkdir),
    writeFile: wrap("write", raw.writeFile),
    rename: wrap("rename", raw.rename, ([a, b]) => `${a} to ${b}`),
    link: wrap("create", raw.link, ([, b]) => b),
    unlink: wrap("remove", raw.unlink),
    rmdir: wrap("remove directory", raw.rmdir),
    removeTree: wrap("remove", raw.removeTree),
    checkWritable: wrap("write into", raw.checkWritable),
  };
}

/** Something, of any kind, is at the path (a dangling link included). */
export const exists = (fs: WriterFs, p: string): boolean => fs.lstat(p) !== undefined;

export const isMissing = (err: unknown): boolean => err instanceof FsError && err.code === "ENOENT";

/** Runs a cleanup call again once if it fails: a transient fault must not leave litter behind. */
export const twice = (fn: () => unknown): void => {
  try {
    fn();
  } catch {
    fn();
  }
};
