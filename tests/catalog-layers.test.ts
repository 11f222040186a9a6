// Catalog layering through the CLI: a project names its catalogs (built-in, its own directory,
// an installed package), later ones override earlier ones whole or field by field, --extensions
// adds more on top, only what the project uses or owns is built, and `explain` says where each
// entry and each overridden field came from.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { Plan } from "../src/model/types.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { defaultExtensions, repoRoot, tempDir } from "./helpers/workspace.js";

let work: { dir: string; cleanup: () => void };
const file = (rel: string, data: unknown): void => {
  mkdirSync(join(work.dir, rel, ".."), { recursive: true });
  writeFileSync(join(work.dir, rel), typeof data === "string" ? data : stringify(data));
};
const config = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  catalogs: ["builtin", "./extensions"],
  output: "out",
  postgres: [{ major: 17, version: "17.10" }],
  bases: { trixie: { image: "debian:trixie-slim", codename: "trixie" } },
  platforms: ["linux/amd64", "linux/arm64"],
  types: { minimal: { description: "minimal" } },
  flavors: { base: { extensions: ["pgvector", "pg_cron", "acme_audit"] } },
  ...extra,
});
const plan = async (...args: string[]): Promise<Plan> => {
  const r = await pgbakeInProcess(["plan", "--json", "--config", join(work.dir, "pgbake.yaml"), ...args]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Plan;
};
const builtinNames = readdirSync(defaultExtensions)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => f.replace(/\.yaml$/, ""));

beforeAll(() => {
  work = tempDir("pgbake-layers-");
  file("pgbake.yaml", config());
  // A private extension, and pgvector changed in two fields only.
  file("extensions/acme_audit.yaml", {
    name: "acme_audit",
    description: "ACME's audit hooks",
    license: "Proprietary",
    homepage: "https://acme.example/audit",
    kind: "package",
    version: "2.1.0",
    package: "postgresql-{major}-acme-audit",
  });
  file("extensions/pgvector.yaml", { name: "pgvector", override: true, version: "0.8.5", min_pg_version: 16 });
});
afterAll(() => work.cleanup());

describe("catalogs: [builtin, ./extensions]", () => {
  it("takes pgvector and pg_cron from the built-in catalog, with the project's override, and builds only what it uses or owns", async () => {
    const p = await plan();
    const images = [...new Set(p.extensionImages.map((t) => t.extension))].sort();
    expect(images).toEqual(["acme_audit", "pg_cron", "pgvector"]);
    const vector = p.extensionImages.find((t) => t.extension === "pgvector")!;
    expect(vector.version).toBe("0.8.5");
    expect(vector.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    // Untouched fields are the built-in entry's.
    const builtin = parse(readFileSync(join(defaultExtensions, "pgvector.yaml"), "utf8")) as { package: string };
    expect(vector.args.PACKAGES).toContain(builtin.package.replace("{major}", "17"));
    expect(
      p.operands
        .find((o) => o.name === "postgresql-17-minimal-trixie")!
        .kept.map((k) => k.name)
        .sort(),
    ).toEqual(["acme_audit", "pg_cron", "pgvector"]);
  });

  it("explain names the file of the entry and of each overridden field, and says why an unused built-in entry makes no image", async () => {
    const r = await pgbakeInProcess(["explain", "pgvector", "--config", join(work.dir, "pgbake.yaml")], work.dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`from ${relative(work.dir, join(repoRoot, "extensions/pgvector.yaml"))} (catalog builtin)`);
    expect(r.stdout).toContain("min_pg_version, version: overridden by extensions/pgvector.yaml (catalog ./extensions)");
    const citus = await pgbakeInProcess(["explain", "citus", "--config", join(work.dir, "pgbake.yaml")], work.dir);
    expect(citus.stdout).toMatch(/not built: no flavor, type or `extension_images`/);
    expect(builtinNames).toContain("citus");
  });

  it("extension_images builds a built-in entry nothing uses", async () => {
    file("images.yaml", config({ extension_images: ["citus"] }));
    const r = await pgbakeInProcess(["plan", "--json", "--config", join(work.dir, "images.yaml")]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Plan).extensionImages.some((t) => t.extension === "citus")).toBe(true);
  });

  it("--extensions layers more directories on top, in order (a whole replacement, then a field override)", async () => {
    file("team/pg_cron.yaml", { ...(parse(readFileSync(join(defaultExtensions, "pg_cron.yaml"), "utf8")) as object), version: "1.6.9", description: "pg_cron, the team's build" });
    file("local/pg_cron.yaml", { name: "pg_cron", override: true, disabled: true, disabled_reason: "not on this cluster" });
    const p = await plan("--extensions", join(work.dir, "team"), "--extensions", join(work.dir, "local"));
    expect(p.extensionImages.some((t) => t.extension === "pg_cron")).toBe(false);
    expect(p.operands[0]!.excluded.find((e) => e.name === "pg_cron")?.excludedBecause).toMatch(/not on this cluster/);
    const r = await pgbakeInProcess(["explain", "pg_cron", "--config", join(work.dir, "pgbake.yaml"), "-e", join(work.dir, "team"), "-e", join(work.dir, "local")], work.dir);
    expect(r.stdout).toContain("from team/pg_cron.yaml");
    expect(r.stdout).toContain(`replaces ${relative(work.dir, join(repoRoot, "extensions/pg_cron.yaml"))} (catalog builtin) whole`);
    expect(r.stdout).toContain("disabled, disabled_reason: overridden by local/pg_cron.yaml");
  });

  it("reads a catalog from an installed npm package", async () => {
    file("node_modules/acme-pg-catalog/package.json", JSON.stringify({ name: "acme-pg-catalog", version: "1.0.0" }));
    file("node_modules/acme-pg-catalog/extensions/acme_geo.yaml", {
      name: "acme_geo",
      description: "ACME geo",
      license: "MIT",
      homepage: "https://acme.example/geo",
      kind: "package",
      version: "1.0.0",
      package: "postgresql-{major}-acme-geo",
    });
    file("pkg.yaml", config({ catalogs: ["builtin", "acme-pg-catalog/extensions", "./extensions"], flavors: { base: { extensions: ["acme_geo"] } } }));
    const r = await pgbakeInProcess(["plan", "--json", "--config", join(work.dir, "pkg.yaml")]);
    expect(r.exitCode, r.stderr).toBe(0);
    // A package is a library: its entry is built because the flavor uses it.
    expect([...new Set((JSON.parse(r.stdout) as Plan).extensionImages.map((t) => t.extension))].sort()).toEqual(["acme_audit", "acme_geo", "pgvector"]);
  });

  it("refuses an override of nothing, an override that breaks the entry, and a catalog that is not there (file:line, exit 2)", async () => {
    file("bad/ext/pgvectr.yaml", "name: pgvectr\noverride: true\nversion: 1.0.0\n");
    file("bad/ext/pgaudit.yaml", "name: pgaudit\noverride: true\nkind: source\n");
    file("bad/pgbake.yaml", config({ catalogs: ["builtin", "./ext"] }));
    const r = await pgbakeInProcess(["plan", "--config", join(work.dir, "bad/pgbake.yaml")], work.dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bad\/ext\/pgvectr\.yaml:2:\d+: override: no earlier catalog has an entry 'pgvectr' \(did you mean 'pgvector'\?\)/);
    expect(r.stderr).toMatch(/bad\/ext\/pgaudit\.yaml:1:1: missing required field 'source' \(kinds source and tool need it\) \(after applying this override/);
    file("bad/missing.yaml", config({ catalogs: ["builtin", "./missing", "no-such-package/extensions"] }));
    const missing = await pgbakeInProcess(["plan", "--config", join(work.dir, "bad/missing.yaml")], work.dir);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/bad\/missing\.yaml:\d+:\d+: catalogs\[1\]: catalog '\.\/missing': directory .* not found/);
    expect(missing.stderr).toMatch(/catalogs\[2\]: catalog 'no-such-package\/extensions': package 'no-such-package' is not installed/);
  });
});

describe("a message about a field an override set points at the override, not at the entry it changed", () => {
  it("for the cross-file checks and for generate --release (file:line:column, exit 2)", async () => {
    // Each field on a line of its own, below a comment, so a position in the built-in file cannot match by chance.
    file("later/ext/pgvector.yaml", "name: pgvector\noverride: true\n# the team's changes\nrequires: [no_such_ext]\nbases: [trixy]\n");
    file("later/ext/pg_cron.yaml", "name: pg_cron\noverride: true\n\n\npackage_version: '{vers}-*'\nmax_pg_version: 12\n");
    file("later/ext/pg_partman.yaml", "name: pg_partman\noverride: true\n\nplatforms: [linux/arm64]\n");
    file("later/pgbake.yaml", config({ catalogs: ["builtin", "./ext"], flavors: { base: { extensions: ["pgvector", "pg_cron", "pg_partman"] } } }));
    const r = await pgbakeInProcess(["plan", "--config", join(work.dir, "later/pgbake.yaml")], work.dir);
    expect(r.exitCode, r.stdout).toBe(2);
    const lines = r.stderr
      .split("\n")
      .filter((l) => /^\S+:\d+:\d+: /.test(l))
      .sort();
    expect(lines).toEqual([
      "later/ext/pg_cron.yaml:5:18: package_version: unknown placeholder {vers}; expected {version}",
      expect.stringMatching(/^later\/ext\/pg_cron\.yaml:6:17: max_pg_version: min_pg_version \d+ > max_pg_version 12$/),
      "later/ext/pgvector.yaml:4:12: requires[0]: requires unknown extension 'no_such_ext'",
      "later/ext/pgvector.yaml:5:9: bases[0]: unknown base 'trixy' (did you mean 'trixie'?)",
    ]);
    // Platform coverage is a check on the plan (plan/platforms.ts): it speaks once the inputs are valid.
    rmSync(join(work.dir, "later/ext/pgvector.yaml"));
    rmSync(join(work.dir, "later/ext/pg_cron.yaml"));
    const planned = await pgbakeInProcess(["plan", "--config", join(work.dir, "later/pgbake.yaml")], work.dir);
    expect(planned.exitCode, planned.stdout).toBe(2);
    expect(planned.stderr.split("\n").filter((l) => /^\S+:\d+:\d+: /.test(l))).toEqual([
      expect.stringMatching(/^later\/ext\/pg_partman\.yaml:4:12: platforms: linux\/arm64 does not cover linux\/amd64, which flavor 'base' builds on base /),
    ]);

    file("release/ext/citus.yaml", "name: citus\noverride: true\n\nsource:\n  git: https://github.com/citusdata/citus\n  ref: v13.2.0\n  build: configure\n");
    file(
      "release/pgbake.yaml",
      config({
        catalogs: ["builtin", "./ext"],
        bases: { trixie: { image: `debian:trixie-slim@sha256:${"a".repeat(64)}`, codename: "trixie" } },
        platforms: ["linux/amd64"],
        flavors: { base: { extensions: ["citus"] } },
      }),
    );
    const release = await pgbakeInProcess(["generate", "--release", "--config", join(work.dir, "release/pgbake.yaml")], work.dir);
    expect(release.exitCode, release.stdout).toBe(2);
    expect(release.stderr).toContain("release/ext/citus.yaml:6:8: source.ref: source ref 'v13.2.0' is not a full 40-hex commit");
  });
});

describe("examples keep only the entries they add or change", () => {
  for (const example of readdirSync(join(repoRoot, "examples"))) {
    it(example, () => {
      const dir = join(repoRoot, "examples", example, "extensions");
      for (const f of readdirSync(dir).filter((n) => n.endsWith(".yaml"))) {
        const entry = parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>;
        if (!builtinNames.includes(String(entry.name))) continue;
        // An entry the built-in catalog also has changes it: an override names only fields it
        // changes; a whole replacement is no copy of the built-in entry.
        const builtin = parse(readFileSync(join(defaultExtensions, `${String(entry.name)}.yaml`), "utf8")) as Record<string, unknown>;
        if (entry.override !== true) expect(JSON.stringify(entry), `${example}/${f} copies the built-in entry`).not.toBe(JSON.stringify(builtin));
        else for (const [k, v] of Object.entries(entry)) if (k !== "name" && k !== "override") expect(JSON.stringify(v), `${example}/${f}: ${k}`).not.toBe(JSON.stringify(builtin[k]));
      }
    });
  }
});
