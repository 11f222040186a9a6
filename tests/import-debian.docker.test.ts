// Imported entries proven like any other: the fixture repository imported, the entries Debian
// packages for PostgreSQL 15 on bookworm (ip4r, prefix, semver) built on the e2e bookworm base,
// pushed to the local registry under localhost:5000/i24import, and `pgbake test` run on their
// extension images: CREATE EXTENSION of each (prefix after ip4r, which it requires) in the
// plain operand image with the files copied in (PG 15 has no extension_control_path).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgbakeTest, type TestReport } from "./helpers/e2e.js";
import { pgbake } from "./helpers/cli.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-import-debian-");
const config = join(work.dir, "pgbake.yaml");
const paths = ["--config", config];
let report: TestReport;
let output: string;
let exitCode: number;

beforeAll(async () => {
  const imp = await pgbake(["import", "cnpg-extensions", join(repoRoot, "tests/fixtures/import/cnpg-extensions"), "--out", join(work.dir, "extensions")]);
  expect(imp.exitCode, imp.stderr).toBe(0);
  writeFileSync(
    config,
    [
      "catalogs: [./extensions]",
      "extension_images: [ip4r, prefix, semver]",
      "registry: localhost:5000/i24import",
      "build: { attest: false }",
      "image: postgresql",
      "default_flavor: base",
      "output: ./out",
      'postgres: [{ major: 15, version: "15.20" }]',
      "bases:",
      "  bookworm: { image: localhost:5000/debian:bookworm, codename: bookworm, postgres_from: distro }",
      "types:",
      "  minimal: { description: PostgreSQL server and contrib only }",
      "platforms: [linux/amd64]",
      "flavors:",
      "  base: { description: no extensions, extensions: [] }",
      "",
    ].join("\n"),
  );
  const gen = await pgbake(["generate", ...paths]);
  expect(gen.exitCode, gen.stderr).toBe(0);
  const bake = await execa("node", [join(repoRoot, "dist/src/cli/main.js"), "bake", ...paths, "--push"], { reject: false, all: true, env: { BUILDKIT_PROGRESS: "plain" } });
  expect(bake.exitCode, (bake.all ?? "").slice(-4000)).toBe(0);
  ({ report, output, exitCode } = await pgbakeTest(["ip4r-15-bookworm", "prefix-15-bookworm", "semver-15-bookworm"], join(work.dir, "report"), paths));
}, 3_600_000);
afterAll(() => work.cleanup());

describe("imported entries that Debian packages, built and proven by pgbake test", () => {
  it("passes for each of them", () => {
    expect(exitCode, output.slice(-6000)).toBe(0);
    expect(report.subjects.map((s) => s.target).sort()).toEqual(["ip4r-15-bookworm", "prefix-15-bookworm", "semver-15-bookworm"]);
  });

  it.each([
    ["ip4r-15-bookworm", ["ip4r"]],
    ["semver-15-bookworm", ["semver"]],
    // prefix requires ip4r (the fixture's required_extensions): both are created.
    ["prefix-15-bookworm", ["ip4r", "prefix"]],
  ])("%s: CREATE EXTENSION of what it holds and requires", (target, names) => {
    const s = report.subjects.find((x) => x.target === target)!;
    expect(s.mode).toBe("copy");
    for (const n of names) expect(s.checks.find((c) => c.name === `CREATE EXTENSION ${n}`)?.status, `${target}: ${n}`).toBe("passed");
    expect(
      s.checks.every((c) => c.status === "passed"),
      JSON.stringify(s.checks, null, 1),
    ).toBe(true);
  });
});
