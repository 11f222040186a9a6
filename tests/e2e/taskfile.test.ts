// The Taskfile's `test` task, expanded as `task` would (the binary cannot be installed here) and run
// through the built CLI against the e2e images in the local registry: `task test TARGET=...
// REGISTRY=... REPORT=...` proves the image and writes the reports.
import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cliPath } from "../helpers/cli.js";
import { e2eConfig, e2eExtensions, registry, type TestReport } from "../helpers/e2e.js";
import { expandTask, readTaskfile } from "../helpers/taskfile.js";
import { repoRoot, tempDir } from "../helpers/workspace.js";

const work = tempDir("pgbake-e2e-task-");
const taskfile = readTaskfile(join(repoRoot, "Taskfile.yml"));

/** `task test VAR=value...`: its shell lines run in the clone, as `task` runs them. */
async function taskTest(vars: Record<string, string>): Promise<{ exitCode: number; output: string }> {
  const lines = expandTask(taskfile, "test", { PGBAKE: `node ${cliPath}`, CONFIG: e2eConfig, EXTENSIONS: e2eExtensions, ...vars });
  let output = "";
  for (const line of lines) {
    const r = await execa("sh", ["-c", line], { cwd: repoRoot, reject: false, all: true });
    output += `$ ${line}\n${r.all ?? ""}\n`;
    if (r.exitCode !== 0) return { exitCode: r.exitCode ?? 1, output };
  }
  return { exitCode: 0, output };
}

beforeAll(() => {
  const bake = inject("e2eBake");
  expect(bake.exitCode, bake.output.slice(-4000)).toBe(0);
});
afterAll(() => work.cleanup());

describe("task test", () => {
  it("proves the TARGET images from REGISTRY and writes the reports to REPORT", async () => {
    const report = join(work.dir, "ok");
    const r = await taskTest({ TARGET: "pgvector-18-sid", REGISTRY: registry, REPORT: report });
    expect(r.exitCode, r.output.slice(-6000)).toBe(0);
    const json = JSON.parse(readFileSync(join(report, "pgbake-test.json"), "utf8")) as TestReport;
    expect(json.subjects.map((s) => [s.target, s.mode])).toEqual([["pgvector-18-sid", "image-volume"]]);
    expect(json.subjects[0]!.image.startsWith(`${registry}/pgvector:`)).toBe(true);
    expect(json.subjects[0]!.checks.filter((c) => c.status !== "passed")).toEqual([]);
    expect(json.subjects[0]!.checks.map((c) => c.name)).toContain("CREATE EXTENSION vector");
    expect(existsSync(join(report, "pgbake-test.xml"))).toBe(true);
  });

  it("fails when REGISTRY names a registry without the images", async () => {
    const report = join(work.dir, "elsewhere");
    const r = await taskTest({ TARGET: "pgvector-18-sid", REGISTRY: "127.0.0.1:5999/nothing", REPORT: report });
    expect(r.exitCode, r.output.slice(-4000)).toBe(1);
    const json = JSON.parse(readFileSync(join(report, "pgbake-test.json"), "utf8")) as TestReport;
    expect(json.subjects[0]!.image.startsWith("127.0.0.1:5999/nothing/pgvector:")).toBe(true);
    expect(json.subjects[0]!.checks).toMatchObject([{ name: "pulled from the registry", status: "failed" }]);
  });
});
