// Every workflow passes GitHub's own parser (@actions/workflow-parser) with no errors, and the
// pgbake commands the workflows run are ones the CLI accepts.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { repoRoot } from "./helpers/workspace.js";

const dir = join(repoRoot, ".github/workflows");
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

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
    // `npx pgbake`: the CLI the package installs (this repository has itself as a devDependency).
    const lines = [...text.matchAll(/npx pgbake ([^\n)>]+)/g)].map((m) => m[1]!.trim());
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of new Set(lines)) {
      const args = line.split(/\s+/);
      if (args[0] === "catalog") continue; // needs a metadata file: tests/catalog.docker.test.ts
      // update reads PGDG, GitHub and Docker Hub (unreachable here) and edits the files: its
      // options are checked (--help parses them strictly); tests/update-*.test.ts run it for real.
      if (args[0] === "update") args.push("--help");
      const r = await pgbakeInProcess(args.map((a) => (a === '"$GROUP"' ? "pg18" : a)));
      expect(r.exitCode, `${line}\n${r.stderr}`).toBe(0);
    }
  });
});

// What `pgbake init` gives a project (templates/init/workflows): the same parser, and what makes
// them run as generated: the project's own pgbake (npm ci, npx), actions pinned by commit, the
// config's registry, every target on schedule, a scan that can fail, one CI run per change.
const initDir = join(repoRoot, "templates/init/workflows");
const initFiles = readdirSync(initDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const initText = (name: string): string => readFileSync(join(initDir, name), "utf8");
interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; env?: Record<string, string> }>;
}
const withoutComments = (yaml: string): string => yaml.replace(/^\s*#.*$/gm, "");
const initWorkflow = (name: string): Workflow => parse(initText(name)) as Workflow;

describe("templates/init/workflows", () => {
  it("holds ci.yml, bake.yml, update.yml and freshness.yml", () => {
    expect(initFiles).toEqual(["bake.yml", "ci.yml", "freshness.yml", "update.yml"]);
  });

  for (const name of initFiles)
    it(`${name} parses and converts with no errors`, async () => {
      const parsed = parseWorkflow({ name, content: initText(name) }, new NoOperationTraceWriter());
      expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      expect((template.errors ?? []).map((e) => e.Message)).toEqual([]);
    });

  it("pins every action by full commit, with the release it is as a comment", () => {
    const uses = initFiles.flatMap((f) => [...initText(f).matchAll(/^\s*(?:- )?uses: (.*)$/gm)].map((m) => m[1]!));
    expect(uses.length).toBeGreaterThanOrEqual(15);
    for (const u of uses) expect(u).toMatch(/^[a-z-]+\/[a-z-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it("installs the project's locked pgbake (npm ci) before each job runs it, never a public name", () => {
    for (const name of initFiles) {
      expect(initText(name)).not.toMatch(/npm install|pgbake@|curl[^\n]*\|\s*sh/);
      for (const [id, job] of Object.entries(initWorkflow(name).jobs)) {
        const runs = job.steps.map((s) => s.run ?? "");
        const first = runs.findIndex((r) => /\bnpx pgbake\b/.test(r));
        if (first >= 0) expect(runs.indexOf("npm ci"), `${name} ${id}`).toBeGreaterThanOrEqual(0);
        if (first >= 0) expect(runs.indexOf("npm ci"), `${name} ${id}`).toBeLessThan(first);
        expect(runs.join("\n"), `${name} ${id}`).not.toMatch(/(^|[^x] )pgbake /m);
      }
    }
  });

  it("ci.yml runs once per change: pushes to main and pull requests", () => {
    expect(initWorkflow("ci.yml").on).toEqual({ push: { branches: ["main"] }, pull_request: null });
  });

  it("bake.yml pushes where the config says, builds every target on schedule and fails on fixable critical findings", () => {
    const text = initText("bake.yml");
    const wf = initWorkflow("bake.yml");
    // The registry: the config's (through the plan and the generated bake file), never a fixed one.
    expect(withoutComments(text)).not.toMatch(/ghcr\.io|GITHUB_REPOSITORY_OWNER/);
    expect(wf.jobs.prepare!.steps.find((s) => s.run?.includes("plan --json"))?.run).toMatch(/jq -er \.registry/);
    for (const job of ["build", "merge"]) {
      const login = wf.jobs[job]!.steps.find((s) => s.uses?.startsWith("docker/login-action@"));
      expect(login?.with?.registry, job).toBe("${{ needs.prepare.outputs.registry_host }}");
    }
    // Scheduled runs have no inputs: GROUP is empty and the matrix is the whole plan (every major).
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(wf.env?.GROUP).toBe("${{ inputs.group }}");
    expect(wf.jobs.prepare!.steps.find((s) => s.run?.includes("matrix --json"))?.run).toMatch(/else\n\s+npx pgbake matrix --json > matrix\.json/);
    expect(withoutComments(text)).not.toMatch(/pg1[0-9]/); // no major is singled out
    // Trivy from its pinned setup action; fixable CRITICAL fails unless configured otherwise.
    const scan = wf.jobs.merge!.steps.find((s) => s.run?.includes("trivy image"))!;
    expect(scan.env?.SCAN_FAIL_ON).toBe("${{ inputs.scan_fail_on || vars.PGBAKE_SCAN_FAIL_ON || 'CRITICAL' }}");
    expect(scan.run).toMatch(/trivy image --exit-code 1 --ignore-unfixed --severity "\$SCAN_FAIL_ON"/);
    expect(scan.run).not.toMatch(/--exit-code 0/);
    const steps = wf.jobs.merge!.steps;
    expect(steps.findIndex((s) => s.uses?.startsWith("aquasecurity/setup-trivy@"))).toBeLessThan(steps.indexOf(scan));
  });

  it("update.yml runs pgbake update weekly and on demand and opens a pull request", () => {
    const wf = initWorkflow("update.yml");
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const text = initText("update.yml");
    expect(text).toMatch(/npx pgbake update --check > "\$RUNNER_TEMP\/check.md"/);
    expect(text).toMatch(/gh pr create .*--body-file "\$RUNNER_TEMP\/body.md"/);
  });

  it("freshness.yml runs daily and on demand: outdated, then (only when something is behind) the targeted rebuild, its test, signing and the catalogs", () => {
    const wf = initWorkflow("freshness.yml");
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect((wf.on.schedule as { cron: string }[])[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    const steps = wf.jobs.refresh!.steps as (Step & { id?: string; name?: string; if?: string })[];
    const at = (re: RegExp): number => steps.findIndex((s) => re.test(s.run ?? ""));
    const order = [
      /npx pgbake outdated --json > "\$RUNNER_TEMP\/before.json"/,
      /^npx pgbake bake --outdated --push$/,
      /npx pgbake outdated --json > "\$RUNNER_TEMP\/after.json"/,
      /^npx pgbake test \$PUSHED$/,
      /cosign sign/,
      /npx pgbake catalog --metadata metadata.json/,
    ];
    const found = order.map(at);
    expect(
      found.every((i) => i >= 0),
      String(found),
    ).toBe(true);
    expect([...found].sort((a, b) => a - b)).toEqual(found);
    // Everything after the reading waits for it to find something a rebuild fixes.
    for (const s of steps.slice(found[0]! + 1)) expect(s.if, s.name ?? s.uses ?? s.run).toBe("steps.outdated.outputs.behind == '1'");
    // The same login as bake.yml: the config's registry host.
    expect(steps.find((s) => s.uses?.startsWith("docker/login-action@"))?.with?.registry).toBe("${{ steps.registry.outputs.host }}");
    expect(withoutComments(initText("freshness.yml"))).not.toMatch(/ghcr\.io|GITHUB_REPOSITORY_OWNER/);
  });

  it("runs pgbake commands the CLI accepts", async () => {
    const text = initFiles.map((f) => withoutComments(initText(f))).join("\n");
    const lines = [...text.matchAll(/npx pgbake ([^\n)>|]+)/g)].map((m) => m[1]!.trim());
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of new Set(lines)) {
      const args = line.split(/\s+/);
      if (args[0] === "catalog") continue; // needs a metadata file: tests/catalog.docker.test.ts
      if (args[0] === "update") args.push("--help"); // reads the internet: its options are checked
      // outdated, bake --outdated and test read the registry (and pull or start every image): their options are checked.
      if (args[0] === "outdated" || args.includes("--outdated") || args[0] === "test") args.push("--help");
      const r = await pgbakeInProcess(args.map((a) => (a === '"$GROUP"' ? "pg18" : a)));
      expect(r.exitCode, `${line}\n${r.stderr}`).toBe(0);
    }
  });
});
