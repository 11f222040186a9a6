// Freshness, for real: a library package (a .deb made here) in a signed apt repository on
// 127.0.0.1 that pgvector's images install (a runtime_packages entry), a tiny trixie config of five
// pushed images. `pgbake outdated` is clean, then names exactly pgvector's extension image and the
// operand that holds it once a newer revision is published; `pgbake bake --outdated` rebuilds
// exactly those (their apt steps run, the rest is cached), every other image keeps its digest,
// and a second `outdated` is clean.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitsCiBudget } from "../helpers/ci-budget.js";
import { parseDocument } from "yaml";
import { planFrom } from "../../src/pipeline/index.js";
import { defaultBudget } from "../../src/update/http.js";
import { parseImageRef, tagDigest } from "../../src/update/registry.js";
import { buildRepo, libraryDeb as makeLibraryDeb, serve } from "../helpers/apt-repo.js";
import { cliPath, pgbake } from "../helpers/cli.js";
import { docker, e2eConfig, e2eExtensions, executed, parseSteps } from "../helpers/e2e.js";
import { existingSources } from "../helpers/host-apt.js";
import { tempDir } from "../helpers/workspace.js";

const work = tempDir("pgbake-i23fresh-");
const config = join(work.dir, "pgbake.yaml");
const extensions = join(work.dir, "extensions");
const registry = "localhost:5000/i23fresh";
const base = `${registry}/debian:trixie`;
const lib = "libpgbakefresh1";
let keyFile = "";
let server: Server | undefined;
const paths = (): string[] => ["--config", config, "--extensions", extensions, "--keyring", keyFile];

const libraryDeb = (version: string): string => makeLibraryDeb(work.dir, lib, version);

const repoRoot = (): string => join(work.dir, "www/fresh");
const publish = (debs: string[]): void => void buildRepo(repoRoot(), "fresh", debs, ["amd64"], join(work.dir, "gnupg"));

/** pgbake bake with plain progress and one timestamp (so a cached image's labels, and digest, stay the same). */
async function bake(args: string[]): Promise<{ exitCode: number; output: string; seconds: number }> {
  const started = Date.now();
  const r = await execa("node", [cliPath, "bake", "--config", config, "--extensions", extensions, "--push", ...args], {
    reject: false,
    all: true,
    env: { BUILDKIT_PROGRESS: "plain", timestamp: "202612070000" },
  });
  return { exitCode: r.exitCode ?? 1, output: r.all ?? "", seconds: (Date.now() - started) / 1000 };
}

let pushed: { name: string; image: string }[] = [];
const holders = ["pgvector-17-trixie", "postgresql-vec-17-minimal-trixie"];
let fullBake = { seconds: 0, images: 0 };

async function digests(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of pushed) out.set(p.name, await tagDigest(parseImageRef(p.image), defaultBudget()));
  return out;
}

async function outdated(): Promise<{
  exitCode: number;
  report: { outdated: string[]; images: { target: string; packages: { name: string; installed: string; available: string }[] }[] };
  stderr: string;
}> {
  const r = await pgbake(["outdated", "--json", ...paths()]);
  return { exitCode: r.exitCode, report: JSON.parse(r.stdout || "{}"), stderr: r.stderr };
}

const enabled = process.env.PGBAKE_E2E_OUTDATED !== "0" && fitsCiBudget("the outdated e2e", 12);

beforeAll(async () => {
  if (!enabled) return;
  publish([libraryDeb("1.0-1")]);
  keyFile = join(repoRoot(), "key.asc");
  const served = await serve(join(work.dir, "www"));
  server = served.server;
  const url = `${served.url}/fresh`;

  // The base: the local trixie base, brought up to date, trusting the repository's key.
  const ctx = join(work.dir, "base");
  mkdirSync(ctx);
  cpSync(keyFile, join(ctx, "pgbake-fresh.asc"));
  writeFileSync(
    join(ctx, "Dockerfile"),
    "FROM localhost:5000/debian:trixie\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\nCOPY pgbake-fresh.asc /usr/share/keyrings/pgbake-fresh.asc\n",
  );
  await docker(["build", "--pull", "-t", base, ctx]);
  await docker(["push", base]);

  // The e2e config narrowed to trixie / PostgreSQL 17 / minimal, three flavors, the repository as one more source.
  mkdirSync(extensions);
  for (const name of ["pgvector", "periods"]) cpSync(join(e2eExtensions, `${name}.yaml`), join(extensions, `${name}.yaml`));
  writeFileSync(join(extensions, "pgvector.yaml"), `${readFileSync(join(extensions, "pgvector.yaml"), "utf8")}runtime_packages: [${lib}]\n`);
  const doc = parseDocument(readFileSync(e2eConfig, "utf8"));
  doc.set("registry", registry);
  doc.set("output", "out");
  doc.set("postgres", doc.createNode((doc.toJS().postgres as { major: number }[]).filter((p) => p.major === 17)));
  for (const b of ["bookworm", "sid"]) doc.deleteIn(["bases", b]);
  doc.setIn(["bases", "trixie", "image"], base);
  const sources = (await existingSources("trixie")).map((s) => ({ uri: s.uri, suites: s.suites }));
  doc.setIn(["bases", "trixie", "apt"], doc.createNode({ distro: [...sources, { uri: url, suites: ["fresh"], components: ["main"], signed_by: "/usr/share/keyrings/pgbake-fresh.asc" }] }));
  doc.set("types", doc.createNode({ minimal: { description: "PostgreSQL server and contrib only" } }));
  doc.set(
    "flavors",
    doc.createNode({ base: { description: "no extensions", extensions: [] }, vec: { description: "pgvector", extensions: ["pgvector"] }, per: { description: "periods", extensions: ["periods"] } }),
  );
  writeFileSync(config, doc.toString());
  const gen = await pgbake(["generate", "--config", config, "--extensions", extensions]);
  expect(gen.exitCode, gen.stderr).toBe(0);
  const planned = planFrom({ config, extensions });
  pushed = [...planned.plan.extensionImages, ...planned.plan.operands].map((t) => ({ name: t.name, image: `${registry}/${t.tags.find((x) => !x.includes("{timestamp}"))!}` }));
  expect(pushed.map((p) => p.name).sort()).toEqual(["periods-17-trixie", "pgvector-17-trixie", "postgresql-17-minimal-trixie", "postgresql-per-17-minimal-trixie", "postgresql-vec-17-minimal-trixie"]);

  const first = await bake([]);
  expect(first.exitCode, first.output.slice(-4000)).toBe(0);
  fullBake = { seconds: first.seconds, images: pushed.length };
  console.log(`full bake: ${pushed.length} images, ${first.seconds.toFixed(0)} s, ${executed(parseSteps(first.output)).length} steps executed`);
}, 1_800_000);
afterAll(async () => {
  await new Promise((ok) => (server ? server.close(() => ok(undefined)) : ok(undefined)));
  // The agent gpg started for the repository's key lives in this test's directory: stopped with it.
  await execa("gpgconf", ["--homedir", join(work.dir, "gnupg"), "--kill", "gpg-agent"], { reject: false });
  work.cleanup();
});

describe.runIf(enabled)("pgbake outdated and bake --outdated", () => {
  it("is clean right after a build", async () => {
    const r = await outdated();
    expect(r.report.outdated, r.stderr).toEqual([]);
    expect(r.report.images.map((i) => i.target).sort()).toEqual(pushed.map((p) => p.name).sort());
    expect(r.exitCode).toBe(0);
  });

  it("names exactly the images holding a library once a newer revision is published, and bake --outdated rebuilds exactly those", async () => {
    publish([libraryDeb("1.0-1"), libraryDeb("1.0-2")]);
    const r = await outdated();
    expect(r.exitCode, r.stderr).toBe(1);
    expect([...r.report.outdated].sort()).toEqual(holders);
    for (const t of holders) expect(r.report.images.find((i) => i.target === t)!.packages).toEqual([expect.objectContaining({ name: lib, installed: "1.0-1", available: "1.0-2" })]);
    const text = await pgbake(["outdated", ...paths()]);
    expect(text.stdout).toContain(`${lib} 1.0-1 -> 1.0-2 from `);

    const before = await digests();
    const run = await bake(["--outdated", "--keyring", keyFile]);
    expect(run.exitCode, run.output.slice(-4000)).toBe(0);
    const steps = parseSteps(run.output);
    const ran = executed(steps);
    const cached = steps.filter((s) => s.cached);
    console.log(
      `one-library update: ${holders.length} of ${fullBake.images} images rebuilt in ${run.seconds.toFixed(0)} s (full bake ${fullBake.seconds.toFixed(0)} s); ` +
        `${ran.length} steps executed (${[...new Set(ran.map((s) => s.target))].join(", ")}), ${cached.length} cached`,
    );
    expect(run.output).toContain(`outdated: rebuilding ${holders.join(", ")}`);
    // The steps that ran are the holders' apt steps and what follows them; nothing of the runtime.
    expect(ran.filter((s) => s.instruction.startsWith("RUN ")).length).toBeGreaterThanOrEqual(2);
    expect(ran.filter((s) => s.instruction.includes("groupadd") || s.instruction.includes('pgbake-apt-pin.sh "postgresql-'))).toEqual([]);
    expect(cached.length).toBeGreaterThan(0);
    const after = await digests();
    for (const p of pushed) {
      if (holders.includes(p.name)) expect(after.get(p.name), p.name).not.toBe(before.get(p.name));
      else expect(after.get(p.name), p.name).toBe(before.get(p.name));
    }
    const op = pushed.find((p) => p.name === "postgresql-vec-17-minimal-trixie")!.image;
    const v = await docker(["run", "--rm", "--entrypoint", "dpkg-query", op, "-W", "-f", "${Version}", lib]);
    expect(v.stdout).toBe("1.0-2");

    const again = await outdated();
    expect(again.report.outdated).toEqual([]);
    expect(again.exitCode).toBe(0);

    // For the numbers in README's Freshness (opt-in, printed, never asserted): what a full rebuild
    // of every image costs when nothing comes from the cache, as a weekly rebuild-everything does.
    if (process.env.PGBAKE_E2E_OUTDATED_MEASURE === "1") {
      const full = await bake(["--set", "*.no-cache=true"]);
      expect(full.exitCode, full.output.slice(-4000)).toBe(0);
      console.log(`measure: targeted rebuild ${holders.length} images ${run.seconds.toFixed(0)} s; full rebuild without cache ${pushed.length} images ${full.seconds.toFixed(0)} s`);
    }
  });
});
