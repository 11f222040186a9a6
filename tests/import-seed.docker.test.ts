// The seed example examples/cnpg-postgres-containers re-created by `pgbake import bake` from a
// bake file in its original's shape (tests/fixtures/import/seed-operands, the example's values):
// the imported config says what the example's config says about versions, bases, platforms,
// types and tags, and the generated operand targets are the example's, tag for tag.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bakePrint, type BakePrint } from "./helpers/buildx.js";
import { pgbake } from "./helpers/cli.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const example = join(repoRoot, "examples/cnpg-postgres-containers");
const work = tempDir("pgbake-import-seed-");
let run: Awaited<ReturnType<typeof pgbake>>;
let imported: Record<string, unknown>;
const original = parse(readFileSync(join(example, "pgbake.yaml"), "utf8")) as Record<string, unknown>;

beforeAll(async () => {
  run = await pgbake(["import", "bake", join(repoRoot, "tests/fixtures/import/seed-operands/docker-bake.hcl"), "--out", work.dir]);
  expect(run.exitCode, run.stderr).toBe(0);
  imported = parse(readFileSync(join(work.dir, "pgbake.yaml"), "utf8")) as Record<string, unknown>;
}, 600_000);
afterAll(() => work.cleanup());

describe("import bake re-creates examples/cnpg-postgres-containers", () => {
  it("the same registry, image, versions, bases, platforms and tag templates", () => {
    for (const key of ["registry", "image", "postgres", "platforms"]) expect(imported[key], key).toEqual(original[key]);
    expect(imported.bases).toEqual(original.bases);
    expect((imported.tags as { operand: string[] }).operand).toEqual((original.tags as { operand: string[] }).operand);
    expect(Object.keys(imported.types as object).sort()).toEqual(Object.keys(original.types as object).sort());
  });

  it("generated, the example's operand targets with the example's tags and platforms", async () => {
    const gen = await pgbake(["generate", "--config", join(work.dir, "pgbake.yaml")]);
    expect(gen.exitCode, gen.stderr).toBe(0);
    const env = { timestamp: "202601020304" };
    const theirs: BakePrint = await bakePrint(example, ["postgresql"], env);
    const ours: BakePrint = await bakePrint(
      work.dir,
      Object.keys(theirs.target).filter((n) => n.startsWith("postgresql-")),
      env,
    );
    const operands = (p: BakePrint) =>
      Object.keys(p.target)
        .filter((n) => n.startsWith("postgresql-"))
        .sort();
    expect(operands(ours)).toEqual(operands(theirs));
    expect(operands(ours)).toHaveLength(54);
    for (const n of operands(theirs)) {
      expect(ours.target[n]!.tags, n).toEqual(theirs.target[n]!.tags);
      expect(ours.target[n]!.platforms, n).toEqual(theirs.target[n]!.platforms);
    }
    // The round trip the command ran itself found the names and tags the same.
    expect(run.stdout).not.toMatch(/: tags: only in/);
    expect(run.stdout).not.toMatch(/\(name\)/);
  });
});

describe("import cnpg-extensions re-creates examples/cnpg-extensions", () => {
  const exampleExt = join(repoRoot, "examples/cnpg-extensions");
  const project = join(work.dir, "extensions-project");
  const groups = ["pg_failover_slots", "pgaudit", "pgrouting", "pgvector", "postgis", "wal2json"];

  it("generated from the imported entries, the example's 24 extension images with its tags and platforms", async () => {
    mkdirSync(project);
    const imp = await pgbake(["import", "cnpg-extensions", join(repoRoot, "tests/fixtures/import/seed-extensions"), "--out", join(project, "extensions")]);
    expect(imp.exitCode, imp.stderr).toBe(0);
    // The example's own config, on the imported catalog instead of the built-in one.
    const config = readFileSync(join(exampleExt, "pgbake.yaml"), "utf8")
      .replace(/^catalogs: .*$/m, "catalogs: [./extensions]")
      .replace(/^output: .*$/m, "output: ./out");
    writeFileSync(join(project, "pgbake.yaml"), config);
    const gen = await pgbake(["generate", "--config", join(project, "pgbake.yaml")]);
    expect(gen.exitCode, gen.stderr).toBe(0);
    const env = { timestamp: "202601020304" };
    const images = (p: BakePrint) =>
      Object.keys(p.target)
        .filter((n) => !n.startsWith("runtime-"))
        .sort();
    const theirs = await bakePrint(exampleExt, groups, env);
    const ours = await bakePrint(join(project, "out"), groups, env);
    expect(images(theirs)).toHaveLength(24);
    expect(images(ours)).toEqual(images(theirs));
    for (const n of images(theirs)) {
      expect(ours.target[n]!.tags, n).toEqual(theirs.target[n]!.tags);
      expect(ours.target[n]!.platforms, n).toEqual(theirs.target[n]!.platforms);
    }
  });
});
