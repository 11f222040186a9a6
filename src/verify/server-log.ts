// The server log check: from the server's start to the end of the checks, no line of severity
// WARNING, ERROR, FATAL or PANIC, except those pgbake test provokes itself and those the catalog
// entries of the extensions under test declare (`expected_server_log`, each with its reason).
import { expect, type Recorder } from "./results.js";
import type { PgServer } from "./server.js";

export interface LogAllowance {
  /** A regular expression the line (from its severity on) matches. */
  match: string;
  reason: string;
  /** Who allows it: an extension's name, or pgbake test itself. */
  by: string;
}

/** Lines the readiness probe makes while the server starts or stops: pgbake test's own doing. */
export const provokedByTest: LogAllowance[] = [
  { match: "^FATAL: +the database system is (starting up|shutting down|not yet accepting connections)", reason: "the readiness probe connects while the server starts", by: "pgbake test" },
];

const severity = /\b(WARNING|ERROR|FATAL|PANIC): +/;

/** One offending line, from its severity on (the timestamp and pid of the prefix left out). */
export interface LogLine {
  severity: string;
  text: string;
}

/** Lines [from, to) of the log that checks provoked on purpose (upgrade paths create old versions, whose scripts may warn). */
export interface LogSpan {
  from: number;
  to: number;
}

export const logLineCount = (log: string): number => log.split("\n").length;

/**
 * The log's WARNING, ERROR, FATAL and PANIC lines that no allowance matches and no span holds, in
 * order; a line that a failed check's message already quotes (`reported`) is not told twice.
 */
export function unexpectedLogLines(log: string, allowed: LogAllowance[], spans: LogSpan[] = [], reported: string[] = []): LogLine[] {
  const patterns = allowed.map((a) => new RegExp(a.match));
  const out: LogLine[] = [];
  for (const [i, raw] of log.split("\n").entries()) {
    if (spans.some((s) => i >= s.from && i < s.to)) continue;
    const m = severity.exec(raw);
    if (!m) continue;
    const text = raw.slice(m.index).trimEnd();
    // psql leaves out the server's " at character N" (it points at the statement instead).
    const said = text.replace(/ at character \d+$/, "");
    if (patterns.some((p) => p.test(text)) || reported.some((r) => r.includes(said))) continue;
    out.push({ severity: m[1]!, text });
  }
  return out;
}

/** What the message shows: how many lines, and the first few of them. */
export function describeLogLines(lines: LogLine[], shown = 5): string {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.severity, (counts.get(l.severity) ?? 0) + 1);
  const head = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  const more = lines.length > shown ? ` (and ${lines.length - shown} more)` : "";
  return `the server logged ${head}: ${lines
    .slice(0, shown)
    .map((l) => JSON.stringify(l.text))
    .join("; ")}${more}`;
}

/** The server log check, run last: it sees what every other check made the server log. */
export async function serverLogCheck(rec: Recorder, pg: PgServer, allowed: LogAllowance[], spans: LogSpan[] = []): Promise<void> {
  await rec.check(
    "server log clean",
    async () => {
      const reported = rec.checks.filter((c) => c.status === "failed" && c.detail).map((c) => c.detail!);
      const lines = unexpectedLogLines(await pg.logs(), [...provokedByTest, ...allowed], spans, reported);
      expect(lines.length === 0, describeLogLines(lines));
      return allowed.length > 0 ? `allowed: ${allowed.map((a) => `${a.by}: ${a.reason}`).join("; ")}` : undefined;
    },
    "server-log",
  );
}
