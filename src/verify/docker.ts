// The docker CLI as `pgbake test` uses it: every container, volume and image it makes is
// recorded, so that it is removed at the end of a run, after a failed start, and on Ctrl-C or
// SIGTERM (a signal handler removes what is left before the process exits).
import { PgbakeError } from "../model/errors.js";
import { run, runSync } from "../model/process.js";

export interface DockerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

type Resource = { kind: "container" | "volume" | "image"; id: string };

export class Docker {
  private readonly owned: Resource[] = [];
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\npgbake test: ${signal}: removing ${this.owned.length} container(s), volume(s) and image(s)\n`);
    this.removeAllSync();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };

  /** Runs `docker ARGS`; never throws on a non-zero exit (the caller decides what failed). */
  async run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<DockerResult> {
    const r = await run("docker", args, { input: opts.input, timeoutMs: opts.timeoutMs });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.timedOut ? `${r.stderr}\n(docker ${args[0]} killed after ${opts.timeoutMs} ms)`.trim() : r.stderr };
  }

  /** Like run, but a non-zero exit is an error carrying docker's own message. */
  async must(args: string[], opts: { input?: string } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.exitCode !== 0) throw new DockerError(`docker ${args.slice(0, 2).join(" ")} failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout.trim();
  }

  own(kind: Resource["kind"], id: string): void {
    this.owned.push({ kind, id });
  }

  async release(kind: Resource["kind"], id: string): Promise<void> {
    const i = this.owned.findIndex((r) => r.kind === kind && r.id === id);
    if (i >= 0) this.owned.splice(i, 1);
    await this.run(removeArgs({ kind, id }));
  }

  /** Removes everything still owned, newest first (containers before the volumes they use). */
  async releaseAll(): Promise<void> {
    while (this.owned.length > 0) {
      const r = this.owned.pop()!;
      await this.run(removeArgs(r));
    }
  }

  /** Signal handlers that clean up before exiting; returns the function that removes them. */
  trapSignals(): () => void {
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
    return () => {
      process.off("SIGINT", this.onSignal);
      process.off("SIGTERM", this.onSignal);
    };
  }

  private removeAllSync(): void {
    while (this.owned.length > 0) {
      const r = this.owned.pop()!;
      // Best effort: whatever this one answers, the next resource still gets its turn.
      runSync("docker", removeArgs(r), { timeoutMs: 30_000 });
    }
  }
}

const removeArgs = (r: Resource): string[] => (r.kind === "container" ? ["rm", "-f", "-v", r.id] : r.kind === "volume" ? ["volume", "rm", "-f", r.id] : ["rmi", "-f", r.id]);

/** docker refused a command pgbake test needed: a failure of the machine, exit 1. */
export class DockerError extends PgbakeError {
  constructor(message: string) {
    super(message, 1);
  }
}
