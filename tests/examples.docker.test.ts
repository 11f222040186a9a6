// Each seed system expressed as a pgbake project under examples/: the committed output is what the
// generator makes, and real `docker buildx bake --print` on it gives the seed's targets and tags.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { bakePrint, type BakePrint } from "./helpers/buildx.js";
import { pgbake } from "./helpers/cli.js";
import { repoRoot } from "./helpers/workspace.js";

/** An entry's version in the built-in catalog (for `major`, its per-major pin if it has one). */
const builtinVersion = (ext: string, major?: number): string => {
  const spec = parse(readFileSync(join(repoRoot, "extensions", `${ext}.yaml`), "utf8")) as { version: string; versions?: Record<string, string> };
  return (major !== undefined ? spec.versions?.[String(major)] : undefined) ?? spec.version;
};
const exampleDir = (name: string): string => join(repoRoot, "examples", name);
const inputs = (name: string): string[] => ["--config", join(exampleDir(name), "pgbake.yaml"), "--extensions", join(exampleDir(name), "extensions")];
const product = <T, U>(xs: T[], ys: U[]): [T, U][] => xs.flatMap((x) => ys.map((y): [T, U] => [x, y]));
/** Operand targets: neither a runtime nor an extension/tool image, told apart by their Dockerfile. */
const operandNames = (p: BakePrint): string[] =>
  Object.keys(p.target)
    .filter((n) => !/^dockerfiles\/(runtime|extension|tool)-/.test(p.target[n]!.dockerfile ?? ""))
    .sort();
const copiedExtensions = (p: BakePrint, target: string): string[] =>
  Object.keys(p.target[target]!.contexts ?? {})
    .filter((c) => c.startsWith("ext-"))
    .map((c) => c.slice(4))
    .sort();

describe.each(["cnpg-postgres-containers", "cnpg-extensions", "aza-pg", "flavored-pipeline", "vm-flavors"])("examples/%s", (name) => {
  it("has committed output that is what the generator makes (generate --check)", async () => {
    const r = await pgbake(["generate", "--check", ...inputs(name)]);
    expect(r.stdout + r.stderr).toMatch(/up to date/);
    expect(r.exitCode).toBe(0);
  });
});

describe("CloudNativePG postgres-containers (seed 001)", () => {
  const versions: [number, string][] = [
    [14, "14.23"],
    [15, "15.18"],
    [16, "16.14"],
    [17, "17.10"],
    [18, "18.4"],
    [19, "19beta3"],
  ];
  const expected = product(product(versions, ["minimal", "standard", "system"]), ["trixie", "bookworm", "bullseye"]).map(([[[major], type], base]) => `postgresql-${major}-${type}-${base}`);

  it("bakes the 54 targets of 6 versions × 3 types × 3 bases, on amd64 and arm64, with CloudNativePG's tags", async () => {
    expect(expected).toHaveLength(54);
    const p = await bakePrint(exampleDir("cnpg-postgres-containers"), ["postgresql"], { timestamp: "202611211200" });
    expect(p.group?.postgresql?.targets.sort()).toEqual([...expected].sort());
    expect(operandNames(p)).toEqual([...expected].sort());
    for (const [[major, version], type] of product(versions, ["minimal", "standard", "system"]))
      for (const base of ["trixie", "bookworm", "bullseye"]) {
        const t = p.target[`postgresql-${major}-${type}-${base}`]!;
        expect(t.tags).toEqual([
          `localhost:5000/postgresql:${major}-${type}-${base}`,
          `localhost:5000/postgresql:${version}-${type}-${base}`,
          `localhost:5000/postgresql:${version}-202611211200-${type}-${base}`,
        ]);
        expect(t.platforms).toEqual(["linux/amd64", "linux/arm64"]);
      }
  });

  it("gives standard and system CloudNativePG's extensions and locales, system Barman Cloud, the preview none", async () => {
    const p = await bakePrint(exampleDir("cnpg-postgres-containers"), [
      "postgresql-17-standard-bullseye",
      "postgresql-17-system-trixie",
      "postgresql-19-standard-trixie",
      "postgresql-17-minimal-bookworm",
    ]);
    expect(copiedExtensions(p, "postgresql-17-standard-bullseye")).toEqual(["pg_failover_slots", "pgaudit", "pgvector"]);
    expect(p.target["postgresql-17-standard-bullseye"]!.args?.TYPE_PACKAGES).toBe("locales-all");
    expect(p.target["postgresql-17-system-trixie"]!.args?.TYPE_PACKAGES?.split(" ")).toEqual(expect.arrayContaining(["locales-all", "barman-cli-cloud", "python3-boto3"]));
    expect(copiedExtensions(p, "postgresql-19-standard-trixie")).toEqual([]);
    expect(copiedExtensions(p, "postgresql-17-minimal-bookworm")).toEqual([]);
    expect(p.target["runtime-19-trixie"]!.args?.PG_VERSION).toBe("19~beta3");
    expect(p.target["runtime-17-bullseye"]!.args?.BASE_IMAGE).toBe("debian:bullseye-slim");
  });

  it("takes another registry from the registry variable, as CloudNativePG's bake file does", async () => {
    const p = await bakePrint(exampleDir("cnpg-postgres-containers"), ["postgresql-17-minimal-trixie"], { registry: "ghcr.io/cloudnative-pg", timestamp: "202611211200" });
    expect(p.target["postgresql-17-minimal-trixie"]!.tags).toEqual([
      "ghcr.io/cloudnative-pg/postgresql:17-minimal-trixie",
      "ghcr.io/cloudnative-pg/postgresql:17.10-minimal-trixie",
      "ghcr.io/cloudnative-pg/postgresql:17.10-202611211200-minimal-trixie",
    ]);
  });
});

describe("CloudNativePG extension images (seed 004)", () => {
  const extensions = ["pg_failover_slots", "pgaudit", "pgrouting", "pgvector", "postgis", "wal2json"];

  it("bakes one image per extension, PG major and distribution, and no operand image", async () => {
    const p = await bakePrint(exampleDir("cnpg-extensions"));
    const images = product(product(extensions, [17, 18]), ["bookworm", "trixie"]).map(([[e, m], b]) => `${e}-${m}-${b}`);
    expect(images).toHaveLength(24);
    // `default` names each extension's matrix target, which buildx expands into its images.
    expect(p.group?.default?.targets.sort()).toEqual([...extensions].sort());
    expect(
      Object.keys(p.target)
        .filter((n) => images.includes(n))
        .sort(),
    ).toEqual(images.sort());
    expect(
      Object.keys(p.target)
        .filter((n) => !images.includes(n))
        .sort(),
    ).toEqual(["runtime-17-bookworm", "runtime-17-trixie", "runtime-18-bookworm", "runtime-18-trixie"]);
    // The example takes these entries from the built-in catalog as they are: its versions.
    expect(p.target["pgvector-18-trixie"]!.tags).toEqual([`localhost:5000/pgvector:${builtinVersion("pgvector")}-18-trixie`]);
    expect(p.target["pgaudit-17-bookworm"]!.tags).toEqual([`localhost:5000/pgaudit:${builtinVersion("pgaudit", 17)}-17-bookworm`]);
    expect(p.target["wal2json-18-trixie"]!.tags).toEqual([`localhost:5000/wal2json:${builtinVersion("wal2json")}-18-trixie`]);
  });

  it("installs postgis with its system libraries, named per distribution", async () => {
    const p = await bakePrint(exampleDir("cnpg-extensions"), ["postgis"]);
    expect(
      Object.keys(p.target)
        .filter((n) => n.startsWith("postgis-"))
        .sort(),
    ).toEqual(["postgis-17-bookworm", "postgis-17-trixie", "postgis-18-bookworm", "postgis-18-trixie"]);
    expect(p.target["postgis-18-trixie"]!.args?.RUNTIME_PACKAGES).toContain("libgeos-c1t64");
    expect(p.target["postgis-18-bookworm"]!.args?.RUNTIME_PACKAGES).toContain("libgeos-c1v5");
  });

  it("runs `task bake TARGET=pgvector PUSH=true` as docker buildx bake --push pgvector in the example", async () => {
    // The Taskfile's bake task with CONFIG= and EXTENSIONS= pointing at the example, expanded.
    const r = await pgbake(["bake", "pgvector", "--push", "--dry-run", ...inputs("cnpg-extensions")]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`cd ${exampleDir("cnpg-extensions")} && docker buildx bake --file docker-bake.hcl --push pgvector`);
    const p = await bakePrint(exampleDir("cnpg-extensions"), ["pgvector"]);
    expect(
      Object.values(p.target)
        .flatMap((t) => t.tags ?? [])
        .sort(),
    ).toEqual(["17-bookworm", "17-trixie", "18-bookworm", "18-trixie"].map((t) => `localhost:5000/pgvector:${builtinVersion("pgvector")}-${t}`));
  });
});

describe("aza-pg (seed 000)", () => {
  it("bakes one PG 18 single-node image with its tags, its extensions, its default preloads", async () => {
    const p = await bakePrint(exampleDir("aza-pg"), ["aza-pg"], { timestamp: "202611211200" });
    expect(p.group?.["aza-pg"]?.targets).toEqual(["aza-pg-18-single-node-trixie"]);
    const t = p.target["aza-pg-18-single-node-trixie"]!;
    expect(t.tags).toEqual(["18.4-202611211200-single-node", "18.4-single-node", "18-single-node", "18.4", "18"].map((tag) => `localhost:5000/aza-pg:${tag}`));
    expect(t.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(t.args?.SHARED_PRELOAD_LIBRARIES).toBe("auto_explain,pg_cron,pg_stat_statements,pgaudit");
    // 17 extensions come from images; auto_explain, pg_stat_statements, pg_trgm, btree_gist, btree_gin ship with PostgreSQL.
    expect(copiedExtensions(p, "aza-pg-18-single-node-trixie")).toEqual([
      "hll",
      "http",
      "hypopg",
      "pg_cron",
      "pg_hint_plan",
      "pg_partman",
      "pg_qualstats",
      "pg_repack",
      "pgaudit",
      "pgvector",
      "plpgsql_check",
      "postgis",
      "rum",
      "set_user",
      "timescaledb",
      "wal2json",
      "wal_g",
    ]);
  });

  it("keeps pgq and supautils in the catalog, disabled with their reasons", async () => {
    const r = await pgbake(["explain", "aza-pg-18-single-node-trixie", ...inputs("aza-pg")]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/- pgq: excluded because disabled: .*pgqd ticker/);
    expect(r.stdout).toMatch(/- supautils: excluded because disabled: /);
    const p = await bakePrint(exampleDir("aza-pg"));
    expect(Object.keys(p.target).filter((n) => /^(pgq|supautils)-/.test(n))).toEqual([]);
  });
});

describe("flavored extension pipeline (seed 003)", () => {
  const flavors = ["base", "vector", "analytics", "timeseries", "distributed", "full"];
  const target = (flavor: string, major: number): string => `postgres${flavor === "base" ? "" : `-${flavor}`}-${major}-minimal-trixie`;

  it("bakes the six flavors on PG 17 and 18, PG 18 full without Citus", async () => {
    const p = await bakePrint(exampleDir("flavored-pipeline"));
    const expected = product(flavors, [17, 18])
      .map(([f, m]) => target(f, m))
      .sort();
    expect(operandNames(p)).toEqual(expected);
    expect(p.target[target("full", 17)]!.tags).toEqual(["localhost:5000/postgres-full:17", "localhost:5000/postgres-full:17.10"]);
    expect(p.target[target("base", 18)]!.tags).toEqual(["localhost:5000/postgres:18", "localhost:5000/postgres:18.4"]);
    const full17 = copiedExtensions(p, target("full", 17));
    const full18 = copiedExtensions(p, target("full", 18));
    expect(full17).toEqual(["citus", "hypopg", "pg_partman", "pg_qualstats", "pgvector", "timescaledb"]);
    expect(full18).toEqual(full17.filter((e) => e !== "citus"));
    expect(copiedExtensions(p, target("distributed", 18))).toEqual([]);
    expect(copiedExtensions(p, target("distributed", 17))).toEqual(["citus"]);
    expect(p.target["citus-18-trixie"]).toBeUndefined();
  });
});

describe("VM image builder flavors (seed 002)", () => {
  it("bakes standard and paradedb on PG 16-18 for amd64 and arm64, with pguint per major and WAL-G from the pinned commit", async () => {
    const p = await bakePrint(exampleDir("vm-flavors"));
    const majors = [16, 17, 18];
    const expected = product(["standard", "paradedb"], majors)
      .map(([f, m]) => `postgres-${f}-${m}-vm-trixie`)
      .sort();
    expect(operandNames(p)).toEqual(expected);
    for (const m of majors) {
      expect(p.target[`postgres-standard-${m}-vm-trixie`]!.tags).toEqual([
        `localhost:5000/postgres-standard:${m}`,
        expect.stringMatching(new RegExp(`^localhost:5000/postgres-standard:${m}\\.\\d+$`)),
      ]);
      expect(copiedExtensions(p, `postgres-standard-${m}-vm-trixie`)).toEqual(["pguint", "wal_g"]);
      expect(copiedExtensions(p, `postgres-paradedb-${m}-vm-trixie`)).toEqual(["pg_search", "pguint", "wal_g"]);
      expect(p.target[`pguint-${m}-trixie`]!.args?.PG_MAJOR).toBe(String(m));
      expect(p.target[`postgres-paradedb-${m}-vm-trixie`]!.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    }
    expect(p.target["wal_g-18-trixie"]!.contexts?.src).toBe("https://github.com/wal-g/wal-g.git#6ea13b90a3198bd5c8f8ac2ae323f28e33cf9f06");
  });
});
