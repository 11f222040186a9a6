// `pgbake update` per apt suite, against real signed repositories on 127.0.0.1: a stable one
// (Release `Suite: oldstable`, codename bookworm) and a rolling one (`Suite: unstable`, sid), each
// the only source of its base's PostgreSQL major. Versions land in `suites.<codename>.<major>`;
// every package a suite lacks is in one table (a stable suite gets no "wait" advice), nothing is
// written until `--exclude-missing` records each as a fact the plan then gives as the reason.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { buildRepo, serve } from "./helpers/apt-repo.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-update-suites-");
const config = join(work.dir, "pgbake.yaml");
const catalog = join(work.dir, "extensions");
const paths = ["--config", config, "--extensions", catalog];
let server: Server | undefined;

/** A minimal .deb (no files) named and versioned as given. */
function deb(dir: string, pkg: string, version: string): string {
  const tree = join(dir, `${pkg}_${version}`);
  mkdirSync(join(tree, "DEBIAN"), { recursive: true });
  writeFileSync(join(tree, "DEBIAN/control"), `Package: ${pkg}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: t <t@example.invalid>\nDescription: test\n`);
  const out = `${tree}_amd64.deb`; // apt-ftparchive --arch reads files named for their architecture
  execFileSync("dpkg-deb", ["--build", "-Znone", tree, out], { stdio: "pipe" });
  return out;
}

const entry = (name: string): string => `name: ${name}\ndescription: ${name}\nlicense: MIT\nhomepage: https://example.org\nkind: package\nversion: "2.0"\npackage: postgresql-{major}-${name}\n`;

beforeAll(async () => {
  const debs = join(work.dir, "debs");
  mkdirSync(debs);
  const gnupg = join(work.dir, "gnupg");
  const www = join(work.dir, "www");
  const { keyFile } = buildRepo(join(www, "stable"), "bookworm", [deb(debs, "postgresql-15-alpha", "1.4-1"), deb(debs, "postgresql-15-alpha", "1.5-1")], ["amd64"], gnupg, "oldstable");
  // The rolling suite also lists a version too long for the field: skipped with a note, 2.1 kept.
  buildRepo(join(www, "rolling"), "sid", [deb(debs, "postgresql-18-alpha", "2.1-1"), deb(debs, "postgresql-18-alpha", `9.${"1".repeat(80)}-1`)], ["amd64"], gnupg, "unstable");
  // PGDG's suites are named <codename>-pgdg and keep taking packages.
  buildRepo(join(www, "pgdg"), "trixie-pgdg", [deb(debs, "postgresql-17-alpha", "2.2-1.pgdg13+1")], ["amd64"], gnupg);
  const served = await serve(www);
  server = served.server;
  mkdirSync(catalog);
  writeFileSync(join(catalog, "alpha.yaml"), entry("alpha"));
  writeFileSync(join(catalog, "beta.yaml"), entry("beta"));
  const base = (codename: string, major: number, dir: string): string =>
    `  ${codename}:\n    image: debian:${codename}-slim\n    codename: ${codename}\n    postgres_from: distro\n    majors: [${major}]\n` +
    `    apt:\n      distro:\n        - { uri: "${served.url}/${dir}", suites: [${codename}], signed_by: ${keyFile} }\n`;
  writeFileSync(
    config,
    `registry: localhost:5000\nimage: pg\ndefault_flavor: base\noutput: out\npostgres:\n  - { major: 15, version: "15.20" }\n  - { major: 17, version: "17.12" }\n  - { major: 18, version: "18.6" }\n` +
      `bases:\n${base("bookworm", 15, "stable")}${base("sid", 18, "rolling")}` +
      `  pgdg:\n    image: debian:trixie-slim\n    codename: trixie\n    majors: [17]\n    apt: { pgdg_mirror: "${served.url}/pgdg", pgdg_key: "${served.url}/pgdg/key.asc" }\n` +
      `types:\n  minimal: { description: server only }\nplatforms: [linux/amd64]\nflavors:\n  base: { description: two, extensions: [alpha, beta] }\n`,
  );
  expect((await pgbakeInProcess(["generate", ...paths])).exitCode).toBe(0);
});
afterAll(() => {
  server?.close();
  work.cleanup();
});

describe("pgbake update per suite", () => {
  it("reports every package a suite lacks in one table, writes nothing, and advises waiting only for a rolling suite", async () => {
    const before = readFileSync(join(catalog, "alpha.yaml"), "utf8");
    const r = await pgbakeInProcess(["update", ...paths, "--only", "packages"]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toContain("3 package(s) missing from the suites the plan builds them for (nothing written)");
    expect(r.stdout).toContain("| beta | 15 | bookworm | postgresql-15-beta | amd64 | exclude: a stable suite gets no new packages |");
    expect(r.stdout).toContain("| beta | 18 | sid | postgresql-18-beta | amd64 | wait for the repository, or exclude |");
    expect(r.stdout).toContain("| beta | 17 | trixie-pgdg | postgresql-17-beta | amd64 | wait for the repository, or exclude |");
    expect(r.stdout).toContain("Rerun with --exclude-missing");
    expect(r.stdout).toMatch(/^note: http:\/\/127\.0\.0\.1:[0-9]+\/rolling sid: postgresql-18-alpha version '9\.1{38}\.\.\.' skipped: 82 characters, more than the 64 the field allows$/m);
    expect(readFileSync(join(catalog, "alpha.yaml"), "utf8")).toBe(before);
  });

  it("with --exclude-missing writes each suite's version and each absence as facts the plan uses", async () => {
    const r = await pgbakeInProcess(["update", ...paths, "--only", "packages", "--exclude-missing"]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(catalog, "alpha.yaml"), "utf8")).toContain('version: "2.2"\nsuites:\n  bookworm:\n    "15": "1.5"\n  sid:\n    "18": "2.1"\n');
    expect(readFileSync(join(catalog, "beta.yaml"), "utf8")).toMatch(
      /suites:\n {2}bookworm:\n {4}"15":\n {6}absent: "bookworm has no postgresql-15-beta for amd64 \(pgbake update, [0-9-]+\); a stable suite gets no new packages"\n/,
    );
    const { plan } = planFrom({ config, extensions: [catalog] });
    expect(plan.extensionImages.map((t) => [t.name, t.version, t.args.PACKAGES])).toEqual([
      ["alpha-15-bookworm", "1.5", "postgresql-15-alpha=1.5-*"],
      // PGDG's suite moves the entry's own version; Debian's suites keep theirs.
      ["alpha-17-pgdg", "2.2", "postgresql-17-alpha=2.2-*"],
      ["alpha-18-sid", "2.1", "postgresql-18-alpha=2.1-*"],
    ]);
    expect(plan.operands.find((o) => o.major === 18)!.excluded).toEqual([
      { name: "beta", excludedBecause: expect.stringMatching(/^not in sid for PG 18: sid has no postgresql-18-beta for amd64 \(pgbake update, [0-9-]+\)$/) },
    ]);
    expect(plan.operands.find((o) => o.major === 17)!.excluded).toEqual([
      { name: "beta", excludedBecause: expect.stringMatching(/^not in trixie-pgdg for PG 17: trixie-pgdg has no postgresql-17-beta for amd64/) },
    ]);
    const again = await pgbakeInProcess(["update", ...paths, "--only", "packages"]);
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.stdout).toContain("all pins current (packages)");
  });
});
