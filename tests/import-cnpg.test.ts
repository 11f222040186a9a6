// `pgbake import cnpg-extensions`: the fixture repository (tests/fixtures/import/cnpg-extensions,
// written for these tests in CloudNativePG's public layout) imported through the built CLI, each
// fact checked where it lands, the report checked for what has no field, and the imported
// catalog planned and rendered by pgbake like any catalog. Bad input stops with file:line, exit
// 2, and the output directory as it was.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { planFrom, renderFrom } from "../src/pipeline/index.js";
import { splitDebianVersion } from "../src/import/cnpg-extensions.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const fixture = join(repoRoot, "tests/fixtures/import/cnpg-extensions");
const work = tempDir("pgbake-import-");
const out = join(work.dir, "extensions");
const reportFile = join(work.dir, "report.txt");
let run: Awaited<ReturnType<typeof pgbakeInProcess>>;
const entry = (name: string) => parse(readFileSync(join(out, `${name}.yaml`), "utf8")) as Record<string, unknown>;

beforeAll(async () => {
  run = await pgbakeInProcess(["import", "cnpg-extensions", fixture, "--out", out, "--report", reportFile]);
});
afterAll(() => work.cleanup());

describe("import cnpg-extensions of the fixture repository", () => {
  it("writes one entry per extension it can build from apt, and says which it could not", () => {
    expect(run.exitCode, run.stderr).toBe(0);
    expect(
      readdirSync(out)
        .filter((f) => f.endsWith(".yaml"))
        .sort(),
    ).toEqual(["decoderx.yaml", "geokit.yaml", "ip4r.yaml", "prefix.yaml", "semver.yaml"]);
    expect(run.stdout).toMatch(/srcbuilt: \(entry\): not imported: srcbuilt\/Dockerfile installs no apt package/);
    // The same report goes to --report.
    expect(readFileSync(reportFile, "utf8").trimEnd()).toBe(run.stdout.trimEnd());
  });

  it("carries versions per major, the package and its pin pattern, majors and distributions", () => {
    expect(entry("ip4r")).toMatchObject({
      kind: "package",
      package: "postgresql-{major}-ip4r",
      version: "2.4.2",
      versions: { "15": "2.4.1" },
      min_pg_version: 15,
      max_pg_version: 17,
      bases: ["bookworm", "trixie"],
    });
    expect(entry("ip4r").package_version).toBeUndefined();
    // An epoch and a +ds suffix become the pin pattern; build args of `target "default"` resolve package names.
    expect(entry("geokit")).toMatchObject({ version: "2.1.0", package: "postgresql-{major}-geokit-2", package_version: "1:{version}+ds-*", extra_packages: ["postgresql-{major}-geokit-2-scripts"] });
    expect(entry("semver")).toMatchObject({ bases: ["bookworm"], min_pg_version: 15, max_pg_version: 15 });
  });

  it("carries preload, requirements, create_extension, licences and runtime libraries", () => {
    expect(entry("decoderx")).toMatchObject({ sql_names: [], shared_preload_libraries: ["decoderx"], license: "BSD-3-Clause" });
    expect(entry("prefix")).toMatchObject({ requires: ["ip4r"], package: "postgresql-{major}-prefix" });
    expect(entry("ip4r").sql_names).toBeUndefined();
    expect(entry("geokit")).toMatchObject({
      license: "GPL-2.0-or-later AND MIT",
      runtime_packages_by_base: { bookworm: ["libgeokitcore5", "libzz3"], trixie: ["libgeokitcore6", "libzz3t64"] },
    });
  });

  it("takes description and homepage from the README, else pgbake's reference data", () => {
    expect(entry("ip4r")).toMatchObject({ homepage: "https://github.com/RhodiumToad/ip4r", description: expect.stringMatching(/^ip4r gives PostgreSQL index-friendly types/) });
    expect(entry("prefix").description).toMatch(/^The prefix_range type of prefix matches/);
    expect(entry("semver").homepage).toMatch(/^https:\/\/github\.com\/theory\//);
  });

  it("reports each fact with no field, with the reason, and keeps it in notes", () => {
    const lines = run.stdout.split("\n");
    const has = (re: RegExp) =>
      expect(
        lines.some((l) => re.test(l)),
        String(re),
      ).toBe(true);
    has(/^ {2}decoderx: versions\.bookworm\.18: PG 18 on bookworm pins 1\.4\.0, other distributions 1\.5\.0/);
    has(/^ {2}decoderx: postgresql_parameters\.decoderx\.format: 'json'/);
    has(/^ {2}decoderx: bin_path: \["bin"\]/);
    has(/^ {2}decoderx: rollout_channel: a field this importer does not know/);
    has(/^ {2}geokit: env\.GEOKIT_DATA: '\$\{image_root\}\/share\/geokit'/);
    has(/^ {2}geokit: image_name: 'geokit-extension'/);
    has(/^ {2}geokit: Dockerfile: geokit\/Dockerfile:7: 'geokit-data-\$\{GEOKIT_FLAVOUR\}' names a variable no build arg sets/);
    has(/^ {2}geokit: Dockerfile: geokit\/Dockerfile:\d+: COPY into \/share\/geokit\//);
    has(/^ {2}geokit: homepage: none in metadata\.hcl/);
    has(/^ {2}ip4r: versions: PG 15 is not built on trixie in the source/);
    has(/^ {2}ip4r: versions\.\*\.sql: /);
    expect(entry("geokit").notes).toContain("env GEOKIT_DATA=${image_root}/share/geokit.");
    expect(entry("decoderx").notes).toContain("postgresql_parameters decoderx.format=json.");
    expect(entry("ip4r").notes).toContain("PG 15 on bookworm: 2.4");
  });

  it("imports into a project that plans and renders them as images", () => {
    const project = join(work.dir, "project");
    mkdirSync(project);
    cpSync(out, join(project, "extensions"), { recursive: true });
    const config = join(project, "pgbake.yaml");
    writeFileSync(
      config,
      [
        "catalogs: [./extensions]",
        "extension_images: [decoderx, geokit, ip4r, prefix, semver]",
        "registry: localhost:5000/i24import",
        "output: ./out",
        "postgres:",
        '  - { major: 15, version: "15.20" }',
        '  - { major: 17, version: "17.12" }',
        '  - { major: 18, version: "18.6" }',
        "bases:",
        "  bookworm: { image: localhost:5000/debian:bookworm, codename: bookworm, postgres_from: pgdg }",
        "  trixie: { image: localhost:5000/debian:trixie, codename: trixie, postgres_from: pgdg }",
        "platforms: [linux/amd64]",
        "",
      ].join("\n"),
    );
    const planned = planFrom({ config });
    expect(planned.plan.extensionImages.map((t) => t.name).sort()).toEqual([
      "decoderx-18-bookworm",
      "decoderx-18-trixie",
      "geokit-18-bookworm",
      "geokit-18-trixie",
      "ip4r-15-bookworm",
      "ip4r-15-trixie",
      "ip4r-17-bookworm",
      "ip4r-17-trixie",
      "prefix-15-bookworm",
      "semver-15-bookworm",
    ]);
    expect(planned.plan.extensionImages.find((t) => t.name === "ip4r-15-bookworm")!.version).toBe("2.4.1");
    const { files } = renderFrom(planned);
    const bake = files.find((f) => f.path === "docker-bake.hcl")!.content;
    // The bake file holds the package with `{major}` for every major; the formula fills it (plan args).
    expect(bake).toContain("postgresql-{major}-ip4r=2.4.1-*");
    expect(bake).toContain("postgresql-{major}-geokit-2=1:2.1.0+ds-*");
    expect(planned.plan.extensionImages.find((t) => t.name === "ip4r-15-bookworm")!.args.PACKAGES).toBe("postgresql-15-ip4r=2.4.1-*");
    expect(planned.plan.extensionImages.find((t) => t.name === "geokit-18-trixie")!.args.PACKAGES).toBe("postgresql-18-geokit-2=1:2.1.0+ds-* postgresql-18-geokit-2-scripts");
  });
});

describe("import cnpg-extensions refuses bad input", () => {
  const badRepo = (files: Record<string, string>) => {
    const t = tempDir("pgbake-import-bad-");
    cpSync(fixture, t.dir, { recursive: true });
    for (const [p, c] of Object.entries(files)) writeFileSync(join(t.dir, p), c);
    return t;
  };
  const keepOut = () => {
    const t = tempDir("pgbake-import-out-");
    writeFileSync(join(t.dir, "mine.yaml"), "name: mine\n");
    return t;
  };

  it("names file and line of a version without package, exit 2, output untouched", async () => {
    const repo = badRepo({ "semver/metadata.hcl": 'metadata = {\n  name = "semver"\n  versions = {\n    bookworm = {\n      "15" = {\n        sql = "0.32.0"\n      }\n    }\n  }\n}\n' });
    const dest = keepOut();
    const r = await pgbakeInProcess(["import", "cnpg-extensions", repo.dir, "--out", dest.dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/semver\/metadata\.hcl:5:1: versions\.bookworm\.15: expected \{ package = "DEBIAN-VERSION" \}/);
    expect(readdirSync(dest.dir)).toEqual(["mine.yaml"]);
    repo.cleanup();
    dest.cleanup();
  });

  it("names file and line of an HCL syntax error", async () => {
    const repo = badRepo({ "ip4r/metadata.hcl": 'metadata = {\n  name = "ip4r"\n  licenses = [\n}\n' });
    const dest = keepOut();
    const r = await pgbakeInProcess(["import", "cnpg-extensions", repo.dir, "--out", dest.dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/ip4r\/metadata\.hcl:4:\d+: invalid HCL: /);
    expect(readdirSync(dest.dir)).toEqual(["mine.yaml"]);
    repo.cleanup();
    dest.cleanup();
  });

  it("refuses a directory without */metadata.hcl, and an unknown format", async () => {
    const empty = tempDir("pgbake-import-empty-");
    const r = await pgbakeInProcess(["import", "cnpg-extensions", empty.dir, "--out", join(empty.dir, "x")]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("holds no */metadata.hcl");
    expect(existsSync(join(empty.dir, "x"))).toBe(false);
    const u = await pgbakeInProcess(["import", "pgxn", empty.dir]);
    expect(u.exitCode).toBe(2);
    expect(u.stderr).toContain("import reads cnpg-extensions or bake, not 'pgxn'");
    empty.cleanup();
  });
});

describe("Debian versions as pgbake pins them", () => {
  it.each([
    ["0.8.1-2.pgdg13+1", "0.8.1", "{version}-*"],
    ["3.6.4+dfsg-2.pgdg12+1", "3.6.4", "{version}+dfsg-*"],
    ["1:6.1.0-2.pgdg130+1", "6.1.0", "1:{version}-*"],
    ["2.6", "2.6", "{version}"],
  ])("%s", (deb, version, pattern) => expect(splitDebianVersion(deb)).toEqual({ version, pattern }));
});
