// Section 5 of `npm run bench`: the wall time of the suites without docker. The unit suite is the
// vitest project `unit` (pgbake in the test's process: what a contributor runs after each change);
// goal <= 90 s on 2 cores. The `process` project (the built CLI killed, piped, raced and timed out)
// is timed beside it; the docker and e2e projects are integration runs and are timed by CI as a
// whole. Reported and never asserted: the load average at the start is recorded beside each, since
// the machine may be shared.
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { runSync } from "../src/model/process.js";

export type SuiteProject = "unit" | "process";

export interface SuiteResult {
  project: SuiteProject;
  seconds: number;
  exitCode: number;
  files: number;
  tests: number;
  failed: number;
  cpus: number;
  /** The 1-minute load average when the run started. */
  loadAverage: number;
}

export function measureSuite(project: SuiteProject, root: string, work: string): SuiteResult {
  const report = join(work, `suite-${project}.json`);
  const loadAverage = loadavg()[0]!;
  const started = process.hrtime.bigint();
  const r = runSync("npx", ["vitest", "run", "--project", project, "--reporter=json", `--outputFile=${report}`], { cwd: root });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const counts = JSON.parse(readFileSync(report, "utf8")) as { numTotalTestSuites?: number; testResults?: unknown[]; numTotalTests: number; numFailedTests: number };
  return {
    project,
    seconds,
    exitCode: r.exitCode,
    files: counts.testResults?.length ?? 0,
    tests: counts.numTotalTests,
    failed: counts.numFailedTests,
    cpus: cpus().length,
    loadAverage: Math.round(loadAverage * 100) / 100,
  };
}
