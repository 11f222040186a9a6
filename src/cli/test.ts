// `pgbake test`: the plan's images, pulled from the registry and proven as their users run them
// (src/verify). Exit 0 when every check passed, 1 when one failed, 2 for bad input.
import { resolve } from "node:path";
import { PgbakeError } from "../model/errors.js";
import type { Planned } from "../pipeline/index.js";
import { runFailed, runTests, selectTargets, subjectsFor } from "../verify/index.js";
import type { Subject } from "../verify/subjects.js";
import { jsonReport, junitXml, summaryTable } from "../verify/report.js";
import { writeOutputs } from "../write/index.js";
import { testRegistry } from "./last-push.js";

export interface TestCommandOptions {
  report?: string;
  upgradeFrom?: string;
  platform?: string;
  registry?: string;
  timestamp?: string;
  operand?: string;
  /** Servers at once, as given on the command line. */
  jobs?: string;
  /** Server log, ldd, library clash and upgrade path checks too (TestOptions.deep). */
  deep?: boolean;
  /** A directory of interface snapshots to write or compare with; `accept` writes what differs. */
  snapshot?: string;
  accept?: boolean;
}

export const reportFiles = { junit: "pgbake-test.xml", json: "pgbake-test.json" };

/** Extensions a flavor or type asks for that the tested images leave out, each once with its reason. */
export function leftOut(subjects: Subject[]): string[] {
  const seen = new Map<string, number>();
  for (const s of subjects) if (s.kind === "operand") for (const d of s.dropped) seen.set(`${d.name}: ${d.reason}`, (seen.get(`${d.name}: ${d.reason}`) ?? 0) + 1);
  return [...seen].sort(([a], [b]) => a.localeCompare(b, "en")).map(([what, n]) => `  ${what} (${n} image${n === 1 ? "" : "s"})`);
}

export async function testCommand(planned: Planned, names: string[], o: TestCommandOptions): Promise<number> {
  const reportDir = o.report === undefined ? undefined : resolve(o.report);
  if (reportDir !== undefined && reportDir === planned.outDir) throw new PgbakeError("--report must not be the output directory of generate");
  if (o.timestamp !== undefined && !/^[0-9]{12}$/.test(o.timestamp)) throw new PgbakeError(`--timestamp takes YYYYMMDDhhmm, not '${o.timestamp}'`);
  if (o.jobs !== undefined && !/^[1-9][0-9]{0,2}$/.test(o.jobs)) throw new PgbakeError(`--jobs takes a whole number from 1 to 999, not '${o.jobs}'`);
  if (o.accept && o.snapshot === undefined) throw new PgbakeError("--accept goes with --snapshot DIR");
  const targets = selectTargets(planned.plan, names);
  const { registry, why } = testRegistry(o.registry, planned.outDir, planned.plan.registry);
  const subjects = subjectsFor(planned.plan, planned.catalog.extensions, targets, { registry, timestamp: o.timestamp, operandImage: o.operand });
  if (subjects.length === 0) throw new PgbakeError("the plan has no operand or extension image to test");
  process.stdout.write(`pgbake test: images from ${registry} (${why})\n`);
  const run = await runTests(subjects, {
    upgradeFrom: o.upgradeFrom,
    platform: o.platform,
    jobs: o.jobs === undefined ? 1 : Number(o.jobs),
    deep: o.deep === true,
    ...(o.snapshot === undefined ? {} : { snapshot: { dir: resolve(o.snapshot), accept: o.accept === true } }),
  });
  process.stdout.write(`\n${summaryTable(run)}\n`);
  const out = leftOut(subjects);
  if (out.length > 0) process.stdout.write(`left out (asked for, not in the image; each checked absent where it has a SQL name):\n${out.join("\n")}\n`);
  if (reportDir !== undefined) {
    writeOutputs(reportDir, [
      { path: reportFiles.junit, content: junitXml(run) },
      { path: reportFiles.json, content: jsonReport(run) },
    ]);
    process.stdout.write(`reports: ${resolve(reportDir, reportFiles.junit)}, ${resolve(reportDir, reportFiles.json)}\n`);
  }
  return runFailed(run) ? 1 : 0;
}
