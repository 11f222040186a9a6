// Input files (pgbake.yaml, catalog entries) that `pgbake update` changes, committed in the same
// journal as the outputs (journal.ts), so a failure or a crash leaves inputs and outputs both old
// or both new. An input lives anywhere (not under the output directory), so its new text is
// staged beside it (`.NAME.pgbake-new`, the same file system: the move is a rename) and its old
// text is kept in the output directory's staging directory, from where a rollback writes it back
// (through `.NAME.pgbake-old`, renamed over the file). Each input is in one of two states while a
// journal names it: its staged file exists (the input is old) or not (the input is new).
import { basename, dirname, join, resolve } from "node:path";
import { PgbakeError } from "../model/errors.js";
import { exists, twice, type WriterFs } from "./fs.js";

export interface InputEdit {
  /** Absolute path of the input file. */
  path: string;
  /** Its new text. */
  content: string;
  /** Its text when the run read it: a file changed since is not overwritten. */
  before: string;
}

/** What the journal records of an input: the path and the mode its replacement gets. */
export interface JournalInput {
  path: string;
  mode: number;
}

const INPUTS_DIR = "inputs";
export const stagedInput = (path: string): string => join(dirname(path), `.${basename(path)}.pgbake-new`);
const restoringInput = (path: string): string => join(dirname(path), `.${basename(path)}.pgbake-old`);
const backupOf = (staging: string, i: number): string => join(staging, INPUTS_DIR, String(i));

export function isJournalInput(x: unknown): x is JournalInput {
  const i = x as JournalInput | undefined;
  return typeof i?.path === "string" && i.path.startsWith("/") && resolve(i.path) === i.path && Number.isInteger(i.mode) && i.mode >= 0 && i.mode <= 0o777;
}

/**
 * Before the commit: each input unchanged since it was read (else an error, nothing staged yet
 * for it), its old text kept in staging, its new text staged beside it.
 */
export function stageInputs(fs: WriterFs, staging: string, edits: InputEdit[]): JournalInput[] {
  const out: JournalInput[] = [];
  for (const [i, e] of edits.entries()) {
    const st = fs.lstat(e.path);
    if (st?.isSymbolicLink()) throw new PgbakeError(`${e.path} is a symbolic link: pgbake update replaces files, never links (point --config or --extensions at the files themselves)`);
    if (!st?.isFile() || fs.readFile(e.path).toString("utf8") !== e.before) throw new PgbakeError(`${e.path} changed while pgbake update ran: nothing was written; run it again`, 1);
    // Permission bits only: a journal never gives a file setuid or sticky bits (isJournalInput refuses them).
    const mode = st.mode & 0o777;
    if (!exists(fs, join(staging, INPUTS_DIR))) fs.mkdir(join(staging, INPUTS_DIR));
    fs.writeFile(backupOf(staging, i), e.before, 0o600);
    out.push({ path: e.path, mode });
    if (exists(fs, stagedInput(e.path))) fs.unlink(stagedInput(e.path));
    fs.writeFile(stagedInput(e.path), e.content, mode);
  }
  return out;
}

/** Before the commit failed: the staged new texts go (the inputs were never touched). */
export function unstageInputs(fs: WriterFs, inputs: string[]): void {
  for (const path of inputs) if (exists(fs, stagedInput(path))) twice(() => fs.unlink(stagedInput(path)));
}

/** Roll forward: each staged new text renamed over its input; can run again after a crash. */
export function inputsForward(fs: WriterFs, inputs: JournalInput[]): void {
  for (const input of inputs) if (exists(fs, stagedInput(input.path))) fs.rename(stagedInput(input.path), input.path);
}

/** Roll back: an input not yet replaced loses its staged text; a replaced one gets its old text back. */
export function inputsBackward(fs: WriterFs, staging: string, inputs: JournalInput[]): void {
  for (const [i, input] of [...inputs.entries()].reverse()) {
    if (exists(fs, stagedInput(input.path))) {
      fs.unlink(stagedInput(input.path));
      continue;
    }
    const backup = backupOf(staging, i);
    if (!exists(fs, backup)) continue;
    const restoring = restoringInput(input.path);
    if (exists(fs, restoring)) fs.unlink(restoring);
    fs.writeFile(restoring, fs.readFile(backup).toString("utf8"), input.mode);
    fs.rename(restoring, input.path);
  }
}

/** Files a crash left beside the run's inputs while no journal names them (staged, never committed). */
export function removeStrayInputFiles(fs: WriterFs, inputs: string[]): void {
  for (const path of inputs) for (const stray of [stagedInput(path), restoringInput(path)]) if (fs.lstat(stray)?.isFile()) twice(() => fs.unlink(stray));
}

/** A journal may change only the inputs of the run that recovers it: never a path it names alone. */
export function checkJournalInputs(outDir: string, inputs: JournalInput[], allowed: string[]): void {
  const ok = new Set(allowed.map((a) => resolve(a)));
  const foreign = inputs.filter((i) => !ok.has(i.path)).map((i) => i.path);
  if (foreign.length > 0)
    throw new PgbakeError(
      `an interrupted \`pgbake update\` left ${join(outDir, ".pgbake-journal.json")}, which changes input files this run does not read:\n` +
        `${foreign.map((f) => `  ${f}`).join("\n")}\nRun \`pgbake generate\` with the --config and --extensions that update used: it finishes the update.`,
    );
}
