// `pgbake test --upgrade-from`: the PGXS fixture at 1.0, and at 1.1 with an upgrade script (a new
// function the 1.1 smoke test calls), each in a PG 18 operand image of its own tag; and at 1.1
// without the upgrade script. The data directory made by the 1.0 image is started by the 1.1
// image, ALTER EXTENSION ... UPDATE runs: with the script it passes (1.0 -> 1.1), without it
// the run fails naming the extension and both versions.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAndBake, pgbakeTest } from "../helpers/e2e.js";
import { repoRoot, tempDir } from "../helpers/workspace.js";

const work = tempDir("pgbake-e2e-upgrade-");
afterAll(() => work.cleanup());

interface Variant {
  name: string;
  version: string;
  tag: string;
  upgradeScript: boolean;
  smokeTest: string;
}
const variants: Variant[] = [
  { name: "old", version: "1.0", tag: "fixture-1.0", upgradeScript: false, smokeTest: "SELECT pgbake_fixture_add(2, 3) = 5" },
  { name: "new", version: "1.1", tag: "fixture-1.1", upgradeScript: true, smokeTest: "SELECT pgbake_fixture_mul(2, 3) = 6" },
  { name: "no-script", version: "1.1", tag: "fixture-1.1-no-script", upgradeScript: false, smokeTest: "SELECT pgbake_fixture_mul(2, 3) = 6" },
];
const paths = (v: Variant) => ["--config", join(work.dir, v.name, "pgbake.yaml"), "--extensions", join(work.dir, v.name, "extensions")];
// Each run's own build token, so the build cache never serves another run's 1.1 (see caching.test.ts).
const token = `${process.pid}-${Date.now()}`;

/** The fixture's sources at a version: 1.1 adds pgbake_fixture_mul, its install script and (optionally) 1.0--1.1. */
function fixtureAt(v: Variant, dir: string): void {
  cpSync(join(repoRoot, "tests/fixtures/pgbake_fixture"), dir, { recursive: true });
  if (v.version === "1.0") return;
  const edit = (file: string, from: string, to: string): void => writeFileSync(join(dir, file), readFileSync(join(dir, file), "utf8").replace(from, to));
  const mul = ["CREATE FUNCTION pgbake_fixture_mul(integer, integer) RETURNS integer", "  AS 'MODULE_PATHNAME', 'pgbake_fixture_mul' LANGUAGE C IMMUTABLE STRICT;", ""].join("\n");
  edit("pgbake_fixture.c", '"1.0"', `"1.1 (${token})"`);
  edit(
    "pgbake_fixture.c",
    "PG_FUNCTION_INFO_V1(pgbake_fixture_version);",
    "PG_FUNCTION_INFO_V1(pgbake_fixture_mul);\nDatum\npgbake_fixture_mul(PG_FUNCTION_ARGS)\n{\n\tPG_RETURN_INT32(PG_GETARG_INT32(0) * PG_GETARG_INT32(1));\n}\n\nPG_FUNCTION_INFO_V1(pgbake_fixture_version);",
  );
  edit("pgbake_fixture.control", "'1.0'", "'1.1'");
  const install = readFileSync(join(dir, "pgbake_fixture--1.0.sql"), "utf8");
  writeFileSync(join(dir, "pgbake_fixture--1.1.sql"), `${install}\n${mul}`);
  rmSync(join(dir, "pgbake_fixture--1.0.sql"));
  const data = ["pgbake_fixture--1.1.sql"];
  if (v.upgradeScript) {
    writeFileSync(join(dir, "pgbake_fixture--1.0--1.1.sql"), `\\echo Use "ALTER EXTENSION pgbake_fixture UPDATE" to load this file. \\quit\n\n${mul}`);
    data.push("pgbake_fixture--1.0--1.1.sql");
  }
  edit("Makefile", "DATA = pgbake_fixture--1.0.sql", `DATA = ${data.join(" ")}`);
}

function project(v: Variant): void {
  const root = join(work.dir, v.name);
  mkdirSync(join(root, "extensions"), { recursive: true });
  fixtureAt(v, join(root, "src"));
  writeFileSync(
    join(root, "pgbake.yaml"),
    [
      // A repository prefix of its own: no other test's images are touched.
      "registry: localhost:5000/pgbake-e2e-upgrade",
      "build: { attest: false, cache: false }",
      "image: postgresql",
      "default_flavor: base",
      "output: out",
      'postgres: [{ major: 18, version: "18.6" }]',
      "bases: { sid: { image: localhost:5000/debian:sid, codename: sid, postgres_from: distro } }",
      "types: { minimal: { description: server and contrib only } }",
      "platforms: [linux/amd64]",
      "flavors: { base: { description: the fixture, extensions: [pgbake_fixture] } }",
      `tags: { operand: ["{major}-{type}-{base}-${v.tag}"], extension: ["{ext_version}-{major}-{base}-${v.tag}"] }`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(root, "extensions/pgbake_fixture.yaml"),
    [
      "name: pgbake_fixture",
      "description: the PGXS fixture",
      "license: Apache-2.0",
      "homepage: https://example.invalid/pgbake_fixture",
      "kind: source",
      `version: "${v.version}"`,
      "source: { git: ../src, ref: local, build: pgxs }",
      `smoke_test: ${v.smokeTest}`,
      "",
    ].join("\n"),
  );
}

beforeAll(async () => {
  for (const v of variants) {
    project(v);
    const run = await generateAndBake(join(work.dir, v.name, "pgbake.yaml"), ["--push"], join(work.dir, v.name, "extensions"));
    expect(run.exitCode, `${v.name}: ${run.output.slice(-4000)}`).toBe(0);
  }
});

describe("pgbake test --upgrade-from", () => {
  it("updates the fixture from 1.0 to 1.1 on the old image's data directory, and its 1.1 smoke test passes", async () => {
    const { exitCode, output, report } = await pgbakeTest(["--upgrade-from", "18-minimal-sid-fixture-1.0", "postgresql-18-minimal-sid"], join(work.dir, "r1"), paths(variants[1]!));
    console.log(`pgbake test --upgrade-from: ${report.totals.images} image, ${report.totals.extensions} extension in ${report.totals.seconds.toFixed(0)} s`);
    expect(exitCode, output.slice(-4000)).toBe(0);
    const s = report.subjects[0]!;
    expect(s.mode).toBe("upgrade");
    expect(s.versions).toEqual([{ extension: "pgbake_fixture", sqlName: "pgbake_fixture", before: "1.0", after: "1.1" }]);
    expect(s.checks.find((c) => c.name === "smoke test pgbake_fixture")?.status).toBe("passed");
    expect(output).toMatch(/pgbake_fixture: 1\.0 -> 1\.1/);
  });

  it("fails, naming the extension and both versions, when the new image lacks the upgrade script", async () => {
    const old = "localhost:5000/pgbake-e2e-upgrade/postgresql:18-minimal-sid-fixture-1.0";
    const { exitCode, output, report } = await pgbakeTest(["--upgrade-from", old, "postgresql-18-minimal-sid"], join(work.dir, "r2"), paths(variants[2]!));
    expect(exitCode, output.slice(-4000)).toBe(1);
    const failed = report.subjects[0]!.checks.filter((c) => c.status === "failed");
    expect(failed.map((c) => c.name)).toEqual(["ALTER EXTENSION pgbake_fixture UPDATE"]);
    expect(failed[0]!.detail).toMatch(/^pgbake_fixture: ALTER EXTENSION pgbake_fixture UPDATE from 1\.0 to 1\.1 failed: .*no update path from version "1\.0" to version "1\.1"/);
    expect(output).toMatch(/FAIL  ALTER EXTENSION pgbake_fixture UPDATE: pgbake_fixture: .* from 1\.0 to 1\.1/);
  });

  it("updates the fixture's extension image the CloudNativePG way: the 1.0 image mounted first, then the 1.1 image", async () => {
    // These configs' only operand holds the fixture: the plain one of the e2e config's shared bake
    // (same runtime build) is the CloudNativePG minimal image here.
    const args = ["--upgrade-from", "1.0-18-sid-fixture-1.0", "--operand", "localhost:5000/postgresql:18-minimal-sid", "pgbake_fixture-18-sid"];
    const good = await pgbakeTest(args, join(work.dir, "r3"), paths(variants[1]!));
    expect(good.exitCode, good.output.slice(-4000)).toBe(0);
    expect(good.report.subjects[0]!.versions).toEqual([{ extension: "pgbake_fixture", sqlName: "pgbake_fixture", before: "1.0", after: "1.1" }]);
    expect(good.output).toMatch(/pgbake_fixture: 1\.0 -> 1\.1/);
    // Without --operand there is no image to mount it in: a failure that says so, not a pass.
    const none = await pgbakeTest(
      args.filter((a, i) => a !== "--operand" && args[i - 1] !== "--operand"),
      join(work.dir, "r5"),
      paths(variants[1]!),
    );
    expect(none.exitCode).toBe(1);
    expect(none.output).toMatch(/give one with --operand IMAGE/);
    const bad = await pgbakeTest(args, join(work.dir, "r4"), paths(variants[2]!));
    expect(bad.exitCode).toBe(1);
    const failed = bad.report.subjects[0]!.checks.filter((c) => c.status === "failed");
    expect(failed.map((c) => c.detail)).toEqual([expect.stringMatching(/^pgbake_fixture: ALTER EXTENSION pgbake_fixture UPDATE from 1\.0 to 1\.1 failed: .*no update path/)]);
  });
});
