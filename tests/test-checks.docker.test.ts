// The checks of issue 22 on real images, each seen to pass and to fail on purpose: a project of its
// own (registry prefix localhost:5000/i22test) builds a PG 18 operand holding a PGXS fixture at 1.1
// (installable at 1.0 too, with a 1.0--1.1 script that names '$libdir/pgbake_fixture' literally,
// as PostGIS's upgrade scripts do) and the extension images of the fixture and of h3 (a library in
// /system). Small Dockerfiles then make the broken images from them:
// - h3's image without its /system (a missing library);
// - an image whose /system holds another library under h3's soname (a clash when mounted with h3);
// - the fixture's image with '$libdir/' put back in its upgrade script (the image without the
//   build-time fix: its upgrade path fails under an image volume);
// - the fixture's image with a function's result type changed (an interface snapshot diff);
// - the operand with an entrypoint that runs a failing query as the server starts (an ERROR in
//   the server log), which the fixture's catalog entry declares, so it passes until the
//   declaration is taken away.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { runTests, subjectsFor, type Subject, type TestOptions } from "../src/verify/index.js";
import type { ExtensionImageSubject, OperandSubject } from "../src/verify/subjects.js";
import { snapshotFile } from "../src/verify/snapshot.js";
import { docker, generateAndBake, pgbakeTest } from "./helpers/e2e.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-i22-checks-");
afterAll(() => work.cleanup());
const registry = "localhost:5000/i22test";
const config = join(work.dir, "pgbake.yaml");
const extensions = join(work.dir, "extensions");
const paths = ["--config", config, "--extensions", extensions];
const bootError = "SELECT i22_boot_error()";

/** The fixture at 1.1: install scripts for 1.0 and 1.1, and 1.0--1.1 naming the module by '$libdir/'. */
function fixtureSources(dir: string): void {
  cpSync(join(repoRoot, "tests/fixtures/pgbake_fixture"), dir, { recursive: true });
  const edit = (file: string, from: string, to: string): void => writeFileSync(join(dir, file), readFileSync(join(dir, file), "utf8").replace(from, to));
  edit(
    "pgbake_fixture.c",
    "PG_FUNCTION_INFO_V1(pgbake_fixture_version);",
    "PG_FUNCTION_INFO_V1(pgbake_fixture_mul);\nDatum\npgbake_fixture_mul(PG_FUNCTION_ARGS)\n{\n\tPG_RETURN_INT32(PG_GETARG_INT32(0) * PG_GETARG_INT32(1));\n}\n\nPG_FUNCTION_INFO_V1(pgbake_fixture_version);",
  );
  edit("pgbake_fixture.control", "'1.0'", "'1.1'");
  const mul = (module: string): string => `CREATE FUNCTION pgbake_fixture_mul(integer, integer) RETURNS integer\n  AS '${module}', 'pgbake_fixture_mul' LANGUAGE C IMMUTABLE STRICT;\n`;
  writeFileSync(join(dir, "pgbake_fixture--1.1.sql"), `${readFileSync(join(dir, "pgbake_fixture--1.0.sql"), "utf8")}\n${mul("MODULE_PATHNAME")}`);
  // Like PostGIS's upgrade scripts: LOAD '$libdir/...' (which PG 18 does not resolve through
  // dynamic_library_path) and functions AS '$libdir/...' (which it does).
  writeFileSync(
    join(dir, "pgbake_fixture--1.0--1.1.sql"),
    `\\echo Use "ALTER EXTENSION pgbake_fixture UPDATE" to load this file. \\quit\n\nLOAD '$libdir/pgbake_fixture';\n${mul("$libdir/pgbake_fixture")}`,
  );
  edit("Makefile", "DATA = pgbake_fixture--1.0.sql", "DATA = pgbake_fixture--1.0.sql pgbake_fixture--1.1.sql pgbake_fixture--1.0--1.1.sql");
}

function project(): void {
  mkdirSync(extensions, { recursive: true });
  fixtureSources(join(work.dir, "src"));
  writeFileSync(
    config,
    [
      `registry: ${registry}`,
      "build: { attest: false }",
      "image: postgresql",
      "default_flavor: base",
      "output: out",
      'postgres: [{ major: 18, version: "18.6" }]',
      "bases: { sid: { image: localhost:5000/debian:sid, codename: sid, postgres_from: distro } }",
      "types: { minimal: { description: server and contrib only } }",
      "platforms: [linux/amd64]",
      "flavors: { base: { description: none, extensions: [] }, full: { description: the fixture, extensions: [pgbake_fixture] } }",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(extensions, "pgbake_fixture.yaml"),
    [
      "name: pgbake_fixture",
      "description: the PGXS fixture at 1.1, with an upgrade script from 1.0",
      "license: Apache-2.0",
      "homepage: https://example.invalid/pgbake_fixture",
      "kind: source",
      'version: "1.1"',
      "source: { git: ../src, ref: local, build: pgxs }",
      "smoke_test: SELECT pgbake_fixture_mul(2, 3) = 6",
      "expected_server_log:",
      '  - { match: "^ERROR: +function i22_boot_error", reason: the boot-error fixture image runs it on purpose }',
      "",
    ].join("\n"),
  );
  cpSync(join(repoRoot, "e2e/extensions/h3.yaml"), join(extensions, "h3.yaml"));
}

const { plan, catalog } = (() => {
  project();
  return planFrom({ config, extensions });
})();
const ref = (name: string): string => {
  const t = [...plan.operands, ...plan.extensionImages].find((x) => x.name === name)!;
  return `${registry}/${t.tags[0]}`;
};
const fixtureImage = ref("pgbake_fixture-18-sid");
const h3Image = ref("h3-18-sid");
const operandImage = ref("postgresql-18-minimal-sid");
const fullImage = ref("postgresql-full-18-minimal-sid");
const broken = {
  noSystem: `${registry}/broken:h3-no-system`,
  clash: `${registry}/broken:libh3-clash`,
  libdir: `${registry}/broken:fixture-libdir`,
  changed: `${registry}/broken:fixture-changed`,
  bootError: `${registry}/broken:boot-error`,
};

/** Builds an image from a Dockerfile given as text, with files beside it, and pushes it (pgbake test pulls what it runs). */
async function build(tag: string, dockerfile: string, files: Record<string, string> = {}): Promise<void> {
  const dir = join(work.dir, "broken", tag.replace(/[^a-z0-9]+/g, "-"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Dockerfile"), dockerfile);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o755 });
  await docker(["build", "-q", "-t", tag, dir]);
  await docker(["push", "-q", tag]);
}

beforeAll(async () => {
  const bake = await generateAndBake(config, ["--push"], extensions);
  expect(bake.exitCode, bake.output.slice(-4000)).toBe(0);
  const edit = (from: string, script: string): string =>
    [`FROM ${operandImage} AS edit`, "USER root", `COPY --from=${from} / /x/`, `RUN set -eu; ${script}`, "FROM scratch", "COPY --from=edit /x/ /", ""].join("\n");
  await build(broken.noSystem, [`FROM ${h3Image} AS h3`, "FROM scratch", "COPY --from=h3 /lib/ /lib/", "COPY --from=h3 /share/ /share/", "COPY --from=h3 /licenses/ /licenses/", ""].join("\n"));
  await build(
    broken.clash,
    [
      `FROM ${operandImage} AS src`,
      "FROM scratch",
      "COPY --from=src /usr/lib/x86_64-linux-gnu/libz.so.1 /system/libh3.so.1",
      "COPY --from=src /usr/share/doc/zlib1g/copyright /licenses/zlib1g/copyright",
      "",
    ].join("\n"),
  );
  await build(
    broken.libdir,
    edit(
      fixtureImage,
      `sed -i "s|'pgbake_fixture'|'\\$libdir/pgbake_fixture'|g" /x/share/extension/pgbake_fixture--1.0--1.1.sql; grep -F "LOAD '\\$libdir/" /x/share/extension/pgbake_fixture--1.0--1.1.sql`,
    ),
  );
  await build(
    broken.changed,
    edit(
      fixtureImage,
      `sed -i 's|pgbake_fixture_add(integer, integer) RETURNS integer|pgbake_fixture_add(integer, integer) RETURNS bigint|' /x/share/extension/pgbake_fixture--1.1.sql; grep -q 'RETURNS bigint' /x/share/extension/pgbake_fixture--1.1.sql`,
    ),
  );
  await build(broken.bootError, [`FROM ${fullImage}`, "COPY i22-entrypoint.sh /usr/local/bin/", 'ENTRYPOINT ["/usr/local/bin/i22-entrypoint.sh"]', 'CMD ["postgres"]', ""].join("\n"), {
    "i22-entrypoint.sh": [
      "#!/bin/sh",
      "# A server that logs an ERROR as it starts: a failing query as soon as it accepts connections.",
      `( until pg_isready -q -U postgres; do sleep 0.2; done; psql -U postgres -Xqc '${bootError}' ) >/dev/null 2>&1 &`,
      'exec pgbake-entrypoint.sh "$@"',
      "",
    ].join("\n"),
  });
});
afterAll(async () => {
  for (const tag of Object.values(broken)) await docker(["rmi", "-f", tag], { reject: false });
});

const subject = <S extends Subject>(target: string): S => subjectsFor(plan, catalog.extensions, [target])[0] as S;
/** An extension image subject with its own mount (the last) from another image, and mounts before it. */
const mountedAs = (s: ExtensionImageSubject, image: string, before: ExtensionImageSubject["mounts"] = []): ExtensionImageSubject => ({
  ...s,
  mounts: [...before, ...s.mounts.slice(0, -1), { ...s.mounts.at(-1)!, image }],
});
/** runTests as `pgbake test --deep` runs it, unless the options say otherwise. */
const run = async (subjects: Subject[], opts: TestOptions = { deep: true }) => (await runTests(subjects, { log: () => {}, ...opts })).subjects;
const check = (checks: { name: string }[], name: string) => checks.find((c) => c.name === name) as { name: string; status: string; detail?: string; kind?: string } | undefined;

describe("pgbake test on the good images", () => {
  let report: Awaited<ReturnType<typeof pgbakeTest>>;
  const snapshots = join(work.dir, "snapshots");
  beforeAll(async () => {
    report = await pgbakeTest(["--deep", "--snapshot", snapshots], join(work.dir, "report-good"), paths);
  });

  it("passes every check of every image, each new check a case of its own counted in the summary", () => {
    expect(report.exitCode, report.output.slice(-6000)).toBe(0);
    const all = report.report.subjects.flatMap((s) => s.checks.map((c) => ({ ...c, target: s.target })));
    const kinds = (report.report as unknown as { kinds: { kind: string; run: number; failed: number }[] }).kinds;
    for (const k of ["server-log", "libraries", "upgrade-path", "snapshot"]) expect(kinds.find((x) => x.kind === k)!.run, k).toBeGreaterThan(0);
    expect(kinds.every((k) => k.failed === 0)).toBe(true);
    expect(report.output).toMatch(/\n {2}server log clean: 4 run, 0 failed\n {2}libraries resolve: 4 run, 0 failed\n/);
    const images = report.report.subjects.filter((s) => s.mode !== "together");
    for (const s of images) expect(check(s.checks, "server log clean")?.status, s.target).toBe("passed");
    expect(
      all
        .filter((c) => c.name.endsWith("libraries resolve"))
        .map((c) => c.target)
        .sort(),
    ).toEqual(images.map((s) => s.target).sort());
    // The two extension images of PG 18 on sid, as a set a Cluster may mount.
    const together = report.report.subjects.find((s) => s.mode === "together")!;
    expect(together.target).toBe("extension images of PostgreSQL 18 on sid");
    expect(together.checks).toMatchObject([{ name: "no library clash among 2 images", status: "passed", kind: "library-clash" }]);
  });

  it("creates the fixture at 1.0 and updates it to 1.1, mounted and in the operand image: the build stripped '$libdir/'", () => {
    for (const target of ["pgbake_fixture-18-sid", "postgresql-full-18-minimal-sid"]) {
      const s = report.report.subjects.find((x) => x.target === target)!;
      expect(check(s.checks, "upgrade path pgbake_fixture 1.0 -> 1.1"), target).toMatchObject({ status: "passed", kind: "upgrade-path" });
    }
  });

  it("writes one interface file per extension and major, and a second run (without --deep) finds it unchanged and runs no other new check", async () => {
    const file = snapshotFile(snapshots, "pgbake_fixture", 18);
    expect(readFileSync(file, "utf8")).toContain("pgbake_fixture\tfunction pgbake_fixture_add(integer,integer)\treturns integer immutable strict");
    expect(existsSync(snapshotFile(snapshots, "h3", 18))).toBe(true);
    const again = await pgbakeTest(["--snapshot", snapshots, "pgbake_fixture-18-sid"], join(work.dir, "report-again"), paths);
    expect(again.exitCode, again.output.slice(-3000)).toBe(0);
    expect(check(again.report.subjects[0]!.checks, "interface snapshot pgbake_fixture")?.detail).toMatch(/objects as in /);
    // --snapshot alone: no server log, ldd, clash or upgrade path check, and no 'together' subject.
    expect(again.report.subjects.map((s) => s.mode)).toEqual(["image-volume"]);
    expect(again.report.subjects[0]!.checks.filter((c) => c.kind !== undefined).map((c) => c.kind)).toEqual(["snapshot"]);
    expect(again.report.kinds.filter((k) => k.run > 0).map((k) => k.kind)).toEqual(["snapshot"]);
  });

  describe("and each check failing on purpose", () => {
    it("a missing library: names the file and the soname", async () => {
      const [s] = await run([mountedAs(subject("h3-18-sid"), broken.noSystem)]);
      expect(check(s!.checks, "h3 libraries resolve")).toMatchObject({ status: "failed", kind: "libraries" });
      expect(check(s!.checks, "h3 libraries resolve")!.detail).toMatch(
        /^\/extensions\/h3\/lib\/h3\.so needs libh3\.so\.1, not found; \/extensions\/h3\/lib\/h3_postgis\.so needs libh3\.so\.1, not found \(LD_LIBRARY_PATH=\/extensions\/h3\/system\)$/,
      );
    });

    it("two images with the same soname and different content: names the library and both images", async () => {
      const clash = { name: "i22clash", image: broken.clash, target: "i22clash", hasSystemLibraries: true };
      const s = mountedAs(subject<ExtensionImageSubject>("h3-18-sid"), h3Image, [clash]);
      const [r] = await run([s]);
      const c = check(r!.checks, "no library clash among i22clash, h3");
      expect(c).toMatchObject({ status: "failed", kind: "library-clash" });
      expect(c!.detail).toMatch(new RegExp(`^system/libh3\\.so\\.1 differs between i22clash \\(${broken.clash}, sha256 [0-9a-f]{12}\\) and h3 \\(${h3Image}, sha256 [0-9a-f]{12}\\)$`));
    });

    it("an upgrade script naming '$libdir/' (the image without the build-time fix): the path fails under the image volume", async () => {
      const [s] = await run([mountedAs(subject("pgbake_fixture-18-sid"), broken.libdir)]);
      const c = check(s!.checks, "upgrade path pgbake_fixture 1.0 -> 1.1");
      expect(c).toMatchObject({ status: "failed", kind: "upgrade-path" });
      expect(c!.detail).toMatch(/^pgbake_fixture: pgbake_fixture 1\.0 -> 1\.1 failed: ERROR: +could not access file "\$libdir\/pgbake_fixture": No such file or directory/);
      // What CREATE EXTENSION uses (MODULE_PATHNAME) still works: only the path breaks.
      expect(check(s!.checks, "CREATE EXTENSION pgbake_fixture")?.status).toBe("passed");
    });

    it("a broken path the entry declares (broken_upgrade_paths) is skipped with its reason; a declaration of paths the image does not ship fails", async () => {
      const s = mountedAs(subject<ExtensionImageSubject>("pgbake_fixture-18-sid"), broken.libdir);
      const declared = { ...s, extension: { ...s.extension, brokenUpgradePaths: [{ sqlName: "pgbake_fixture", from: ["1.0"], reason: "its script LOADs $libdir/" }] } };
      const stale = { ...s, extension: { ...s.extension, brokenUpgradePaths: [{ sqlName: "pgbake_fixture", from: ["0.9"], reason: "gone" }] } };
      const [d, st] = await run([declared, stale]);
      expect(check(d!.checks, "upgrade path pgbake_fixture 1.0 -> 1.1")).toMatchObject({
        status: "skipped",
        kind: "upgrade-path",
        detail: "broken_upgrade_paths of pgbake_fixture: its script LOADs $libdir/",
      });
      expect(d!.checks.filter((c) => c.status === "failed")).toEqual([]);
      expect(check(st!.checks, "upgrade paths pgbake_fixture declared broken")).toMatchObject({ status: "failed", kind: "upgrade-path" });
      expect(check(st!.checks, "upgrade paths pgbake_fixture declared broken")!.detail).toMatch(/broken_upgrade_paths names pgbake_fixture 0\.9, but the image ships no path from any of them/);
      // Not declared there, the real path still runs (and fails on the broken image).
      expect(check(st!.checks, "upgrade path pgbake_fixture 1.0 -> 1.1")?.status).toBe("failed");
    });

    it("a server that logs an ERROR at start: passes while the entry declares it, fails naming the line when it does not", async () => {
      const op = { ...subject<OperandSubject>("postgresql-full-18-minimal-sid"), image: broken.bootError };
      const undeclared = { ...op, extensions: op.extensions.map((e) => ({ ...e, expectedLog: [] })) };
      const [declared, bare] = await run([op, undeclared]);
      expect(check(declared!.checks, "server log clean")).toMatchObject({ status: "passed", detail: expect.stringContaining("pgbake_fixture: the boot-error fixture image runs it on purpose") });
      const c = check(bare!.checks, "server log clean");
      expect(c).toMatchObject({ status: "failed", kind: "server-log" });
      expect(c!.detail).toMatch(/^the server logged 1 ERROR: "ERROR: +function i22_boot_error\(\) does not exist/);
    });

    it("a changed function: the snapshot names it, and --accept records the new interface", async () => {
      const dir = join(work.dir, "snapshots-changed");
      cpSync(snapshots, dir, { recursive: true });
      const changed = mountedAs(subject("pgbake_fixture-18-sid"), broken.changed);
      // --snapshot needs no --deep.
      const [s] = await run([changed], { snapshot: { dir, accept: false } });
      const c = check(s!.checks, "interface snapshot pgbake_fixture");
      expect(c).toMatchObject({ status: "failed", kind: "snapshot" });
      expect(c!.detail).toContain("changed: function pgbake_fixture_add(integer,integer): returns integer immutable strict -> returns bigint immutable strict");
      const [accepted] = await run([changed], { snapshot: { dir, accept: true } });
      expect(check(accepted!.checks, "interface snapshot pgbake_fixture")).toMatchObject({ status: "passed", detail: expect.stringMatching(/^accepted: changed: /) });
      expect(readFileSync(snapshotFile(dir, "pgbake_fixture", 18), "utf8")).toContain("returns bigint immutable strict");
      rmSync(dir, { recursive: true });
    });
  });
});
