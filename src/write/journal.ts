// Replacing a set of files so that a crash never leaves a mix of old and new: every new file is
// first written into a staging directory inside the output directory (same filesystem, so the
// moves are renames), then a journal naming every move and removal is renamed into place (the
// commit point), then the moves run. A run that finds a journal finishes its moves (roll forward);
// one that finds staging files but no journal deletes them (roll back: the old set never changed).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";

export const STAGING_DIR = ".pgbake-staging";
export const JOURNAL = ".pgbake-journal.json";

export interface Journal {
  /** Output-relative path -> file name inside the staging directory. */
  writes: { path: string; staged: string }[];
  /** Output-relative paths of files pgbake made earlier and no longer makes. */
  removes: string[];
}

/** Test seams: called after each step, so a test can stop a write anywhere, as a crash would. */
export interface WriteHooks {
  afterStage?: (count: number) => void;
  afterCommit?: () => void;
  afterRename?: (count: number) => void;
}

export interface StagedFile {
  path: string;
  content: string;
  mode: number;
}

/** A path the journal may name: inside the output directory, never above it. */
export function isOutputPath(p: unknown): p is string {
  return typeof p === "string" && p.length > 0 && !isAbsolute(p) && !normalize(p).split(/[\\/]/).includes("..");
}

function readJournal(outDir: string): Journal | undefined {
  try {
    const data = JSON.parse(readFileSync(join(outDir, JOURNAL), "utf8")) as Partial<Journal>;
    const writes = Array.isArray(data.writes) ? data.writes : [];
    const removes = Array.isArray(data.removes) ? data.removes : [];
    if (!writes.every((w) => isOutputPath(w?.path) && /^[0-9]+$/.test(String(w?.staged))) || !removes.every(isOutputPath)) return undefined;
    return { writes, removes };
  } catch {
    return undefined;
  }
}

function apply(outDir: string, journal: Journal, hooks: WriteHooks): void {
  const staging = join(outDir, STAGING_DIR);
  let renamed = 0;
  for (const w of journal.writes) {
    const from = join(staging, w.staged);
    // Already moved by the interrupted run: nothing left to do for this one.
    if (!existsSync(from)) continue;
    const target = join(outDir, w.path);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(from, target);
    hooks.afterRename?.(++renamed);
  }
  for (const p of journal.removes) rmSync(join(outDir, p), { force: true });
  rmSync(join(outDir, JOURNAL), { force: true });
  rmSync(staging, { recursive: true, force: true });
}

/** Finishes or undoes a write that a crash interrupted. Returns what it did. */
export function recoverInterrupted(outDir: string): "none" | "rolled-forward" | "rolled-back" {
  const journalFile = join(outDir, JOURNAL);
  const staging = join(outDir, STAGING_DIR);
  if (existsSync(journalFile)) {
    const journal = readJournal(outDir);
    if (journal) {
      apply(outDir, journal, {});
      return "rolled-forward";
    }
    // Unreadable journal: it was not written by pgbake (ours are renamed in whole); drop it.
    rmSync(journalFile, { force: true });
  }
  if (existsSync(staging)) {
    rmSync(staging, { recursive: true, force: true });
    return "rolled-back";
  }
  return "none";
}

/** Replaces `writes` and deletes `removes` in outDir as one step, as far as a crash can tell. */
export function replaceSet(outDir: string, writes: StagedFile[], removes: string[], hooks: WriteHooks = {}): void {
  if (writes.length === 0 && removes.length === 0) return;
  const staging = join(outDir, STAGING_DIR);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const journal: Journal = { writes: [], removes };
  writes.forEach((f, i) => {
    const staged = String(i);
    writeFileSync(join(staging, staged), f.content, { mode: f.mode });
    chmodSync(join(staging, staged), f.mode);
    journal.writes.push({ path: f.path, staged });
    hooks.afterStage?.(i + 1);
  });
  const tmp = join(outDir, `${JOURNAL}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(journal, null, 2)}\n`);
  renameSync(tmp, join(outDir, JOURNAL));
  hooks.afterCommit?.();
  apply(outDir, journal, hooks);
}
