// pgbake as a user gets it: `npm pack`, the tarball installed into an empty directory outside the
// clone, `pgbake init`, one private extension with `pgbake add`, pgvector from the built-in
// catalog without copying it, `pgbake generate`, and real buildx reading the result with
// `-f <project>/docker-bake.hcl --print` from a third directory.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { Ajv } from "ajv";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import type { BakePrint } from "./helpers/buildx.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
const commit = "0123456789abcdef0123456789abcdef01234567";
let work: { dir: string; cleanup: () => void };
let tarball: string;
let app: string;
let project: string;
let env: Record<string, string>;

const run = async (cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> => {
  const r = await execa(cmd, args, { cwd, env: { ...env, ...extraEnv }, reject: false });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
};
const ok = async (cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<string> => {
  const r = await run(cmd, args, cwd, extraEnv);
  expect(r.exitCode, `${cmd} ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
};

beforeAll(async () => {
  work = tempDir("pgbake-package-");
  expect(resolve(work.dir).startsWith(repoRoot)).toBe(false);
  env = { PATH: process.env.PATH ?? "", npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
  // dist is built already (CI builds before testing): pack it as it is.
  const packed = JSON.parse(await ok("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work.dir], repoRoot)) as { filename: string; files: { path: string }[] }[];
  tarball = join(work.dir, packed[0]!.filename);
  app = join(work.dir, "app");
  mkdirSync(app);
  await ok("npm", ["init", "-y"], app);
  await ok("npm", ["install", "--prefer-offline", tarball], app);
  // The installed CLI, as `npx pgbake` finds it.
  env.PATH = `${join(app, "node_modules/.bin")}:${env.PATH}`;
  project = join(app, "images");
}, 600_000);
afterAll(() => work?.cleanup());

describe("the npm package", () => {
  it("holds the CLI, schemas, templates, catalog, reference data and docs, and no tests or sources", async () => {
    const listing = (await execa("tar", ["tzf", tarball])).stdout.split("\n");
    for (const f of [
      "dist/src/cli/main.js",
      "schemas/config.schema.json",
      "schemas/extension.schema.json",
      "templates/init/pgbake.yaml.hbs",
      "templates/init/gitignore",
      "extensions/pgvector.yaml",
      "data/reference-extensions.json",
      "docs/reference.md",
      "pgbake.yaml",
      "package.json",
    ])
      expect(listing, f).toContain(`package/${f}`);
    expect(listing.filter((f) => /^package\/(tests|src|bench|dist\/bench|e2e|examples|scripts)\//.test(f))).toEqual([]);
  });

  it("installs a `pgbake` binary that prints its version", async () => {
    expect((await ok("npx", ["pgbake", "--version"], app)).trim()).toBe(version);
    expect((await ok("pgbake", ["--version"], work.dir)).trim()).toBe(version);
  });
});

describe("a project of one's own", () => {
  it("pgbake init writes a working project: config on the built-in catalog, empty local catalog, Taskfile, workflows, .gitignore", async () => {
    await ok("pgbake", ["init", "images"], app);
    for (const f of [
      "pgbake.yaml",
      "extensions/.gitkeep",
      "Taskfile.yml",
      ".github/workflows/ci.yml",
      ".github/workflows/bake.yml",
      ".github/workflows/update.yml",
      ".github/workflows/freshness.yml",
      ".gitignore",
      "docker-bake.hcl",
      "package.json",
      "package-lock.json",
    ])
      expect(existsSync(join(project, f)), f).toBe(true);
    expect(readdirSync(join(project, "extensions"))).toEqual([".gitkeep"]);
    expect((parse(readFileSync(join(project, "pgbake.yaml"), "utf8")) as { catalogs: string[] }).catalogs).toEqual(["builtin", "./extensions"]);
    // pgbake as it was installed here (app's lock: the tarball), copied into the project and
    // locked, so the project's CI installs exactly it.
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies).toEqual({ pgbake: `file:vendor/pgbake-${version}.tgz` });
    expect(readFileSync(join(project, `vendor/pgbake-${version}.tgz`))).toEqual(readFileSync(tarball));
    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as { packages: Record<string, { resolved?: string }> };
    expect(lock.packages["node_modules/pgbake"]?.resolved).toBe(`file:vendor/pgbake-${version}.tgz`);
    // The workflows and the Taskfile call the project's own CLI, never this clone's files or a public name.
    for (const wf of ["ci.yml", "bake.yml", "update.yml", "freshness.yml"]) {
      const content = readFileSync(join(project, ".github/workflows", wf), "utf8");
      expect(content).not.toMatch(/dist\/src|node dist|npm install|pgbake@/);
      expect(content).toMatch(/^ +- run: npm ci$/m);
      const parsed = parseWorkflow({ name: wf, content }, new NoOperationTraceWriter());
      expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      expect((template.errors ?? []).map((e) => e.Message)).toEqual([]);
    }
    const taskfile = parse(readFileSync(join(project, "Taskfile.yml"), "utf8")) as { vars: Record<string, string> };
    expect(taskfile.vars.PGBAKE).toBe('{{.PGBAKE | default "npx pgbake"}}');
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(join(repoRoot, "..", "shared", "schemas", "taskfile.schema.json"), "utf8")));
    expect(validate(taskfile), JSON.stringify(validate.errors)).toBe(true);
    // A second init does not overwrite the project.
    const again = await run("pgbake", ["init", "images"], app);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already has pgbake\.yaml/);
  });

  it("pgbake add scaffolds a private source extension and a known one pre-filled from the reference data", async () => {
    await ok(
      "pgbake",
      [
        "add",
        "acme_audit",
        "--git",
        "https://git.acme.example/acme/acme_audit",
        "--ref",
        commit,
        "--build",
        "pgxs",
        "--version",
        "1.2.0",
        "--license",
        "Proprietary",
        "--description",
        "ACME audit hooks",
      ],
      project,
    );
    const acme = parse(readFileSync(join(project, "extensions/acme_audit.yaml"), "utf8")) as Record<string, unknown>;
    expect(acme).toMatchObject({
      name: "acme_audit",
      kind: "source",
      version: "1.2.0",
      homepage: "https://git.acme.example/acme/acme_audit",
      source: { git: "https://git.acme.example/acme/acme_audit", ref: commit, build: "pgxs" },
    });
    // A name the built-in catalog lacks (a built-in one is refused: tests/first-use.test.ts).
    await ok("pgbake", ["add", "pljava", "--dir", join(work.dir, "scratch-catalog")], project);
    const pljavaText = readFileSync(join(work.dir, "scratch-catalog/pljava.yaml"), "utf8");
    expect(parse(pljavaText)).toMatchObject({ kind: "package", package: "postgresql-{major}-pljava", min_pg_version: 14 });
    expect(pljavaText).toMatch(/# package: from reference data \(https:\/\/github\.com\/pgsty\/pig cli\/ext\/assets\/extension\.csv, Apache-2\.0\)/);
    // Without a source, an unknown extension is refused with the flags to give.
    const unknown = await run("pgbake", ["add", "acme_nothing"], project);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/--package PKG .* or --git URL --ref SHA --build/);
  });

  it("generates with pgvector from the built-in catalog, and buildx reads the result from a third directory", async () => {
    const doc = parseDocument(readFileSync(join(project, "pgbake.yaml"), "utf8"));
    doc.setIn(["flavors", "acme"], doc.createNode({ description: "ACME's image", extensions: ["pgvector", "acme_audit"] }));
    writeFileSync(join(project, "pgbake.yaml"), doc.toString());
    await ok("pgbake", ["generate"], project);
    expect(readdirSync(join(project, "extensions")).sort()).toEqual([".gitkeep", "acme_audit.yaml"]);
    const explain = await ok("pgbake", ["explain", "pgvector"], project);
    expect(explain).toMatch(/from .*node_modules\/pgbake\/extensions\/pgvector\.yaml \(catalog builtin\)/);

    const third = join(work.dir, "elsewhere");
    mkdirSync(third);
    const target = "postgresql-acme-17-minimal-bookworm";
    const printed = JSON.parse(await ok("docker", ["buildx", "bake", "-f", join(project, "docker-bake.hcl"), "--print", target], third, { bake_dir: project })) as BakePrint;
    const t = printed.target[target]!;
    expect(Object.keys(t.contexts ?? {}).sort()).toEqual(["ext-acme_audit", "ext-pgvector", "runtime"]);
    expect(printed.target["acme_audit-17-bookworm"]!.contexts?.src).toBe(`https://git.acme.example/acme/acme_audit.git#${commit}`);
    expect(printed.target["pgvector-17-bookworm"]).toBeDefined();
    for (const [name, target] of Object.entries(printed.target)) {
      const context = resolve(third, target.context ?? ".");
      expect(context, name).toBe(project);
      expect(existsSync(isAbsolute(target.dockerfile!) ? target.dockerfile! : join(context, target.dockerfile!)), `${name}: ${target.dockerfile}`).toBe(true);
    }
  });
});
