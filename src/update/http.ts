// Every byte `update` reads from the network goes through here, bounded: each request (headers
// and the whole body) within a per-request time, the run within an overall deadline, a body no
// larger than a limit. Whatever goes wrong becomes one UpdateError naming the URL (exit 2);
// each request is announced on the progress line first, so a slow source is seen while it is slow.
import { UpdateError } from "./errors.js";

export interface NetworkBudget {
  /** Each request, headers and body, must be done within this (ms). */
  requestMs: number;
  /** The time the whole update may take (ms since `started`). */
  deadlineMs: number;
  started: number;
  /** Told before each request (one line). */
  progress: (line: string) => void;
}

// A request includes its body: Debian's largest index (about 10 MB) needs 170 KB/s to fit.
export const DEFAULT_REQUEST_SECONDS = 60;
export const DEFAULT_DEADLINE_SECONDS = 600;

/** A budget of the defaults that says nothing: tests and library calls. */
export const defaultBudget = (): NetworkBudget => ({
  requestMs: DEFAULT_REQUEST_SECONDS * 1000,
  deadlineMs: DEFAULT_DEADLINE_SECONDS * 1000,
  started: Date.now(),
  progress: () => undefined,
});

const MiB = 1 << 20;
/** A size as a message gives it: bytes below a MiB, else MiB. */
export const mib = (bytes: number): string => (bytes < MiB ? `${bytes} bytes` : `${Math.round((bytes / MiB) * 10) / 10} MiB`);

/** Why a request stopped: the per-request time, the run's deadline, or what the network said. */
function failure(url: string, err: unknown, budget: NetworkBudget, timedOut: "request" | "deadline" | undefined): UpdateError {
  if (err instanceof UpdateError) return err;
  if (timedOut === "deadline") return new UpdateError(url, `the update's deadline of ${Math.round(budget.deadlineMs / 1000)} s passed while reading it (--deadline)`);
  if (timedOut === "request") return new UpdateError(url, `no complete answer within ${Math.round(budget.requestMs / 1000)} s (--timeout)`);
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const why = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : (err as Error).message;
  return new UpdateError(url, `unreachable (${String(why)})`);
}

/**
 * The body of `url`, at most `maxBytes`; undefined for 404/410 (the caller decides whether absence
 * is fine). Any other failure is an UpdateError naming the URL.
 */
export async function fetchBounded(
  url: string,
  budget: NetworkBudget,
  maxBytes: number,
  init: RequestInit = {},
  /** Whose limit `maxBytes` is, for the message. */
  limitOf = "pgbake reads from one source",
): Promise<{ status: number; headers: Headers; body: Buffer } | undefined> {
  const left = budget.started + budget.deadlineMs - Date.now();
  if (left <= 0) throw new UpdateError(url, `not read: the update's deadline of ${Math.round(budget.deadlineMs / 1000)} s has passed (--deadline)`);
  budget.progress(`reading ${url}`);
  const controller = new AbortController();
  let timedOut: "request" | "deadline" | undefined;
  const stopAfter = (ms: number, why: "request" | "deadline"): NodeJS.Timeout =>
    setTimeout(() => {
      timedOut ??= why;
      controller.abort();
    }, ms);
  const timers = [stopAfter(budget.requestMs, "request"), stopAfter(left, "deadline")];
  try {
    const res = await fetch(url, { ...init, signal: controller.signal });
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      return undefined;
    }
    if (init.method === "HEAD" || !res.body) return { status: res.status, headers: res.headers, body: Buffer.alloc(0) };
    const declared = Number(res.headers.get("content-length") ?? NaN);
    if (declared > maxBytes) {
      await res.body.cancel();
      throw new UpdateError(url, `is ${mib(declared)}, more than the ${mib(maxBytes)} ${limitOf}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        controller.abort();
        throw new UpdateError(url, `is more than the ${mib(maxBytes)} ${limitOf}`);
      }
      chunks.push(Buffer.from(chunk));
    }
    return { status: res.status, headers: res.headers, body: Buffer.concat(chunks) };
  } catch (err) {
    throw failure(url, err, budget, timedOut);
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}

/** GET for a file: the body, undefined when absent, an UpdateError for any other status. */
export async function getFile(url: string, budget: NetworkBudget, maxBytes: number, limitOf?: string): Promise<Buffer | undefined> {
  const res = await fetchBounded(url, budget, maxBytes, {}, limitOf);
  if (!res) return undefined;
  if (res.status < 200 || res.status > 299) throw new UpdateError(url, `HTTP ${res.status}`);
  return res.body;
}
