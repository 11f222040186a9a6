// Composition rules on the plan, without docker: the preload list ordered by the entries'
// preload_position (Citus first), and a flavor whose image cannot start refused with the
// flavor's file, line and column, naming both entries, exit 2, before anything is written. The
// same rules on a real server: tests/e2e/composition.test.ts.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { explain } from "../src/cli/report.js";
import { preloadFor, startupSettings, subjectsFor, type ExtensionImageSubject, type OperandSubject } from "../src/verify/subjects.js";
import { InputErrors } from "../src/model/errors.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { defaultConfig, defaultExtensions, repoRoot, tempDir } from "./helpers/workspace.js";

describe("the default config", () => {
  const { plan, catalog } = planFrom({ config: defaultConfig, extensions: defaultExtensions });

  it("loads citus first in every image holding it, whatever the flavor's order", () => {
    const withCitus = plan.operands.filter((o) => o.kept.some((k) => k.name === "citus"));
    expect(withCitus.length).toBeGreaterThan(0);
    for (const o of withCitus) expect(o.sharedPreloadLibraries[0], o.name).toBe("citus");
    // distributed asks for citus after the standard type's pgaudit and pg_failover_slots.
    const dist = plan.operands.find((o) => o.name === "postgresql-distributed-17-standard-bookworm")!;
    expect(dist.requested).toEqual(["pgaudit", "pgvector", "pg_failover_slots", "citus"]);
    expect(dist.sharedPreloadLibraries).toEqual(["citus", "pgaudit", "pg_failover_slots"]);
    expect(dist.args.SHARED_PRELOAD_LIBRARIES).toBe("citus,pgaudit,pg_failover_slots");
  });

  it("keeps the flavor's order where no entry has a place (requirements first)", () => {
    const std = plan.operands.find((o) => o.name === "postgresql-17-standard-bookworm")!;
    expect(std.sharedPreloadLibraries).toEqual(["pgaudit", "pg_failover_slots"]);
    expect(std.preloadOrder.every((s) => s.position === "flavor")).toBe(true);
  });

  it("explain shows the order and why", () => {
    const text = explain(plan, "postgresql-full-17-standard-bookworm")!;
    expect(text).toContain("shared_preload_libraries: citus,pgaudit,pg_failover_slots,pg_qualstats,timescaledb");
    expect(text).toContain("citus (citus): must be loaded first (preload_position: first)");
    expect(text).toContain("pg_qualstats (pg_qualstats): in the order asked for");
  });

  it("an extension image tried in a plain operand puts an entry that must be first ahead of the operand's own list", () => {
    const [subject] = subjectsFor(plan, catalog.extensions, ["citus-17-bookworm"]) as ExtensionImageSubject[];
    expect(preloadFor({ ...subject!, operand: { target: "x", image: "x", preload: ["pgaudit"] } })).toEqual(["citus", "pgaudit"]);
    const [cron] = subjectsFor(plan, catalog.extensions, ["pg_cron-17-bookworm"]) as ExtensionImageSubject[];
    expect(preloadFor({ ...cron!, operand: { target: "x", image: "x", preload: ["pgaudit"] } })).toEqual(["pgaudit", "pg_cron"]);
  });
});

describe("a flavor that cannot start", () => {
  let work: ReturnType<typeof tempDir> | undefined;
  afterEach(() => work?.cleanup());

  /** A project of e2e/compose.yaml with catalog e2e/compose/ plus `entries`, and `flavor` as its hooks flavor. */
  function project(flavor: string[], entries: Record<string, string> = {}): { config: string; catalog: string; out: string } {
    work = tempDir("pgbake-compose-");
    const catalog = join(work.dir, "catalog");
    cpSync(join(repoRoot, "e2e/compose"), catalog, { recursive: true, dereference: true });
    const fixture = join(catalog, "pgbake_hookfirst.yaml");
    // The fixture's source is copied into the project: bake reads local sources only inside it.
    cpSync(join(repoRoot, "tests/fixtures/pgbake_hookfirst"), join(work.dir, "fixtures/pgbake_hookfirst"), { recursive: true });
    writeFileSync(fixture, readFileSync(fixture, "utf8").replace("../../tests/fixtures/pgbake_hookfirst", "../fixtures/pgbake_hookfirst"));
    cpSync(join(defaultExtensions, "citus.yaml"), join(catalog, "citus.yaml"));
    for (const [name, text] of Object.entries(entries)) writeFileSync(join(catalog, `${name}.yaml`), text);
    const config = join(work.dir, "pgbake.yaml");
    const text = readFileSync(join(repoRoot, "e2e/compose.yaml"), "utf8")
      .replace("output: ../.e2e/compose", "output: out")
      .replace('- { major: 18, version: "18.6" }', '- { major: 17, version: "17.12" }')
      .replace("extensions: [pgaudit, pgbake_hookfirst]", `extensions: [${flavor.join(", ")}]`);
    writeFileSync(config, text);
    return { config, catalog, out: join(work.dir, "out") };
  }
  const refusal = (p: { config: string; catalog: string }): string => {
    try {
      planFrom({ config: p.config, extensions: p.catalog });
    } catch (err) {
      if (err instanceof InputErrors) return err.message;
      throw err;
    }
    return "(planned)";
  };

  it("two entries that must both be loaded first: generate exits 2 at the flavor's entry, naming both, and writes nothing", async () => {
    const p = project(["pgaudit", "citus", "pgbake_hookfirst"]);
    const r = await pgbakeInProcess(["generate", "--config", p.config, "--extensions", p.catalog]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    // flavors.hooks.extensions[2] is `pgbake_hookfirst` on line 33 of the copied config.
    const line =
      readFileSync(p.config, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("extensions: [pgaudit, citus, pgbake_hookfirst]")) + 1;
    const column = "    extensions: [pgaudit, citus, ".length + 1;
    expect(r.stderr).toContain(`pgbake.yaml:${line}:${column}`);
    expect(r.stderr).toContain("flavors.hooks.extensions[2]");
    expect(r.stderr).toContain("citus and pgbake_hookfirst cannot share a server");
    expect(r.stderr).toContain("both must be loaded first");
    expect(existsSync(p.out)).toBe(false);
  });

  it("a declared conflict, either side: refused, with the entry's reason", () => {
    const clash = [
      "name: pgbake_clash",
      "description: stands for an entry that cannot share a server with pgaudit",
      "license: Apache-2.0",
      "homepage: https://example.invalid/clash",
      "kind: contrib",
      'version: "1.0"',
      "conflicts:",
      "  - extension: pgaudit",
      "    reason: both write the audit log's lines and each drops the other's",
      "",
    ].join("\n");
    const message = refusal(project(["pgbake_clash", "pgaudit"], { pgbake_clash: clash }));
    expect(message).toContain("flavors.hooks.extensions[1]");
    expect(message).toContain("pgbake_clash and pgaudit cannot share a server");
    expect(message).toContain("each drops the other's");
    // Not in one flavor: no refusal.
    expect(refusal(project(["pgbake_clash"], { pgbake_clash: clash }))).toBe("(planned)");
  });

  it("an entry asked for through `requires` is refused at what asked for it", () => {
    const wrapper = [
      "name: pgbake_needs_hookfirst",
      "description: requires the hook fixture",
      "license: Apache-2.0",
      "homepage: https://example.invalid/wrapper",
      "kind: contrib",
      'version: "1.0"',
      "requires: [pgbake_hookfirst]",
      "",
    ].join("\n");
    const message = refusal(project(["citus", "pgbake_needs_hookfirst"], { pgbake_needs_hookfirst: wrapper }));
    expect(message).toContain("flavors.hooks.extensions[1]");
    expect(message).toContain("citus and pgbake_hookfirst cannot share a server");
  });

  it("a conflict naming an entry the catalog lacks is fine, unless it is close to one it has (a typo): bad input in the entry's file", () => {
    const bad = [
      "name: pgbake_clash",
      "description: x",
      "license: MIT",
      "homepage: https://example.invalid/x",
      "kind: contrib",
      'version: "1"',
      "conflicts:",
      "  - extension: pgaudt",
      "    reason: x",
      "",
    ].join("\n");
    const message = refusal(project(["pgaudit"], { pgbake_clash: bad }));
    expect(message).toMatch(/pgbake_clash\.yaml:8:\d+.*conflicts\[0\]\.extension/);
    expect(message).toContain("conflicts with unknown extension 'pgaudt' (did you mean 'pgaudit'?)");
    expect(refusal(project(["pgaudit"], { pgbake_clash: bad.replace("pgaudt", "timescaledb") }))).toBe("(planned)");
  });

  it("explain names what an entry needs at startup that the image does not provide (pgq's ticker daemon)", () => {
    const p = project(["pgq"]);
    cpSync(join(defaultExtensions, "pgq.yaml"), join(p.catalog, "pgq.yaml"));
    const { plan } = planFrom({ config: p.config, extensions: p.catalog });
    expect(plan.operands[0]!.startupNeeds.map((n) => [n.extension, n.kind, n.name])).toEqual([["pgq", "daemon", "pgqd"]]);
    expect(explain(plan, plan.operands[0]!.name)).toContain("! pgq needs daemon pgqd, which the image does not provide: events reach consumers only after ticks");
  });

  it("pgbake test starts a server with the settings its entries need (a list setting joined, each item once)", () => {
    const p = project(["wal2json", "pg_squeeze"]);
    for (const f of ["wal2json.yaml", "pg_squeeze.yaml"]) cpSync(join(defaultExtensions, f), join(p.catalog, f));
    const { plan, catalog } = planFrom({ config: p.config, extensions: p.catalog });
    const [op] = subjectsFor(plan, catalog.extensions, [plan.operands[0]!.name]) as OperandSubject[];
    // wal2json's output_plugin_libraries need has no value (its smoke test SETs it per session): only pg_squeeze's counts.
    expect(startupSettings(op!.extensions)).toEqual({ wal_level: "logical", output_plugin_libraries: "pgoutput,test_decoding,pg_squeeze" });
  });

  it("the fixture flavor as committed plans, fixture first", () => {
    const p = project(["pgaudit", "pgbake_hookfirst"]);
    const { plan } = planFrom({ config: p.config, extensions: p.catalog });
    expect(plan.operands[0]!.sharedPreloadLibraries).toEqual(["pgbake_hookfirst", "pgaudit"]);
  });
});
