// Every workflow passes GitHub's own parser (@actions/workflow-parser) with no errors, and the
// pgbake commands the workflows run are ones the CLI accepts.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { describe, expect, it } from "vitest";
import { pgbake } from "./helpers/cli.js";
import { repoRoot } from "./helpers/workspace.js";

const dir = join(repoRoot, ".github/workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

describe(".github/workflows", () => {
  it("holds ci.yml, bake.yml and update.yml", () => {
    expect(files).toEqual(["bake.yml", "ci.yml", "update.yml"]);
  });

  it("update.yml runs weekly and on demand, and opens its pull request with the change table", () => {
    const text = readFileSync(join(dir, "update.yml"), "utf8");
    const parsed = parseWorkflow({ name: "update.yml", content: text }, new NoOperationTraceWriter());
    const on = JSON.stringify(parsed.value);
    expect(on).toContain("schedule");
    expect(on).toContain("workflow_dispatch");
    expect(text).toMatch(/update --check > "\$RUNNER_TEMP\/check.md"/);
    expect(text).toMatch(/gh pr create .*--body-file "\$RUNNER_TEMP\/body.md"/);
  });

  for (const name of files)
    it(`${name} parses and converts with no errors`, async () => {
      const content = readFileSync(join(dir, name), "utf8");
      const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
      expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      expect(parsed.value).toBeDefined();
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      expect((template.errors ?? []).map((e) => e.Message)).toEqual([]);
      expect(template.jobs.length).toBeGreaterThan(0);
    });

  it("the parser reports a broken workflow (the check can fail)", () => {
    const parsed = parseWorkflow({ name: "bad.yml", content: "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: 3\n" }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it("runs pgbake commands the CLI accepts", async () => {
    const text = files.map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
    const lines = [...text.matchAll(/node dist\/src\/cli\/main\.js ([^\n)]+)/g)].map((m) => m[1]!.trim());
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of new Set(lines)) {
      const args = line.split(/\s+/);
      if (args[0] === "catalog") continue; // needs a metadata file: tests/catalog.test.ts
      // update reads PGDG, GitHub and Docker Hub (unreachable here) and edits the files: its
      // options are checked (--help parses them strictly); tests/update-*.test.ts run it for real.
      if (args[0] === "update") args.push("--help");
      const r = await pgbake(args.map((a) => (a === '"$GROUP"' ? "pg18" : a)));
      expect(r.exitCode, `${line}\n${r.stderr}`).toBe(0);
    }
  });
});
