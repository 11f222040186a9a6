// `pgbake update` against this machine's Debian mirror, for real: a copy of the e2e config with
// deliberately old pins fails to build with a message naming the pin, `update --check` lists the
// stale pins, `update` moves every PostgreSQL minor and package version to the candidate that
// `apt-cache policy` reports inside each base image, and the updated config builds and runs.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { planFrom } from "../../src/pipeline/index.js";
import { suiteOf, versionFor } from "../../src/model/compat.js";
import { fillTemplate } from "../../src/model/naming.js";
import { pgbake, cliPath } from "../helpers/cli.js";
import { docker, e2eConfig, e2eExtensions, pgbakeTest } from "../helpers/e2e.js";
import { existingSources } from "../helpers/host-apt.js";
import { repoRoot, tempDir } from "../helpers/workspace.js";

const work = tempDir("pgbake-update-e2e-");
const config = join(work.dir, "pgbake.yaml");
const extensions = join(work.dir, "extensions");
const paths = ["--config", config, "--extensions", extensions];
// Pushed under a prefix of this test only: the e2e images stay as the other tests expect them.
const registry = "localhost:5000/pgbake-update-e2e";

/** The copy: old pins everywhere, this machine's mirror as each base's `apt.distro`, its own registry prefix. */
async function writeOldCopy(): Promise<void> {
  cpSync(e2eExtensions, extensions, { recursive: true });
  const doc = parseDocument(readFileSync(e2eConfig, "utf8"));
  doc.set("registry", registry);
  doc.set("output", "out");
  for (const item of (doc.get("postgres") as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] }).items) item.set("version", `${String(item.get("major"))}.1`);
  for (const codename of ["bookworm", "trixie", "sid"]) {
    const sources = await existingSources(codename);
    doc.setIn(["bases", codename, "apt"], doc.createNode({ distro: sources.map((s) => ({ uri: s.uri, suites: s.suites })) }));
  }
  writeFileSync(config, doc.toString());
  for (const name of ["pgvector", "pg_cron", "h3", "periods"]) {
    const file = join(extensions, `${name}.yaml`);
    const ext = parseDocument(readFileSync(file, "utf8"));
    ext.set("version", "0.0.1");
    const versions = ext.get("versions") as { items: { key: unknown }[] } | undefined;
    for (const item of versions?.items ?? []) ext.setIn(["versions", String((item.key as { value: unknown }).value)], "0.0.1");
    writeFileSync(file, ext.toString());
  }
  const fixture = join(extensions, "pgbake_fixture.yaml");
  // The fixture's source comes along: a local source.git outside the project is refused.
  cpSync(join(repoRoot, "tests/fixtures/pgbake_fixture"), join(work.dir, "pgbake_fixture"), { recursive: true });
  writeFileSync(fixture, readFileSync(fixture, "utf8").replace("../../tests/fixtures/pgbake_fixture", "../pgbake_fixture"));
}

async function bake(targets: string[], push = true): Promise<{ exitCode: number; output: string }> {
  const r = await execa("node", [cliPath, "bake", ...paths, ...(push ? ["--push"] : []), ...targets], { reject: false, all: true, env: { BUILDKIT_PROGRESS: "plain" } });
  return { exitCode: r.exitCode ?? 1, output: r.all ?? "" };
}

/** `apt-cache policy` candidates inside a base image, with the sources it builds with. */
async function candidates(image: string, packages: string[]): Promise<Map<string, string>> {
  const script = `apt-get update -qq >/dev/null && apt-cache policy ${packages.join(" ")}`;
  const r = await docker(["run", "--rm", image, "sh", "-c", script]);
  const out = new Map<string, string>();
  let pkg = "";
  for (const line of r.stdout.split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head) pkg = head[1]!;
    const cand = /^\s+Candidate: (\S+)$/.exec(line);
    if (cand && cand[1] !== "(none)") out.set(pkg, cand[1]!);
  }
  return out;
}
const upstream = (debian: string): string => debian.replace(/^\d+:/, "").replace(/-[^-]+$/, "");

beforeAll(async () => {
  await writeOldCopy();
  const gen = await pgbake(["generate", ...paths]);
  expect(gen.exitCode, gen.stderr).toBe(0);
}, 600_000);
afterAll(() => work.cleanup());

describe("pgbake update on the e2e config with old pins", () => {
  it("a build of a pin the repository no longer has fails naming the pin and `pgbake update`", async () => {
    // A runtime has no tags: built, not pushed.
    const r = await bake(["runtime-17-trixie"], false);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toContain("pgbake: the pinned version postgresql-17=17.1-* is not in this image's apt repositories");
    expect(r.output).toContain("run 'pgbake update' to move it");
  });

  it("update --check exits 1 naming every stale pin", async () => {
    const r = await pgbake(["update", "--check", ...paths]);
    expect(r.exitCode, r.stderr).toBe(1);
    for (const pin of [
      "PostgreSQL 15",
      "PostgreSQL 17",
      "PostgreSQL 18",
      "pgvector (PG 17, trixie)",
      "pgvector (PG 18, sid)",
      "pg_cron (PG 15, bookworm)",
      "h3 (PG 17, trixie)",
      "periods (PG 15, bookworm)",
    ])
      expect(r.stdout).toContain(`| ${pin} |`);
    expect(readFileSync(config, "utf8")).toContain('version: "17.1"');
  });

  it("update sets every PostgreSQL minor and package version to apt-cache policy's candidate", async () => {
    const r = await pgbake(["update", ...paths]);
    expect(r.exitCode, r.stderr).toBe(0);
    console.log(r.stdout);
    const { config: cfg, catalog, plan } = planFrom({ config, extensions });
    const checked: string[] = [];
    for (const base of cfg.bases) {
      const majors = plan.runtimes.filter((rt) => rt.base === base.name).map((rt) => rt.major);
      const exts = plan.extensionImages.filter((t) => t.base === base.name && t.extensionKind === "package");
      const pkgOf = (t: (typeof exts)[number]): string => fillTemplate(catalog.extensions.find((e) => e.name === t.extension)!.package!, { major: String(t.major) });
      const policy = await candidates(base.image, [...majors.map((m) => `postgresql-${m}`), ...exts.map(pkgOf)]);
      for (const m of majors) {
        expect(cfg.postgres.find((p) => p.major === m)!.version, `PG ${m} on ${base.name}`).toBe(upstream(policy.get(`postgresql-${m}`)!));
        checked.push(`postgresql-${m}`);
      }
      for (const t of exts) {
        const spec = catalog.extensions.find((e) => e.name === t.extension)!;
        // A distro base's versions are facts of its suite (`suites.<codename>.<major>`).
        expect(versionFor(spec, t.major, suiteOf(base)), `${pkgOf(t)} on ${base.name}`).toBe(upstream(policy.get(pkgOf(t))!));
        checked.push(pkgOf(t));
      }
    }
    console.log(`compared with apt-cache policy: ${checked.join(", ")}`);
    expect(checked.length).toBeGreaterThanOrEqual(8);
    const again = await pgbake(["update", "--check", ...paths]);
    expect(again.stdout).toContain("all pins current");
    expect(again.exitCode).toBe(0);
  });

  it("the updated config builds an operand and an extension image that `pgbake test` proves", async () => {
    const r = await bake(["postgresql-17-minimal-trixie", "pgvector-17-trixie"]);
    expect(r.exitCode, r.output.slice(-4000)).toBe(0);
    const { plan, catalog } = planFrom({ config, extensions });
    const op = plan.operands.find((o) => o.name === "postgresql-17-minimal-trixie")!;
    const ext = plan.extensionImages.find((t) => t.name === "pgvector-17-trixie")!;
    const run = await pgbakeTest([op.name, ext.name], join(work.dir, "report"), paths);
    expect(run.exitCode, run.output.slice(-6000)).toBe(0);
    expect(run.report.subjects.map((s) => [s.target, s.mode, s.image])).toEqual([
      [op.name, "operand", `${registry}/${op.tags[0]}`],
      [ext.name, "copy", `${registry}/${ext.tags[0]}`],
    ]);
    // The moved pins are what runs: the server's minor release and pgvector's version.
    const checks = run.report.subjects.flatMap((s) => s.checks);
    expect(checks.find((c) => c.name === "PostgreSQL 17")!.detail!.split(" ")[0]).toBe(op.pgVersion);
    const pgvector = catalog.extensions.find((e) => e.name === "pgvector")!;
    expect(checks.find((c) => c.name === "CREATE EXTENSION vector" && c.status === "passed")!.detail).toBe(`version ${versionFor(pgvector, 17, "trixie")}`);
  });
});
