// Timing whole processes: wall time from the parent; CPU time (user + system) and peak resident
// memory from GNU time (%U %S %M) when /usr/bin/time exists. Medians, never assertions.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Sample {
  seconds: number;
  /** User + system CPU seconds of the child. */
  cpuSeconds?: number;
  peakRssMb?: number;
}

export interface Measured {
  /** Median wall time in seconds. */
  median: number;
  runs: number[];
  /** Median CPU (user + system) seconds; absent without /usr/bin/time. */
  cpuMedian?: number;
  /** Largest peak RSS over the runs, in MB; absent without /usr/bin/time. */
  peakRssMb?: number;
}

const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** The exit status that means the run did what it should (default 0; 2 for input pgbake must refuse). */
  status?: number;
}

/** Runs a command once, its stdout discarded; throws with its stderr when it fails. */
export function runOnce(cmd: string, args: string[], opts: CommandOptions = {}): Sample {
  const scratch = mkdtempSync(join(tmpdir(), "pgbake-bench-time-"));
  const rssFile = join(scratch, "rss");
  const [file, argv] = gnuTime ? [gnuTime, ["-f", "%M %U %S", "-o", rssFile, cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(file, argv, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  try {
    if (r.status !== (opts.status ?? 0)) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr?.toString().slice(-2000)}`);
    const [kb, user, sys] = gnuTime ? readFileSync(rssFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number) : [NaN, NaN, NaN];
    const cpu = user! + sys!;
    return { seconds, cpuSeconds: Number.isFinite(cpu) ? cpu : undefined, peakRssMb: Number.isFinite(kb) ? kb! / 1024 : undefined };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function summary(samples: Sample[]): Measured {
  const rss = samples.map((s) => s.peakRssMb).filter((m): m is number => m !== undefined);
  const cpu = samples.map((s) => s.cpuSeconds).filter((c): c is number => c !== undefined);
  return {
    median: median(samples.map((s) => s.seconds)),
    runs: samples.map((s) => s.seconds),
    cpuMedian: cpu.length === samples.length ? median(cpu) : undefined,
    peakRssMb: rss.length ? Math.max(...rss) : undefined,
  };
}

/** `runs` samples of `sample()` (which may prepare before it runs the command). */
export function measure(runs: number, sample: () => Sample): Measured {
  return summary(Array.from({ length: runs }, sample));
}

/**
 * Two commands measured in turns (a, b, a, b, ...) after one warm-up run of each, so that a
 * busy moment of the machine or a cold file cache weighs on both alike.
 */
export function measureAlternating(runs: number, a: () => Sample, b: () => Sample): [Measured, Measured] {
  a();
  b();
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a());
    bs.push(b());
  }
  return [summary(as), summary(bs)];
}

export function buildxAvailable(): boolean {
  return spawnSync("docker", ["buildx", "version"], { stdio: "ignore" }).status === 0;
}

/** `docker buildx bake --print`, the way a user runs it (entitlement prompts off). */
export function buildxPrint(dir: string, file: string, targets: string[] = []): Sample {
  return runOnce("docker", ["buildx", "bake", "--file", file, "--print", ...targets], { cwd: dir, env: { BUILDX_BAKE_ENTITLEMENTS_FS: "0" } });
}
