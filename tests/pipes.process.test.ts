// Output through a real pipe is complete: the built CLI is spawned with stdout and stderr as
// pipes, read to the end, and compared with what the same inputs give in-process. A pipe holds
// 64 KiB; a CLI that exits before its writes drain cuts everything past that (issue 11).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { matrixJson } from "../src/cli/report.js";
import { planFrom } from "../src/pipeline/index.js";
import { cliPath } from "./helpers/cli.js";
import { defaultConfig, defaultExtensions, tempDir } from "./helpers/workspace.js";

/** Runs the CLI with both streams as OS pipes and collects every byte until the process ends. */
function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    // Read slowly at first, as a busy consumer would: the pipe fills and the writer must wait.
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 300);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

const MB = 1024 * 1024;
let work: { dir: string; cleanup: () => void };
let inputs: string[];

beforeAll(() => {
  work = tempDir("pgbake-pipes-");
  // The default catalog with 320 flavors: 5,120 operand targets, over 10,000 CI matrix entries.
  const config = parseDefault();
  config.flavors = Object.fromEntries(
    Array.from({ length: 320 }, (_, i) => [`flavor-with-a-rather-long-name-${String(i).padStart(3, "0")}`, { description: `flavor ${i}`, extensions: i % 2 ? ["pgvector"] : [] }]),
  );
  config.default_flavor = "flavor-with-a-rather-long-name-000";
  config.output = "out";
  writeFileSync(join(work.dir, "pgbake.yaml"), stringify(config));
  inputs = ["--config", join(work.dir, "pgbake.yaml"), "--extensions", defaultExtensions];
});
afterAll(() => work.cleanup());

const parseDefault = (): Record<string, unknown> => parse(readFileSync(defaultConfig, "utf8")) as Record<string, unknown>;

describe("output through a pipe", () => {
  it("plan --json gives the whole plan (many MB), equal to the plan computed in-process", async () => {
    const r = await run(["plan", "--json", ...inputs], work.dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(MB);
    const { plan } = planFrom({ config: inputs[1], extensions: inputs[3] });
    expect(r.stdout).toBe(`${JSON.stringify(plan, null, 2)}\n`);
  });

  it("matrix --json gives every target × platform entry (over 1 MB)", async () => {
    const r = await run(["matrix", "--json", ...inputs], work.dir);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(MB);
    const { plan } = planFrom({ config: inputs[1], extensions: inputs[3] });
    const parsed = JSON.parse(r.stdout) as ReturnType<typeof matrixJson>;
    expect(parsed.include.length).toBeGreaterThan(10_000);
    expect(parsed).toEqual(matrixJson(plan));
  });

  it("the matrix table and explain of a group are complete too", async () => {
    const table = await run(["matrix", ...inputs], work.dir);
    expect(table.code).toBe(0);
    const { plan } = planFrom({ config: inputs[1], extensions: inputs[3] });
    expect(table.stdout.trimEnd().split("\n")).toHaveLength(1 + plan.operands.length + plan.extensionImages.length);
    const group = await run(["explain", "default", ...inputs], work.dir);
    expect(group.stdout.trimEnd().split("\n")).toHaveLength(1 + plan.groups.find((g) => g.name === "default")!.targets.length);
  });

  it("stderr carries every input error, however many (exit 2)", async () => {
    const bad = join(work.dir, "bad-catalog");
    mkdirSync(bad, { recursive: true });
    // 1,500 extension files, each with one unknown field: one error line each, > 64 KiB in all.
    for (let i = 0; i < 1500; i++)
      writeFileSync(
        join(bad, `broken_${String(i).padStart(4, "0")}.yaml`),
        stringify({ name: `broken_${i}`, description: "x", license: "MIT", homepage: "https://example.org", kind: "contrib", version: "1.0", no_such_field_anywhere: true }),
      );
    const r = await run(["plan", "--json", "--config", inputs[1]!, "--extensions", bad], work.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.length).toBeGreaterThan(64 * 1024);
    expect(r.stderr.match(/no_such_field_anywhere: unknown field/g)).toHaveLength(1500);
  });
});
