// Versions per apt suite and major (an entry's `suites`): the plan takes the entry of the target's
// base suite (`<codename>` for Debian's own packages, `<codename>-pgdg` for PGDG's) and major,
// a suite's own package name, and an `absent` fact as the reason the extension is left out.
// Plus `pgbake derive --from-distro` on the default config, read back through the plan.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { defaultConfig, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-suites-");
afterAll(() => work.cleanup());

const config = join(work.dir, "pgbake.yaml");
const catalog = join(work.dir, "extensions");
mkdirSync(catalog);
writeFileSync(
  config,
  `registry: localhost:5000
image: pg
default_flavor: base
output: out
postgres:
  - { major: 15, version: "15.20" }
  - { major: 17, version: "17.12" }
bases:
  bookworm: { image: "debian:bookworm-slim", codename: bookworm, postgres_from: distro, majors: [15] }
  trixie: { image: "debian:trixie-slim", codename: trixie, postgres_from: distro, majors: [17] }
  pgdg: { image: "debian:trixie-slim", codename: trixie }
types:
  minimal: { description: server only }
platforms: [linux/amd64]
flavors:
  base: { description: one extension, extensions: [demo] }
`,
);
const demo = (suites: string): string => `name: demo
description: a demo entry
license: MIT
homepage: https://example.org
kind: package
version: "2.0"
versions:
  "17": "1.9"
${suites}
package: postgresql-{major}-demo
`;
const goodSuites = `suites:
  bookworm:
    "15": { version: "1.5", package: "postgresql-{major}-demo-legacy" }
  trixie:
    "17": { absent: "trixie has no postgresql-17-demo" }
  trixie-pgdg:
    "17": "1.95"`;
writeFileSync(join(catalog, "demo.yaml"), demo(goodSuites));
const planned = () => planFrom({ config, extensions: [catalog] });

describe("suites: versions per apt suite and major", () => {
  it("picks the version and package of the target's suite and major, else `versions`, else `version`", () => {
    const { plan } = planned();
    const image = (name: string) => plan.extensionImages.find((t) => t.name === name);
    expect([image("demo-15-bookworm")?.version, image("demo-15-bookworm")?.args.PACKAGES]).toEqual(["1.5", "postgresql-15-demo-legacy=1.5-*"]);
    // PGDG's suite is trixie-pgdg: Debian's trixie facts do not apply to it.
    expect([image("demo-17-pgdg")?.version, image("demo-17-pgdg")?.args.PACKAGES]).toEqual(["1.95", "postgresql-17-demo=1.95-*"]);
    expect([image("demo-15-pgdg")?.version, image("demo-15-pgdg")?.args.PACKAGES]).toEqual(["2.0", "postgresql-15-demo=2.0-*"]);
  });

  it("leaves an extension out where its suite lacks it, with the recorded reason", () => {
    const { plan } = planned();
    expect(plan.extensionImages.some((t) => t.name === "demo-17-trixie")).toBe(false);
    const op = plan.operands.find((o) => o.name === "pg-17-minimal-trixie")!;
    expect(op.excluded).toEqual([{ name: "demo", excludedBecause: "not in trixie for PG 17: trixie has no postgresql-17-demo" }]);
    expect(plan.operands.find((o) => o.name === "pg-15-minimal-bookworm")!.kept.map((k) => [k.name, k.version])).toEqual([["demo", "1.5"]]);
  });

  it("refuses a suite entry that is absent and has a version, at its line", async () => {
    const bad = join(work.dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "demo.yaml"), demo(`suites:\n  trixie:\n    "17": { absent: "gone", version: "1.0" }`));
    const r = await pgbakeInProcess(["plan", "--config", config, "--extensions", bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/demo\.yaml:1[0-9]:[0-9]+: suites\.trixie\.17\.absent: a suite that lacks demo for PG 17 has no version or package for it/);
  });
});

describe("pgbake derive --from-distro", () => {
  it("writes the default config on Debian's suites: same flavors and types, one base per suite", async () => {
    const out = join(work.dir, "derived", "pgbake.yaml");
    const r = await pgbakeInProcess(["derive", "--from-distro", "--config", defaultConfig, "--write", out, "--base", "sid=localhost:5000/debian:sid", "--platform", "linux/amd64"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("note: PG 16 left out: no Debian suite given for it (--suite 16=CODENAME)");
    const derived = planFrom({ config: out }).config;
    const root = planFrom({ config: defaultConfig }).config;
    expect(derived.flavors).toEqual(root.flavors);
    expect(derived.types).toEqual(root.types);
    expect(derived.platforms).toEqual(["linux/amd64"]);
    expect(derived.postgres.map((p) => [p.major, p.version])).toEqual(root.postgres.filter((p) => p.major !== 16).map((p) => [p.major, p.version]));
    expect(derived.bases.map((b) => [b.name, b.image, b.postgres_from, b.majors])).toEqual([
      ["bookworm", "debian:bookworm-slim", "distro", [15]],
      ["trixie", "debian:trixie-slim", "distro", [17]],
      ["sid", "localhost:5000/debian:sid", "distro", [18]],
    ]);
    expect(readFileSync(out, "utf8")).toMatch(/^# yaml-language-server: \$schema=\.\.\/.*schemas\/config\.schema\.json\n# Derived by `pgbake derive --from-distro`/);
    // Rerunning without --force leaves the file alone.
    const again = await pgbakeInProcess(["derive", "--from-distro", "--config", defaultConfig, "--write", out]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("exists: nothing written (--force replaces it)");
  });

  it("takes --suite MAJOR=CODENAME and refuses anything else", async () => {
    const out = join(work.dir, "derived2", "pgbake.yaml");
    const r = await pgbakeInProcess(["derive", "--from-distro", "--config", defaultConfig, "--write", out, "--suite", "18=forky"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(planFrom({ config: out }).config.bases.find((b) => b.majors?.includes(18))).toMatchObject({ name: "forky", codename: "forky" });
    const bad = await pgbakeInProcess(["derive", "--from-distro", "--config", defaultConfig, "--write", join(work.dir, "x.yaml"), "--suite", "eighteen=sid"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("--suite takes MAJOR=CODENAME (17=trixie), not 'eighteen=sid'");
  });
});
