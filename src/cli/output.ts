// Output that is never cut. process.stdout on a pipe is asynchronous in Node: a write returns
// before the reader has taken the bytes, and process.exit() drops whatever is still queued
// (a pipe holds 64 KiB, so `pgbake plan --json | wc -c` printed 65536). Every command writes
// through these helpers and the entry point waits for both streams before it exits.

/** Resolves once `text` (and everything written before it) has left the process. */
export function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Waits until every earlier write on stdout and stderr has been handed to the OS. */
export async function drainOutputs(): Promise<void> {
  // A write's callback runs after the writes queued before it: an empty one marks the end.
  await Promise.all([writeAll(process.stdout, ""), writeAll(process.stderr, "")]).catch(() => {
    // A reader that went away (EPIPE, `| head`) has taken all it wants: nothing left to wait for.
  });
}

/**
 * A reader that closes early (`pgbake plan --json | head`) is no error of pgbake's: end quietly
 * instead of crashing with an unhandled EPIPE.
 */
export function quietOnClosedReader(): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(0);
      throw err;
    });
}

/** Ends the process with `code` once all output is out. */
export async function exitAfterOutput(code: number): Promise<never> {
  await drainOutputs();
  process.exit(code);
}
