// The default config, proven: `pgbake derive --from-distro` turns the root pgbake.yaml (same
// catalog, flavors and types) into a config on the local debootstrapped bases with PostgreSQL
// from Debian's suites (PG 15 bookworm, 17 trixie, 18 sid), and every operand image of every
// flavor and type, with every extension image they use, is built, pushed and proven by
// `pgbake test --jobs 2`.
//
// Sources this machine cannot fetch: timescaledb is built for real from Debian's own source
// package (apt-get source from the host's mirror), committed into a bare git repository that a
// git daemon on 127.0.0.1 serves, and the entry's source overridden to it. Citus, pg_search,
// wal_g and pguint are left out with their reason (disabled in an override catalog), and the
// test output names them; the rest of their flavors is still proven.
//
// PGBAKE_E2E_DEFAULT=0 skips it on a machine where its builds take too long (see README).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitsCiBudget } from "../helpers/ci-budget.js";
import { planFrom } from "../../src/pipeline/index.js";
import { cliPath, pgbake } from "../helpers/cli.js";
import { type TestReport } from "../helpers/e2e.js";
import { mainMirror } from "../helpers/host-apt.js";
import { defaultConfig, defaultExtensions, repoRoot, tempDir } from "../helpers/workspace.js";

const enabled = process.env.PGBAKE_E2E_DEFAULT !== "0" && fitsCiBudget("the default config from Debian's suites e2e", 40);
const work = tempDir("pgbake-default-distro-");
const config = join(work.dir, "pgbake.yaml");
const overrides = join(work.dir, "overrides");
const paths = ["--config", config, "--extensions", defaultExtensions, "--extensions", overrides];
// Its own repository prefix: the main e2e config pushes the same repositories and tags.
const registry = "localhost:5000/pgbake-default-distro";
const unreachable: Record<string, string> = {
  citus: "https://github.com/citusdata/citus",
  pg_search: "https://github.com/paradedb/paradedb",
  wal_g: "https://github.com/wal-g/wal-g",
  pguint: "https://github.com/petere/pguint",
};
let daemon: ChildProcess | undefined;
let timescale = { version: "", commit: "" };
let targets: string[] = [];
let bake = { exitCode: 1, output: "", seconds: 0 };
let test = { exitCode: 1, output: "", seconds: 0 };
let report: TestReport;
const planned = () => planFrom({ config, extensions: [defaultExtensions, overrides] });

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "pgbake e2e", GIT_AUTHOR_EMAIL: "e2e@example.invalid", GIT_COMMITTER_NAME: "pgbake e2e", GIT_COMMITTER_EMAIL: "e2e@example.invalid" };
const git = (args: string[], cwd: string): string => execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" }).trim();

/** Debian's timescaledb source (the host mirror's trixie), as a tagged commit of a bare repository. */
function timescaleRepository(): { version: string; commit: string; bare: string } {
  const apt = join(work.dir, "apt");
  for (const d of ["lists/partial", "cache/archives/partial", "src"]) mkdirSync(join(apt, d), { recursive: true });
  // A private apt configuration: deb-src of the machine's own mirror, nothing of the host's state.
  writeFileSync(join(apt, "sources.list"), `deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mainMirror()} trixie main\n`);
  const o = [
    "-o",
    `Dir::Etc::SourceList=${join(apt, "sources.list")}`,
    "-o",
    "Dir::Etc::SourceParts=/dev/null",
    "-o",
    `Dir::State::Lists=${join(apt, "lists")}`,
    "-o",
    `Dir::Cache=${join(apt, "cache")}`,
    "-o",
    "APT::Sandbox::User=root",
  ];
  execFileSync("apt-get", ["-qq", ...o, "update"], { stdio: "pipe" });
  execFileSync("apt-get", ["-qq", ...o, "source", "--download-only", "timescaledb"], { cwd: join(apt, "src"), stdio: "pipe" });
  const orig = readdirSync(join(apt, "src")).find((f) => /\.orig\.tar\.[a-z]+$/.test(f))!;
  const version = /^timescaledb_([0-9.]+)/.exec(orig)![1]!;
  const tree = join(work.dir, "timescaledb");
  mkdirSync(tree);
  execFileSync("tar", ["-xf", join(apt, "src", orig), "-C", tree, "--strip-components=1"]);
  git(["init", "-q", "-b", "main"], tree);
  git(["add", "-A"], tree);
  git(["commit", "-qm", `timescaledb ${version} (Debian's orig tarball)`], tree);
  git(["tag", version], tree);
  const bare = join(work.dir, "git", "timescaledb.git");
  git(["clone", "-q", "--bare", tree, bare], work.dir);
  return { version, commit: git(["rev-parse", "HEAD"], tree), bare };
}

const freePort = (): Promise<number> =>
  new Promise((ok, fail) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });

/** A git daemon serving work/git on 127.0.0.1 (BuildKit fetches git:// itself). */
async function serveGit(): Promise<number> {
  const port = await freePort();
  daemon = spawn("git", ["daemon", "--reuseaddr", "--export-all", `--base-path=${join(work.dir, "git")}`, "--listen=127.0.0.1", `--port=${port}`, join(work.dir, "git")], { stdio: "ignore" });
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync("git", ["ls-remote", `git://127.0.0.1:${port}/timescaledb.git`], { stdio: "pipe" });
      return port;
    } catch {
      await new Promise((ok) => setTimeout(ok, 200));
    }
  }
  throw new Error("git daemon did not answer");
}

function writeOverrides(port: number): void {
  mkdirSync(overrides, { recursive: true });
  writeFileSync(
    join(overrides, "timescaledb.yaml"),
    [
      "name: timescaledb",
      "override: true",
      `version: ${timescale.version}`,
      "source:",
      `  git: git://127.0.0.1:${port}/timescaledb.git`,
      `  ref: ${timescale.commit}`,
      `  tag: "${timescale.version}"`,
      "  build: cmake",
      "  build_options: [-DAPACHE_ONLY=ON]",
      "  build_packages: [cmake, libssl-dev, libkrb5-dev]",
      // Debian's mirror serves trixie's source; its CMake accepts PG 14-17 only.
      "suites:",
      "  sid:",
      `    "18": { absent: "the mirror serves timescaledb ${timescale.version} source only (PG 14-17); sid's Sources index names 2.31.0, but the mirror answers 404 for its files" }`,
      "",
    ].join("\n"),
  );
  for (const [name, url] of Object.entries(unreachable))
    writeFileSync(
      join(overrides, `${name}.yaml`),
      [`name: ${name}`, "override: true", "disabled: true", `disabled_reason: "source ${url} is out of this machine's reach (no GitHub here)"`, ""].join("\n"),
    );
}

beforeAll(async () => {
  if (!enabled) return;
  const r = timescaleRepository();
  timescale = { version: r.version, commit: r.commit };
  writeOverrides(await serveGit());
  const derive = await pgbake([
    "derive",
    "--from-distro",
    "--config",
    defaultConfig,
    "--write",
    config,
    "--platform",
    "linux/amd64",
    "--without-attestations",
    ...["bookworm", "trixie", "sid"].flatMap((c) => ["--base", `${c}=localhost:5000/debian:${c}`]),
  ]);
  expect(derive.exitCode, derive.stderr).toBe(0);
  const gen = await pgbake(["generate", ...paths]);
  expect(gen.exitCode, gen.stderr).toBe(0);
  // Every operand image and every extension image an operand holds.
  const { plan } = planned();
  targets = [...new Set([...plan.operands.map((o) => o.name), ...plan.operands.flatMap((o) => o.kept.flatMap((k) => (k.imageTarget ? [k.imageTarget] : [])))])].sort();
  let started = Date.now();
  const b = await execa("node", [cliPath, "bake", ...paths, ...targets, "--push", "--registry", registry], { cwd: repoRoot, reject: false, all: true, env: { BUILDKIT_PROGRESS: "plain" } });
  bake = { exitCode: b.exitCode ?? 1, output: b.all ?? "", seconds: (Date.now() - started) / 1000 };
  if (bake.exitCode !== 0) return;
  started = Date.now();
  const reportDir = join(work.dir, "report");
  const t = await execa("node", [cliPath, "test", ...paths, ...targets, "--registry", registry, "--jobs", "2", "--report", reportDir], { cwd: repoRoot, reject: false, all: true });
  test = { exitCode: t.exitCode ?? 1, output: t.all ?? "", seconds: (Date.now() - started) / 1000 };
  report = JSON.parse(readFileSync(join(reportDir, "pgbake-test.json"), "utf8")) as TestReport;
  const n = report.totals;
  console.log(
    `default config from Debian's suites: bake ${bake.seconds.toFixed(0)} s (${targets.length} targets), ` +
      `pgbake test ${test.seconds.toFixed(0)} s: ${n.images} images, ${n.extensions} extensions, ${n.checks} checks`,
  );
});
afterAll(() => {
  daemon?.kill();
  work.cleanup();
});

describe.runIf(enabled)("the default config from Debian's suites (pgbake derive --from-distro)", () => {
  it("derives the root config's flavors and types, with one base per suite", () => {
    const { config: derived, plan } = planned();
    const root = planFrom({ config: defaultConfig, extensions: [defaultExtensions] }).config;
    expect(derived.flavors.map((f) => [f.name, f.extensions])).toEqual(root.flavors.map((f) => [f.name, f.extensions]));
    expect(derived.types.map((t) => [t.name, t.extensions])).toEqual(root.types.map((t) => [t.name, t.extensions]));
    expect(derived.bases.map((b) => [b.name, b.postgres_from, b.majors])).toEqual([
      ["bookworm", "distro", [15]],
      ["trixie", "distro", [17]],
      ["sid", "distro", [18]],
    ]);
    // Every flavor × type × major: 9 flavors × 2 types × 3 majors.
    expect(plan.operands.length).toBe(root.flavors.length * root.types.length * 3);
  });

  it("builds and pushes every operand image and every extension image they use", () => {
    expect(bake.exitCode, bake.output.slice(-6000)).toBe(0);
  });

  it("proves every one of them with pgbake test", () => {
    expect(test.exitCode, test.output.slice(-8000)).toBe(0);
    expect(report.subjects.map((s) => s.target).sort()).toEqual(targets);
    expect(report.totals.failedChecks).toBe(0);
  });

  it("built timescaledb from Debian's source through git, and proved it in the timeseries images", () => {
    const { plan } = planned();
    const images = plan.extensionImages.filter((t) => t.extension === "timescaledb" && targets.includes(t.name));
    expect(images.map((t) => [t.major, t.version, t.sourceContext?.value])).toEqual(
      [15, 17].map((m) => [m, timescale.version, expect.stringMatching(new RegExp(`^git://127\\.0\\.0\\.1:[0-9]+/timescaledb\\.git#${timescale.commit}$`))]),
    );
    for (const major of [15, 17]) {
      const s = report.subjects.find((x) => x.target === `postgresql-timeseries-${major}-minimal-${major === 15 ? "bookworm" : "trixie"}`)!;
      expect(s.checks.filter((c) => c.name.includes("timescaledb") && c.status === "passed").length, JSON.stringify(s.checks)).toBeGreaterThan(0);
    }
  });

  it("names every entry it leaves out, with its reason, in the test output", () => {
    for (const [name, url] of Object.entries(unreachable).filter(([n]) => n !== "pguint")) expect(test.output).toContain(`${name}: disabled: source ${url} is out of this machine's reach`);
    expect(test.output).toMatch(/timescaledb: not in sid for PG 18: the mirror serves timescaledb/);
    // pguint is in no flavor or type of the default config: nothing asks for it, so no image leaves it out.
    expect(test.output).not.toContain("pguint:");
  });
});
