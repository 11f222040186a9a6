// What a run of `pgbake test` leaves: a summary table for people, JUnit XML and JSON for CI.
import { subjectFailed, type CheckKind, type SubjectResult, type TestRun } from "./results.js";

export interface Totals {
  images: number;
  failedImages: number;
  extensions: number;
  checks: number;
  failedChecks: number;
  seconds: number;
}

export function totals(run: TestRun): Totals {
  const all = run.subjects.flatMap((s) => s.checks);
  return {
    images: run.subjects.length,
    failedImages: run.subjects.filter(subjectFailed).length,
    extensions: run.subjects.reduce((n, s) => n + s.extensionsChecked, 0),
    checks: all.length,
    failedChecks: all.filter((c) => c.status === "failed").length,
    seconds: run.seconds,
  };
}

/** How the summary names each kind of check counted apart. */
const kindTitles: Record<CheckKind, string> = {
  "server-log": "server log clean",
  libraries: "libraries resolve",
  "library-clash": "no library clash",
  "upgrade-path": "upgrade paths",
  snapshot: "interface snapshots",
};

export interface KindCount {
  kind: CheckKind;
  run: number;
  failed: number;
  skipped: number;
}

/** Per kind counted apart: checks run (passed or failed), failed, skipped. */
export function kindCounts(run: TestRun): KindCount[] {
  const all = run.subjects.flatMap((s) => s.checks);
  return (Object.keys(kindTitles) as CheckKind[]).map((kind) => {
    const of = all.filter((c) => c.kind === kind);
    return { kind, run: of.filter((c) => c.status !== "skipped").length, failed: of.filter((c) => c.status === "failed").length, skipped: of.filter((c) => c.status === "skipped").length };
  });
}

export function summaryTable(run: TestRun): string {
  const rows = [["TARGET", "MODE", "CHECKS", "FAILED", "SKIPPED", "EXTENSIONS", "SECONDS", "RESULT"]];
  for (const s of run.subjects) {
    const count = (status: string): number => s.checks.filter((c) => c.status === status).length;
    rows.push([
      s.target,
      s.mode,
      String(s.checks.length),
      String(count("failed")),
      String(count("skipped")),
      String(s.extensionsChecked),
      s.seconds.toFixed(1),
      subjectFailed(s) ? "FAILED" : "passed",
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
  const t = totals(run);
  const kinds = kindCounts(run)
    .filter((k) => k.run + k.skipped > 0)
    .map((k) => `  ${kindTitles[k.kind]}: ${k.run} run, ${k.failed} failed${k.skipped ? `, ${k.skipped} skipped` : ""}`);
  return [`${table}\n\n${t.images} images, ${t.extensions} extensions, ${t.checks} checks: ${t.failedChecks} failed (${t.failedImages} images) in ${t.seconds.toFixed(0)} s`, ...kinds].join("\n");
}

const xml = (s: string): string =>
  s
    // XML 1.0 has no place for most control characters, even escaped. By code point (`u`), so
    // that a character beyond U+FFFF (an emoji in a log line) is kept, not taken for two halves.
    // oxlint-disable-next-line no-control-regex -- tab, newline and return are what it keeps
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

function suite(s: SubjectResult): string {
  const failures = s.checks.filter((c) => c.status === "failed").length;
  const skipped = s.checks.filter((c) => c.status === "skipped").length;
  const cases = s.checks.map((c) => {
    const head = `    <testcase classname="${xml(c.kind ? `${s.target}.${c.kind}` : s.target)}" name="${xml(c.name)}" time="${c.seconds.toFixed(3)}"`;
    if (c.status === "passed") return `${head}/>`;
    if (c.status === "skipped") return `${head}>\n      <skipped message="${xml(c.detail ?? "")}"/>\n    </testcase>`;
    return `${head}>\n      <failure message="${xml(c.detail ?? "failed")}">${xml(c.detail ?? "")}</failure>\n    </testcase>`;
  });
  const out = s.logs && failures > 0 ? [`    <system-out>${xml(s.logs)}</system-out>`] : [];
  return [
    `  <testsuite name="${xml(`${s.target} (${s.mode})`)}" tests="${s.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${s.seconds.toFixed(3)}">`,
    `    <properties><property name="image" value="${xml(s.image)}"/></properties>`,
    ...cases,
    ...out,
    "  </testsuite>",
  ].join("\n");
}

export function junitXml(run: TestRun): string {
  const t = totals(run);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pgbake test" tests="${t.checks}" failures="${t.failedChecks}" errors="0" time="${run.seconds.toFixed(3)}" timestamp="${run.started}">`,
    ...run.subjects.map(suite),
    "</testsuites>",
    "",
  ].join("\n");
}

export function jsonReport(run: TestRun): string {
  return `${JSON.stringify({ ...run, totals: totals(run), kinds: kindCounts(run) }, null, 2)}\n`;
}
