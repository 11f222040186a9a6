// What a new user meets first, through the CLI's main (in process): a directory without a project is refused
// (never the installed package's own config), `add` never turns a built-in entry into an older
// copy of itself, and a mistyped command, option, target, group or extension name gets the
// closest real one.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import type { Plan } from "../src/model/types.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { defaultExtensions, tempDir } from "./helpers/workspace.js";

let work: { dir: string; cleanup: () => void };
let project: string;
let empty: string;
const builtin = (name: string): { version: string; smoke_test?: string } => parse(readFileSync(join(defaultExtensions, `${name}.yaml`), "utf8")) as { version: string; smoke_test?: string };

beforeAll(async () => {
  work = tempDir("pgbake-first-use-");
  empty = join(work.dir, "empty");
  mkdirSync(empty);
  const r = await pgbakeInProcess(["init", "images", "--pgbake-source", "0.1.0", "--no-install"], work.dir);
  expect(r.exitCode, r.stderr).toBe(0);
  project = join(work.dir, "images");
}, 120_000);
afterAll(() => work.cleanup());

describe("no config, no write", () => {
  // Every command that reads a project; each would have planned the package's own pgbake.yaml.
  const commands = [
    ["generate"],
    ["plan"],
    ["matrix"],
    ["grid"],
    ["explain", "pgvector"],
    ["catalog", "--metadata", "metadata.json"],
    ["update", "--check"],
    ["bake", "--dry-run"],
    ["test"],
    ["add", "acme_audit", "--package", "postgresql-{major}-acme"],
  ];
  it.each(commands)("pgbake %s in a directory without pgbake.yaml says to run init (exit 2) and writes nothing", async (...args) => {
    const before = snapshotTree(empty);
    const r = await pgbakeInProcess(args, empty);
    expect(r.stderr).toBe(`pgbake: no pgbake.yaml in ${empty}: run \`pgbake init\` (or give --config FILE)`);
    expect(r.exitCode).toBe(2);
    expect(snapshotTree(empty)).toEqual(before);
  });
});

describe("pgbake add on a built-in name", () => {
  it("refuses without fields (exit 2), pointing at a flavor, and writes nothing", async () => {
    for (const [name, entry] of [
      ["pg_cron", "pg_cron"],
      ["vector", "pgvector"],
    ]) {
      const r = await pgbakeInProcess(["add", name!], project);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`is in pgbake's built-in catalog (version ${builtin(entry!).version}`);
      expect(r.stderr).toContain(`Name '${entry}' in a flavor's extensions in pgbake.yaml`);
      expect(r.stderr).toContain("`override: true`");
    }
    expect(readdirSync(join(project, "extensions"))).toEqual([".gitkeep"]);
  });

  it("with fields writes an `override: true` entry holding only those, which keeps the rest of the built-in entry", async () => {
    const r = await pgbakeInProcess(["add", "pg_cron", "--version", "1.6.9"], project);
    expect(r.exitCode, r.stderr).toBe(0);
    const written = parse(readFileSync(join(project, "extensions/pg_cron.yaml"), "utf8")) as Record<string, unknown>;
    expect(written).toEqual({ name: "pg_cron", override: true, version: "1.6.9" });
    const doc = parseDocument(readFileSync(join(project, "pgbake.yaml"), "utf8"));
    doc.setIn(["flavors", "cron"], doc.createNode({ description: "jobs", extensions: ["pg_cron"] }));
    writeFileSync(join(project, "pgbake.yaml"), doc.toString());
    const planned = await pgbakeInProcess(["plan", "--json"], project);
    expect(planned.exitCode, planned.stderr).toBe(0);
    const images = (JSON.parse(planned.stdout) as Plan).extensionImages.filter((t) => t.extension === "pg_cron");
    expect(images.length).toBeGreaterThan(0);
    for (const t of images) expect(t.version).toBe("1.6.9");
    // The built-in entry's other fields stay: its smoke test, its package.
    const explained = await pgbakeInProcess(["explain", "pg_cron"], project);
    expect(explained.stdout).toMatch(/version: overridden by extensions\/pg_cron\.yaml/);
    expect(builtin("pg_cron").smoke_test).toBeDefined();
  });

  it("refuses a field the schema refuses in the override (file:line: field, exit 2) and writes nothing", async () => {
    const r = await pgbakeInProcess(["add", "pgvector", "--version", "not a version"], project);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/extensions\/pgvector\.yaml:\d+:\d+: version/);
    expect(existsSync(join(project, "extensions/pgvector.yaml"))).toBe(false);
  });
});

describe("did you mean", () => {
  const cases: [string[], string][] = [
    [["grnerate"], "unknown command 'grnerate' (did you mean 'generate'?)"],
    [["generate", "--chek"], "unknown option '--chek' (did you mean '--check'?)"],
    [["bake", "--dry-run", "pgvector-17-bokworm"], "no target or group 'pgvector-17-bokworm' in this plan (did you mean 'pgvector-17-bookworm'?)"],
    [["test", "postgresql-17-minimal-bokworm"], "(did you mean 'postgresql-17-minimal-bookworm'?)"],
    [["explain", "pgvectr"], "'pgvectr' is no target, extension or group of this plan (did you mean 'pgvector'?)"],
    [["matrix", "--json", "--group", "pg17x"], "no bake group 'pg17x' (did you mean 'pg17'?)"],
  ];
  it.each(cases)("pgbake %j names the closest one (exit 2)", async (args, hint) => {
    const r = await pgbakeInProcess(args, project);
    expect(r.stderr).toContain(hint);
    expect(r.exitCode).toBe(2);
  });

  it("a flavor naming a built-in entry nothing uses yet, mistyped, gets it (as extension_images does)", async () => {
    const dir = join(work.dir, "typo");
    expect((await pgbakeInProcess(["init", "typo", "--pgbake-source", "0.1.0", "--no-install"], work.dir)).exitCode).toBe(0);
    const doc = parseDocument(readFileSync(join(dir, "pgbake.yaml"), "utf8"));
    doc.setIn(["flavors", "vector", "extensions"], doc.createNode(["pgvector", "pg_partmann"]));
    writeFileSync(join(dir, "pgbake.yaml"), doc.toString());
    const r = await pgbakeInProcess(["generate"], dir);
    expect(r.stderr).toMatch(/pgbake\.yaml:\d+:\d+: flavors\.vector\.extensions\[1\]: unknown extension 'pg_partmann' \(did you mean 'pg_partman'\?\)/);
    expect(r.exitCode).toBe(2);
  });
});
