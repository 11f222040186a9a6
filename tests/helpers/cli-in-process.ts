// The CLI's `main` run inside the test's own process: the same argument parsing, commands, messages
// and exit codes as `pgbake` on a terminal, without starting node and loading the modules again for
// every call. What only a separate process shows (signals, pipes, concurrent runs, the process's
// environment) is tested through the built CLI in tests/*.process.test.ts (helpers/cli.ts).
import { main } from "../../src/cli/main.js";
import { reportError } from "../../src/cli/errors.js";
import type { CliResult } from "./cli.js";
import { repoRoot } from "./workspace.js";

/** One run at a time: the working directory and the two streams are the process's own. */
let queue: Promise<unknown> = Promise.resolve();

/** Text as execa gives it: one final newline removed. */
const withoutFinalNewline = (s: string): string => s.replace(/\r?\n$/, "");

async function runOnce(args: string[], cwd: string): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array, encodingOrDone?: BufferEncoding | ((e?: Error | null) => void), done?: (e?: Error | null) => void): boolean => {
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const callback = typeof encodingOrDone === "function" ? encodingOrDone : done;
      if (callback) queueMicrotask(() => callback(null));
      return true;
    };
  const [writeOut, writeErr, before] = [process.stdout.write, process.stderr.write, process.cwd()];
  process.stdout.write = capture(out) as typeof process.stdout.write;
  process.stderr.write = capture(err) as typeof process.stderr.write;
  process.chdir(cwd);
  let exitCode: number;
  try {
    exitCode = await main(args);
  } catch (e) {
    // What the entry point does with an error main did not turn into an exit code itself.
    exitCode = reportError(e, (s) => void err.push(s));
  } finally {
    process.chdir(before);
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  return { exitCode, stdout: withoutFinalNewline(out.join("")), stderr: withoutFinalNewline(err.join("")) };
}

/** `pgbake ARGS` run in `cwd`, in this process; runs queue behind each other. */
export function pgbakeInProcess(args: string[], cwd: string = repoRoot): Promise<CliResult> {
  const run = queue.then(() => runOnce(args, cwd));
  queue = run.catch(() => undefined);
  return run;
}
