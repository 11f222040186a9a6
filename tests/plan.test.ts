// The pure plan on the built-in default config: matrix size, compatibility filtering, reasons.
import { describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { explain } from "../src/cli/report.js";
import type { Plan } from "../src/model/types.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { defaultConfig, defaultExtensions } from "./helpers/workspace.js";

const { plan, catalog } = planFrom({ config: defaultConfig, extensions: defaultExtensions });
const op = (name: string) => {
  const found = plan.operands.find((o) => o.name === name);
  if (!found) throw new Error(`no target ${name}`);
  return found;
};

describe("plan of the default config", () => {
  it("gives every image only tags Docker accepts (age 1.8.0~rc0 is tagged 1.8.0rc0; `~` and `+` are not tag characters)", () => {
    // Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; {timestamp} is filled by bake.
    const bad = [...plan.extensionImages, ...plan.operands]
      .flatMap((t) => t.tags)
      .filter((tag) => !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag.replace("{timestamp}", "202611220000")));
    expect(bad).toEqual([]);
    expect(plan.extensionImages.find((t) => t.name === "age-18-trixie")!.tags).toContain("age:1.8.0rc0-18-trixie");
    expect(plan.extensionImages.find((t) => t.name === "age-18-trixie")!.version).toBe("1.8.0~rc0");
  });

  it("is the full product: 9 flavors × 4 majors × 2 types × 2 bases", () => {
    expect(plan.operands).toHaveLength(144);
    expect(new Set(plan.operands.map((o) => o.name)).size).toBe(144);
    expect(plan.operands.map((o) => o.name)).toContain("postgresql-ops-15-standard-trixie");
    expect(plan.operands.map((o) => o.name)).toContain("postgresql-17-minimal-bookworm");
    expect(catalog.extensions.length).toBeGreaterThanOrEqual(20);
  });

  it("drops citus from full on PG 18 with its reason and keeps it on PG 17", () => {
    const pg18 = op("postgresql-full-18-minimal-trixie");
    const pg17 = op("postgresql-full-17-minimal-trixie");
    expect(pg18.excluded).toEqual([{ name: "citus", excludedBecause: "max_pg_version 17 < 18" }]);
    expect(pg17.excluded).toEqual([]);
    expect(pg17.kept.map((k) => k.name)).toContain("citus");
    expect(pg18.kept).toHaveLength(pg17.kept.length - 1);
    expect(plan.extensionImages.some((t) => t.name === "citus-18-trixie")).toBe(false);
  });

  it("is printed whole by `pgbake plan --json`, with every build input of every target", async () => {
    const r = await pgbakeInProcess(["plan", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as Plan;
    expect(printed.runtimes.length + printed.extensionImages.length + printed.operands.length).toBe(1054);
    const pgvector = printed.extensionImages.find((t) => t.name === "pgvector-17-trixie")!;
    expect(pgvector).toMatchObject({ kind: "extension", extensionKind: "package", repository: "pgvector" });
    expect(pgvector.args).toEqual({ PG_MAJOR: "17", PACKAGES: "postgresql-17-pgvector=0.8.7-*", RUNTIME_PACKAGES: "" });
    expect(pgvector.metadata).toContainEqual(["org.opencontainers.image.licenses", "PostgreSQL"]);
    const runtime = printed.runtimes.find((t) => t.name === "runtime-17-trixie")!;
    expect(runtime).toMatchObject({ kind: "runtime", repository: "postgresql" });
    expect(runtime.args).toMatchObject({ PG_MAJOR: "17", PG_VERSION: "17.12", CODENAME: "trixie" });
    expect(printed.operands.every((o) => o.kind === "operand" && o.contexts.runtime === `target:runtime-${o.major}-${o.base}`)).toBe(true);
  });

  it("says so in explain", () => {
    expect(explain(plan, "pgvector-17-trixie")).toMatch(/^pgvector-17-trixie: image of pgvector 0\.8\.7 for PostgreSQL 17 on trixie \(package\)/);
    expect(explain(plan, "citus-17-trixie")).toMatch(/\(source\)/);
    expect(explain(plan, "postgresql-full-18-minimal-trixie")).toMatch(/- citus: excluded because max_pg_version 17 < 18/);
    expect(explain(plan, "citus")).toMatch(/out postgresql-full-18-minimal-bookworm: max_pg_version 17 < 18/);
    expect(explain(plan, "citus")).toMatch(/in {2}postgresql-full-17-minimal-bookworm \(13\.2\.0\)/);
  });

  it("wires each kept extension to its image through a target context covering the user's platforms", () => {
    const images = new Map(plan.extensionImages.map((t) => [t.name, t]));
    for (const o of plan.operands)
      for (const k of o.kept) {
        if (k.kind === "contrib") {
          expect(k.imageTarget).toBeUndefined();
          continue;
        }
        const img = images.get(k.imageTarget!)!;
        expect(o.contexts[`ext-${k.name}`]).toBe(`target:${img.name}`);
        for (const p of o.platforms) expect(img.platforms).toContain(p);
      }
  });

  it("pulls in required extensions and takes per-major versions", () => {
    const geo = op("postgresql-geo-17-minimal-bookworm");
    expect(geo.kept.map((k) => k.name)).toEqual(["postgis", "pgrouting"]);
    const std15 = op("postgresql-15-standard-bookworm");
    expect(std15.kept.find((k) => k.name === "pgaudit")?.version).toBe("1.7.1");
    expect(std15.sharedPreloadLibraries).toEqual(["pgaudit", "pg_failover_slots"]);
    expect(std15.typePackages).toEqual(["locales-all"]);
    expect(op("postgresql-geo-17-minimal-bookworm").runtimePackages).toContain("libgdal32");
    expect(op("postgresql-geo-17-minimal-trixie").runtimePackages).toContain("libgdal36");
  });

  it("has a group per extension, major, flavor, base and type", () => {
    const names = new Set(plan.groups.map((g) => g.name));
    for (const g of ["default", "pgvector", "pg17", "postgresql-full", "bookworm", "minimal", "standard"]) expect(names).toContain(g);
    const pgvector = plan.groups.find((g) => g.name === "pgvector")!;
    expect(pgvector.targets).toContain("pgvector-18-trixie");
    expect(pgvector.targets.every((t) => t.startsWith("pgvector-"))).toBe(true);
  });
});
