// The Taskfile validates against the public Taskfile schema, and every pgbake command it runs
// is one the CLI accepts (the `task` binary cannot be installed here, so we expand it ourselves).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it, onTestFinished } from "vitest";
import { pgbake } from "./helpers/cli.js";
import { expandTask, readTaskfile } from "./helpers/taskfile.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const taskfile = parse(readFileSync(join(repoRoot, "Taskfile.yml"), "utf8")) as {
  tasks: Record<string, { cmds?: (string | { task: string })[] }>;
};
const schemaPath = join(repoRoot, "..", "shared", "schemas", "taskfile.schema.json");

const tf = readTaskfile(join(repoRoot, "Taskfile.yml"));
const cli = "node dist/src/cli/main.js";
/** A task's pgbake commands as argument lists for the built CLI. */
const pgbakeArgs = (name: string, vars: Record<string, string>): string[][] =>
  expandTask(tf, name, { PGBAKE: cli, ...vars })
    .filter((line) => line.startsWith(cli))
    .map((line) => line.slice(cli.length).trim().split(/\s+/).filter(Boolean));

describe("Taskfile.yml", () => {
  it("validates against the Taskfile JSON Schema", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
    const ok = validate(parse(readFileSync(join(repoRoot, "Taskfile.yml"), "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("has CloudNativePG's task names", () => {
    for (const name of ["prereqs", "generate", "checks:all", "bake", "bake:all", "e2e:setup-env", "e2e:cleanup"]) expect(Object.keys(taskfile.tasks)).toContain(name);
  });

  it("runs only pgbake commands the CLI accepts (with DRY_RUN so nothing builds)", async () => {
    const scratch = tempDir("pgbake-task-");
    onTestFinished(() => scratch.cleanup());
    // `test` starts images from a registry, `outdated` and `bake:outdated` pull every pushed image: their own tests below.
    const names = Object.keys(taskfile.tasks).filter((n) => !["test", "outdated", "bake:outdated"].includes(n) && pgbakeArgs(n, { TARGET: "pgvector" }).length > 0);
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names)
      for (const args of pgbakeArgs(name, { TARGET: "pgvector", PUSH: "true", DRY_RUN: "true" })) {
        if (args[0] === "bake" && !args.includes("--dry-run")) args.push("--dry-run");
        if (args[0] === "generate" && !args.includes("--check")) args.push("--out", scratch.dir); // never write into the clone
        const r = await pgbake(args);
        expect(r.exitCode, `${name}: ${args.join(" ")}\n${r.stderr}`).toBe(0);
        if (name === "bake") expect(r.stdout).toMatch(/docker buildx bake --file docker-bake.hcl --push pgvector$/m);
      }
  });

  it("takes OUT and REGISTRY", async () => {
    const out = tempDir("pgbake-task-out-");
    try {
      for (const args of pgbakeArgs("generate", { OUT: out.dir })) expect((await pgbake(args)).exitCode).toBe(0);
      expect(existsSync(join(out.dir, "docker-bake.hcl"))).toBe(true);
      const [bake] = pgbakeArgs("bake", { TARGET: "pgvector", DRY_RUN: "true", REGISTRY: "ghcr.io/me", OUT: out.dir });
      const r = await pgbake(bake!);
      expect(r.stdout.trim()).toBe(`cd ${out.dir} && registry=ghcr.io/me docker buildx bake --file docker-bake.hcl pgvector`);
    } finally {
      out.cleanup();
    }
  });

  it("test: hands TARGET, REGISTRY, REPORT, PLATFORM, UPGRADE_FROM, JOBS and the inputs to `pgbake test`, which takes them all", async () => {
    const scratch = tempDir("pgbake-task-test-");
    onTestFinished(() => scratch.cleanup());
    const report = join(scratch.dir, "reports");
    const vars = { TARGET: "no-such-target", REGISTRY: "ghcr.io/me", REPORT: report, PLATFORM: "linux/arm64", UPGRADE_FROM: "18-minimal-trixie-old", JOBS: "2", OUT: scratch.dir };
    const commands = pgbakeArgs("test", vars);
    expect(commands).toEqual([
      [
        "test",
        "no-such-target",
        "--registry",
        "ghcr.io/me",
        "--report",
        report,
        "--platform",
        "linux/arm64",
        "--upgrade-from",
        "18-minimal-trixie-old",
        "--jobs",
        "2",
        "--config",
        "pgbake.yaml",
        "--out",
        scratch.dir,
      ],
    ]);
    // Every option is parsed before the targets are looked up: the made-up target stops the run
    // there, before an engine is asked (a misspelt option would be named instead).
    const r = await pgbake(commands[0]!);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^pgbake: 'no-such-target' is no operand target, extension-image target or group of this plan$/m);
    expect(existsSync(report)).toBe(false);
    // Without variables: every image of the config's plan, from the config's registry.
    expect(pgbakeArgs("test", {})).toEqual([["test", "--config", "pgbake.yaml"]]);
    // `pgbake init` gives a project the same task.
    const initTaskfile = readTaskfile(join(repoRoot, "templates/init/Taskfile.yml"));
    expect(expandTask(initTaskfile, "test", { ...vars, PGBAKE: cli })).toEqual(expandTask(tf, "test", { ...vars, PGBAKE: cli }));
  });

  it("outdated and bake:outdated: hand REGISTRY, KEYRING, JSON, PUSH, DRY_RUN and the inputs to the CLI, which takes them all", async () => {
    const vars = { REGISTRY: "ghcr.io/me", KEYRING: "/etc/apt/keyrings/mine.asc", JSON: "true", PUSH: "true", DRY_RUN: "true", OUT: "out" };
    const outdated = pgbakeArgs("outdated", vars);
    const bake = pgbakeArgs("bake:outdated", vars);
    expect(outdated).toEqual([["outdated", "--registry", "ghcr.io/me", "--keyring", "/etc/apt/keyrings/mine.asc", "--json", "--config", "pgbake.yaml", "--out", "out"]]);
    expect(bake).toEqual([["bake", "--outdated", "--push", "--dry-run", "--registry", "ghcr.io/me", "--keyring", "/etc/apt/keyrings/mine.asc", "--config", "pgbake.yaml", "--out", "out"]]);
    // Without variables: the config's registry, the keys its apt sources name, text.
    expect(pgbakeArgs("outdated", {})).toEqual([["outdated", "--config", "pgbake.yaml"]]);
    expect(pgbakeArgs("bake:outdated", {})).toEqual([["bake", "--outdated", "--config", "pgbake.yaml"]]);
    // Both read the registry and every image in it: their options are checked strictly (--help
    // parses them and refuses an unknown one), tests/e2e/outdated.test.ts runs them for real.
    for (const args of [...outdated, ...bake]) {
      const r = await pgbake([...args, "--help"]);
      expect(r.exitCode, `${args.join(" ")}\n${r.stderr}`).toBe(0);
    }
    const misspelt = await pgbake(["outdated", "--keyrings", "x", "--help"]);
    expect(misspelt.exitCode).toBe(2);
    // `pgbake init` gives a project the same tasks.
    const initTaskfile = readTaskfile(join(repoRoot, "templates/init/Taskfile.yml"));
    for (const name of ["outdated", "bake:outdated"]) expect(expandTask(initTaskfile, name, { ...vars, PGBAKE: cli })).toEqual(expandTask(tf, name, { ...vars, PGBAKE: cli }));
  });

  it("lists the tasks on a bare `task` instead of building every image", () => {
    expect(expandTask(tf, "default", {})).toEqual(["task --list"]);
  });
});
