// Replacing a set of files so that a failure or a crash at any call leaves the old set or the
// new one, and the next run finishes or undoes what a crash interrupted on its own:
//  1. stage: every new file is written under .pgbake-staging/new/<path> (same filesystem, so the
//     moves below are renames); a name too long or a directory that cannot be made fails here,
//     before anything visible changed;
//  2. commit: a journal naming every write (and whether its path held a file before), removal
//     and directory to create is written whole and renamed into place;
//  3. apply: each replaced or removed file is first moved to .pgbake-staging/old/<path>, then
//     each new file moved into place; the journal is deleted, then the staging directory.
// A failure after the commit rolls back (the old files come back from old/); a run that finds a
// journal rolls forward, or back if forward fails; staging without a journal is deleted.
// Nothing outside the output directory is ever moved or removed: a journal naming a file that no
// manifest lists is not trusted, and no path is reached through a link (linkGuard).
import { dirname, isAbsolute, join, normalize, relative } from "node:path";
import { PgbakeError } from "../model/errors.js";
import { exists, isMissing, twice, type WriterFs } from "./fs.js";
import { inputsBackward, inputsForward, isJournalInput, stageInputs, unstageInputs, type InputEdit, type JournalInput } from "./inputs.js";

export const STAGING_DIR = ".pgbake-staging";
export const JOURNAL = ".pgbake-journal.json";

export interface Journal {
  version: 2;
  writes: { path: string; existed: boolean }[];
  /** Output-relative paths of files pgbake made earlier and no longer makes. */
  removes: string[];
  /** Directories the apply step creates (parents first), removed again by a rollback. */
  dirs: string[];
  /** Input files replaced in the same step (`pgbake update`, inputs.ts); absent for a plain write. */
  inputs?: JournalInput[];
}

export interface StagedFile {
  path: string;
  content: string;
  mode: number;
}

/** Test seam: called once the journal is in place (the commit point). */
export interface WriteHooks {
  afterCommit?: () => void;
}

/** A path the journal may name: inside the output directory, never above it. */
export function isOutputPath(p: unknown): p is string {
  return typeof p === "string" && p.length > 0 && !isAbsolute(p) && !normalize(p).split(/[\\/]/).includes("..");
}

/** Throws when a path of the output directory passes through a link or a file (checked directories remembered per step). */
export type LinkGuard = (path: string) => void;
export function linkGuard(fs: WriterFs, outDir: string): LinkGuard {
  const real = new Set<string>();
  return (path) => {
    const parts = relative(outDir, path).split(/[\\/]/).slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = join(outDir, ...parts.slice(0, i));
      if (real.has(dir)) continue;
      const st = fs.lstat(dir);
      if (!st) return;
      if (!st.isDirectory())
        throw new PgbakeError(`cannot write ${path}: ${dir} is ${st.isSymbolicLink() ? "a symbolic link" : "a file"}, not a directory (pgbake writes only inside ${outDir} and follows no link there)`);
      real.add(dir);
    }
  };
}

/** Our journals are renamed into place whole and name only files a manifest lists (`made`). */
function readJournal(fs: WriterFs, outDir: string, made: ReadonlySet<string>): Journal | undefined {
  if (!fs.lstat(join(outDir, JOURNAL))?.isFile()) return undefined;
  try {
    const data = JSON.parse(fs.readFile(join(outDir, JOURNAL)).toString("utf8")) as Partial<Journal>;
    const { writes, removes, dirs, inputs } = data;
    if (data.version !== 2 || !Array.isArray(writes) || !Array.isArray(removes) || !Array.isArray(dirs)) return undefined;
    if (!writes.every((w) => isOutputPath(w?.path) && typeof w.existed === "boolean") || !removes.every(isOutputPath) || !dirs.every(isOutputPath)) return undefined;
    if (!writes.every((w) => made.has(w.path)) || !removes.every((r) => made.has(r))) return undefined;
    if (inputs !== undefined && !(Array.isArray(inputs) && inputs.every(isJournalInput))) return undefined;
    return { version: 2, writes, removes, dirs, ...(inputs ? { inputs } : {}) };
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** Moves `from` to `to`, creating `to`'s directory; a missing `from` is no error (already moved). */
function move(fs: WriterFs, guard: LinkGuard, from: string, to: string): void {
  guard(from);
  guard(to);
  if (!exists(fs, dirname(to))) fs.mkdir(dirname(to));
  try {
    fs.rename(from, to);
  } catch (err) {
    if (!isMissing(err) || exists(fs, from)) throw err;
  }
}

/** Once every move is done: the journal goes (the write is complete), then the leftovers. Each is tried twice. */
function finish(fs: WriterFs, outDir: string): void {
  twice(() => exists(fs, join(outDir, JOURNAL)) && fs.unlink(join(outDir, JOURNAL)));
  twice(() => fs.removeTree(join(outDir, STAGING_DIR)));
}

/** Rolls forward; every step can run again after a crash. */
export function applyForward(fs: WriterFs, outDir: string, journal: Journal): void {
  moveForward(fs, outDir, journal);
  finish(fs, outDir);
}

function moveForward(fs: WriterFs, outDir: string, journal: Journal): void {
  const staging = join(outDir, STAGING_DIR);
  const guard = linkGuard(fs, outDir);
  for (const d of journal.dirs) {
    guard(join(outDir, d));
    if (!exists(fs, join(outDir, d))) fs.mkdir(join(outDir, d));
  }
  for (const w of journal.writes) {
    const staged = join(staging, "new", w.path);
    if (!exists(fs, staged)) continue; // moved already
    const target = join(outDir, w.path);
    const backup = join(staging, "old", w.path);
    if (w.existed && !exists(fs, backup) && exists(fs, target)) move(fs, guard, target, backup);
    move(fs, guard, staged, target);
  }
  for (const r of journal.removes) {
    const target = join(outDir, r);
    const backup = join(staging, "old", r);
    if (!exists(fs, backup) && exists(fs, target)) move(fs, guard, target, backup);
  }
  inputsForward(fs, journal.inputs ?? []);
}

/** Puts the old set back; every step can run again after a crash. */
export function applyBackward(fs: WriterFs, outDir: string, journal: Journal): void {
  const staging = join(outDir, STAGING_DIR);
  const guard = linkGuard(fs, outDir);
  for (const w of [...journal.writes].reverse()) {
    const target = join(outDir, w.path);
    const backup = join(staging, "old", w.path);
    if (exists(fs, backup)) move(fs, guard, backup, target);
    else if (!w.existed && !exists(fs, join(staging, "new", w.path)) && exists(fs, target)) {
      guard(target);
      fs.unlink(target);
    }
  }
  for (const r of journal.removes) {
    const backup = join(staging, "old", r);
    if (exists(fs, backup)) move(fs, guard, backup, join(outDir, r));
  }
  for (const d of [...journal.dirs].reverse()) {
    const dir = join(outDir, d);
    guard(dir);
    if (exists(fs, dir) && fs.readdir(dir).length === 0) fs.rmdir(dir);
  }
  inputsBackward(fs, staging, journal.inputs ?? []);
  finish(fs, outDir);
}

/**
 * Finishes (or, failing that, undoes) a write that a crash interrupted. Returns what it did.
 * `made`: the paths the manifests list (before and after that write), the only ones a journal may name.
 * `checkInputs` sees the input files a journal changes before anything is moved (it may refuse).
 */
export function recoverInterrupted(
  fs: WriterFs,
  outDir: string,
  made: ReadonlySet<string>,
  checkInputs: (inputs: JournalInput[]) => void = () => undefined,
): "none" | "rolled-forward" | "rolled-back" {
  if (exists(fs, join(outDir, JOURNAL))) {
    const journal = readJournal(fs, outDir, made);
    if (journal) {
      checkInputs(journal.inputs ?? []);
      try {
        applyForward(fs, outDir, journal);
        return "rolled-forward";
      } catch {
        applyBackward(fs, outDir, journal);
        return "rolled-back";
      }
    }
    // Not a journal of this pgbake (ours are renamed into place whole): nothing it says can be trusted.
    fs.unlink(join(outDir, JOURNAL));
  }
  if (exists(fs, join(outDir, STAGING_DIR))) {
    fs.removeTree(join(outDir, STAGING_DIR));
    return "rolled-back";
  }
  return "none";
}

/** Replaces `writes` and deletes `removes` in outDir as one step, as far as a crash can tell. */
export function replaceSet(fs: WriterFs, outDir: string, writes: StagedFile[], removes: string[], dirs: string[], hooks: WriteHooks = {}, inputEdits: InputEdit[] = []): void {
  const staging = join(outDir, STAGING_DIR);
  const journal: Journal = { version: 2, writes: [], removes, dirs };
  let committed = false;
  try {
    fs.removeTree(staging);
    for (const f of writes) {
      const staged = join(staging, "new", f.path);
      if (!exists(fs, dirname(staged))) fs.mkdir(dirname(staged));
      fs.writeFile(staged, f.content, f.mode);
      journal.writes.push({ path: f.path, existed: exists(fs, join(outDir, f.path)) });
    }
    if (inputEdits.length > 0) {
      if (!exists(fs, staging)) fs.mkdir(staging);
      journal.inputs = stageInputs(fs, staging, inputEdits);
    }
    const tmp = join(staging, JOURNAL);
    fs.writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`, 0o644);
    fs.rename(tmp, join(outDir, JOURNAL));
    committed = true;
    hooks.afterCommit?.();
    moveForward(fs, outDir, journal);
  } catch (err) {
    // Leave the old set, as it was: undo the moves (after the commit) or drop the staged files.
    try {
      if (committed) applyBackward(fs, outDir, journal);
      else {
        unstageInputs(
          fs,
          inputEdits.map((e) => e.path),
        );
        twice(() => fs.removeTree(staging));
      }
    } catch {
      // The next run finishes the job (recoverInterrupted); the first failure is the one to report.
    }
    throw err;
  }
  finish(fs, outDir);
}
