// The one way pgbake runs another program (docker, git, gpg, xz, npm): node:child_process, never
// through a shell, and never rejecting on a non-zero exit (the caller decides what failed).
// Not execa: after a timeout killed git, execa waited for git's helper (git-remote-http), which
// still held the pipes, to end; here a timeout kills the child and closes our ends of its pipes,
// so the call returns at the timeout whatever the grandchildren do.
import { spawn, spawnSync } from "node:child_process";
import { StringDecoder } from "node:string_decoder";

export interface RunOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Kill (SIGKILL) after this long; the result says `timedOut`. */
  timeoutMs?: number;
  /** The most bytes of stdout and of stderr kept; past it the child is killed (`overflowed`). Default 64 MiB. */
  maxBuffer?: number;
  /** The child reads this process's stdin and writes to its stdout (a build's progress on the terminal). */
  inheritStdio?: boolean;
  /** Each chunk of stderr as it comes, instead of keeping it (a long build's progress). */
  onStderr?: (chunk: Buffer) => void;
}

export interface RunResult {
  /** The exit status; 128 + the signal number when a signal ended it, 127 when it could not start. */
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  overflowed: boolean;
}

const defaultMaxBuffer = 64 << 20;
const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const statusOf = (code: number | null, signal: NodeJS.Signals | null): number => code ?? 128 + (signals[signal ?? ""] ?? 0);

/** Runs `file args` and resolves when it has ended (or was killed), with its output as text. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const limit = opts.maxBuffer ?? defaultMaxBuffer;
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      stdio: [opts.inheritStdio ? "inherit" : "pipe", opts.inheritStdio ? "inherit" : "pipe", "pipe"],
    });
    const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const bytes = { stdout: 0, stderr: 0 };
    let timedOut = false;
    let overflowed = false;
    let spawnError = "";
    let status: number | undefined;
    const closePipes = (): void => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const kill = (): void => {
      closePipes();
      child.kill("SIGKILL");
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            kill();
          }, opts.timeoutMs);
    for (const name of ["stdout", "stderr"] as const) {
      child[name]?.on("data", (chunk: Buffer) => {
        if (name === "stderr" && opts.onStderr) return opts.onStderr(chunk);
        bytes[name] += chunk.length;
        if (bytes[name] <= limit) kept[name].push(chunk);
        else {
          overflowed = true;
          kill();
        }
      });
    }
    if (child.stdin) {
      child.stdin.on("error", () => undefined); // a child that exits without reading all its input
      child.stdin.end(opts.input);
    }
    // Output is complete at `close`; a grandchild that keeps the pipes open (git's helpers, a
    // daemon) gets a moment after the child's exit, then our ends are closed.
    let grace: NodeJS.Timeout | undefined;
    child.on("exit", (code, signal) => {
      status = statusOf(code, signal);
      grace = setTimeout(closePipes, 2000);
    });
    child.on("error", (err) => {
      spawnError = err.message;
      closePipes();
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(grace);
      const text = (b: Buffer[]): string => new StringDecoder("utf8").end(Buffer.concat(b));
      const exitCode = spawnError && status === undefined ? 127 : (status ?? statusOf(code, signal));
      const stderr = spawnError ? `${text(kept.stderr)}${spawnError}` : text(kept.stderr);
      resolve({ exitCode, stdout: chomp(text(kept.stdout)), stderr: chomp(stderr), timedOut, overflowed });
    });
  });
}

/** `run` for the few places that must not wait on the event loop (a signal handler's cleanup). */
export function runSync(file: string, args: readonly string[], opts: Omit<RunOptions, "inheritStdio" | "onStderr"> = {}): RunResult & { stdoutBytes: Buffer } {
  const r = spawnSync(file, args, {
    cwd: opts.cwd,
    env: opts.env ? { ...process.env, ...opts.env } : process.env,
    input: opts.input,
    timeout: opts.timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: opts.maxBuffer ?? defaultMaxBuffer,
    stdio: "pipe",
  });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  const stdoutBytes = r.stdout ?? Buffer.alloc(0);
  return {
    exitCode: r.error && r.status === null && r.signal === null ? 127 : statusOf(r.status, r.signal),
    stdout: chomp(stdoutBytes.toString("utf8")),
    stdoutBytes,
    stderr: chomp(`${r.stderr?.toString("utf8") ?? ""}${r.error && code !== "ETIMEDOUT" && code !== "ENOBUFS" ? r.error.message : ""}`),
    timedOut: code === "ETIMEDOUT",
    overflowed: code === "ENOBUFS",
  };
}

/** One final newline dropped, as a shell's $(...) would. */
const chomp = (s: string): string => (s.endsWith("\n") ? s.slice(0, -1) : s);
