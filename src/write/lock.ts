// One writer per output directory at a time. Node has no flock, so the lock is a file that
// exists while a run holds it: `.pgbake.lock`, made whole in a temporary file and hard-linked
// into place (link fails with EEXIST when it exists, so exactly one run gets it, and a reader
// never sees it half written). It names its holder (pid, the process's start time, host), so a
// lock left by a run that was killed is recognised and taken over: a process of that pid and
// start time no longer runs on this host. Breaking a stale lock happens under a second lock
// file (`.pgbake.lock.guard`), so two runs that find the same stale lock cannot both take it.
// A run that finds a live holder waits (up to `timeoutMs`) and then fails with a message.
// Whether a holder on another host (a container gets a new hostname on every run) still runs
// cannot be checked, and a pid's start time can be misread: so a lock older than LOCK_MAX_AGE_MS
// is taken over whoever holds it, with a message. A write holds the lock for seconds (the bench's
// largest plan, 100,000 targets, for well under a minute); ten minutes is far beyond any of them.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { PgbakeError } from "../model/errors.js";
import { isMissing, twice, type WriterFs } from "./fs.js";

export const LOCK = ".pgbake.lock";
/** A lock this old is taken over whoever holds it (documented in the README, "Output directory"). */
export const LOCK_MAX_AGE_MS = 10 * 60_000;
const GUARD = ".pgbake.lock.guard";
const tmpName = /^\.pgbake\.lock\.([0-9]+)-[0-9a-z]+\.tmp$/;

interface Holder {
  pid: number;
  start: string;
  host: string;
  since: string;
  nonce: string;
}

/** The process's start time in clock ticks since boot (Linux), to tell a reused pid apart. */
function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

function running(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = startTimeOf(pid);
  return !start || !now || now === start;
}

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function readHolder(fs: WriterFs, file: string): { raw: string; holder?: Holder } | undefined {
  let raw: string;
  try {
    const st = fs.lstat(file);
    if (!st) return undefined;
    // Not a file (a FIFO would never answer a read): not a lock either.
    if (!st.isFile()) return { raw: `not a file: ${st.mode}` };
    raw = fs.readFile(file).toString("utf8");
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  try {
    const h = JSON.parse(raw) as Holder;
    return typeof h.pid === "number" && typeof h.host === "string" ? { raw, holder: h } : { raw };
  } catch {
    return { raw };
  }
}

/** Milliseconds since the holder took the lock (0 when the date cannot be read or is in the future). */
const ageOf = (h: Holder): number => Math.max(0, Date.now() - (Date.parse(h.since) || Date.now()));

/** A holder that can no longer release: its process is gone, its lock is too old (or the file is not a lock at all). */
const isStale = (h: Holder | undefined): boolean => !h || (h.host === hostname() && !running(h.pid, h.start)) || ageOf(h) > LOCK_MAX_AGE_MS;

const describe = (h: Holder): string => `pid ${h.pid} on ${h.host}, since ${h.since}`;

/** Creates `name` holding `content` only if nothing is there; true when this call made it. */
function createExclusive(fs: WriterFs, dir: string, name: string, content: string, nonce: string): boolean {
  const tmp = join(dir, `${LOCK}.${process.pid}-${nonce}.tmp`);
  const target = join(dir, name);
  try {
    fs.writeFile(tmp, content, 0o644);
  } catch (err) {
    if (fs.lstat(tmp)) twice(() => fs.unlink(tmp));
    throw err;
  }
  let made = false;
  try {
    fs.link(tmp, target);
    made = true;
  } catch (err) {
    if ((err as { code?: string }).code !== "EEXIST") {
      twice(() => fs.unlink(tmp));
      throw err;
    }
  }
  try {
    twice(() => fs.unlink(tmp));
  } catch (err) {
    if (made) twice(() => fs.unlink(target));
    throw err;
  }
  return made;
}

function breakStale(fs: WriterFs, dir: string, stale: string, me: string, nonce: string): void {
  const guard = join(dir, GUARD);
  if (!createExclusive(fs, dir, GUARD, me, `${nonce}g`)) {
    // Another run is breaking it (it holds the guard for a few calls), or died doing so.
    const g = readHolder(fs, guard);
    if (g && isStale(g.holder)) fs.unlink(guard);
    return;
  }
  try {
    // Still the same stale lock? Only runs holding the guard remove a lock they do not own.
    if (readHolder(fs, join(dir, LOCK))?.raw === stale) fs.unlink(join(dir, LOCK));
  } finally {
    twice(() => fs.unlink(guard));
  }
}

/** Removes the temporary files of runs that were killed while taking the lock. */
function removeLeftovers(fs: WriterFs, dir: string): void {
  for (const name of fs.readdir(dir)) {
    const m = tmpName.exec(name);
    if (m && Number(m[1]) !== process.pid && !running(Number(m[1]), "")) fs.unlink(join(dir, name));
  }
}

/** Takes the lock of `dir`; returns the function that releases it. */
export function acquireLock(fs: WriterFs, dir: string, timeoutMs: number, onWait?: (message: string) => void): () => void {
  const nonce = Math.random().toString(36).slice(2, 10);
  const start = startTimeOf(process.pid);
  // `since` is when this attempt takes the lock (not when the wait began): the age others judge by.
  const holder = (): string => `${JSON.stringify({ pid: process.pid, start, host: hostname(), since: new Date().toISOString(), nonce } satisfies Holder)}\n`;
  let content = "";
  const started = Date.now();
  const deadline = started + timeoutMs;
  let told = false;
  for (;;) {
    content = holder();
    if (createExclusive(fs, dir, LOCK, content, nonce)) break;
    const found = readHolder(fs, join(dir, LOCK));
    if (!found) continue;
    if (isStale(found.holder)) {
      const h = found.holder;
      if (h && ageOf(h) > LOCK_MAX_AGE_MS) onWait?.(`taking over the lock of ${dir} (${describe(h)}): older than ${LOCK_MAX_AGE_MS / 60_000} minutes, longer than any write holds it`);
      breakStale(fs, dir, found.raw, content, nonce);
      continue;
    }
    const h = found.holder!;
    const elsewhere = h.host === hostname() ? "" : `; pgbake cannot tell whether a run on another host still runs, and takes its lock over once it is ${LOCK_MAX_AGE_MS / 60_000} minutes old`;
    if (Date.now() > deadline) {
      throw new PgbakeError(
        `${dir} is being written by another pgbake run (${describe(h)}); waited ${Math.round(timeoutMs / 1000)} s${elsewhere}. ` + `If no pgbake runs there, remove ${join(dir, LOCK)}`,
        1,
      );
    }
    if (!told && onWait && Date.now() - started > Math.min(3000, timeoutMs / 2)) {
      told = true;
      onWait(`waiting for another pgbake run writing ${dir} (${describe(h)})${elsewhere}`);
    }
    sleep(20 + Math.floor(Math.random() * 30));
  }
  try {
    removeLeftovers(fs, dir);
  } catch {
    // Litter of an earlier crash, harmless: the next run tries again.
  }
  return () => twice(() => readHolder(fs, join(dir, LOCK))?.raw === content && fs.unlink(join(dir, LOCK)));
}
