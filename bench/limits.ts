// Inputs at and over pgbake's limits (src/load/text.ts, src/load/structure.ts): how long the CLI
// takes to refuse 100,000 keys or list items and a 44 MB file, and to process a mapping just
// under the limit. The times are reported, never asserted.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runOnce, type Sample } from "./measure.js";

export interface LimitResult {
  case: string;
  exitCode: number;
  inputMb: number;
  sample: Sample;
}

const cases: { name: string; add: () => string; exitCode: number; config?: (text: string) => string }[] = [
  {
    name: "400 bases × 400 types (320,000 operand targets)",
    add: () => "",
    exitCode: 2,
    config: (text) =>
      text
        .replace(/^bases:\n(?: {2}.*\n| {4}.*\n)+/m, `bases:\n${lines(400, (i) => `  b${i}: { image: "debian:bookworm-slim", codename: bookworm }`)}`)
        .replace(/^types:\n(?: {2}.*\n| {4}.*\n)+/m, `types:\n${lines(400, (i) => `  t${i}: { description: x }`)}`),
  },
  { name: "100,000 keys under runtime_packages_by_base", add: () => `runtime_packages_by_base:\n${lines(100_000, (i) => `  k${i}: [libfoo]`)}`, exitCode: 2 },
  { name: "100,000 unknown top-level keys", add: () => lines(100_000, (i) => `unknown_${i}: x`), exitCode: 2 },
  { name: "100,000 list items", add: () => `runtime_packages:\n${lines(100_000, (i) => `  - lib${i}`)}`, exitCode: 2 },
  { name: "100,000 keys in one flow mapping (under 1 MiB)", add: () => `runtime_packages_by_base: {${Array.from({ length: 100_000 }, (_, i) => `${i.toString(36)}: 0`).join(", ")}}\n`, exitCode: 2 },
  { name: "100,000 items in one flow list (under 1 MiB)", add: () => `runtime_packages: [${Array.from({ length: 100_000 }, (_, i) => i.toString(36)).join(", ")}]\n`, exitCode: 2 },
  { name: "44 MB list (over the 1 MiB file limit)", add: () => `runtime_packages:\n${"  - libfoo\n".repeat(4_000_000)}`, exitCode: 2 },
  { name: "9,999 unknown keys (under the limit: schema errors)", add: () => lines(9_999, (i) => `unknown_${i}: x`), exitCode: 2 },
  { name: "9,999 keys under runtime_packages_by_base (valid, generated)", add: () => `runtime_packages_by_base:\n${lines(9_999, (i) => `  k${i}: [libfoo]`)}`, exitCode: 0 },
];

function lines(n: number, line: (i: number) => string): string {
  return `${Array.from({ length: n }, (_, i) => line(i)).join("\n")}\n`;
}

export function measureLimits(root: string, work: string): LimitResult[] {
  const results: LimitResult[] = [];
  for (const [i, c] of cases.entries()) {
    const dir = join(work, `limits-${i}`);
    mkdirSync(dir);
    cpSync(join(root, "tests/corpus/_base"), dir, { recursive: true });
    const ext = join(dir, "extensions/pgvector.yaml");
    const text = `${readFileSync(ext, "utf8")}${c.add()}`;
    writeFileSync(ext, text);
    const configFile = join(dir, "pgbake.yaml");
    if (c.config) writeFileSync(configFile, c.config(readFileSync(configFile, "utf8")));
    const cli = join(root, "dist/src/cli/main.js");
    const sample = runOnce("node", [cli, "generate", "--config", "pgbake.yaml", "--extensions", "extensions", "--out", "out"], { cwd: dir, status: c.exitCode });
    results.push({ case: c.name, exitCode: c.exitCode, inputMb: Buffer.byteLength(text) / 1e6, sample });
  }
  return results;
}

// `node dist/bench/limits.js`: this section of `npm run bench` alone.
if (process.argv[1]?.endsWith("limits.js")) {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { packageRoot } = await import("../src/model/paths.js");
  const { fixed, secs, table } = await import("./table.js");
  const work = mkdtempSync(join(tmpdir(), "pgbake-bench-limits-"));
  try {
    const limits = measureLimits(packageRoot(), work);
    process.stdout.write(
      `${table(
        ["case", "input MB", "exit", "wall s", "cpu s", "peak MB"],
        limits.map((l) => [l.case, fixed(l.inputMb, 1), l.exitCode, secs(l.sample.seconds), secs(l.sample.cpuSeconds), fixed(l.sample.peakRssMb, 0)]),
      )}\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
