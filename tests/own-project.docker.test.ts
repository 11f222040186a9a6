// A user's own project, from an empty directory to a pushed and tested image, the way pgbake's
// README tells it: the packed tarball installed there, `npx pgbake init .`, the config cut to
// one image this machine builds in minutes (PostgreSQL 17 from Debian trixie on the local base,
// amd64, no attestations), then the project's own GitHub workflows executed job by job by
// tests/helpers/workflow-runner.ts (ci.yml's check; bake.yml's prepare, one build job per target
// × platform pushing by digest, the merge job creating each index from the digests) and
// `npx pgbake test` on what they pushed. Broken variants of the workflows (a public package name
// that 404s, a wrong path, a registry that is not the config's) must fail the run. Then
// freshness.yml, for real: the text flavor installs a library from a signed apt repository served
// here (its key in the base at the path `signed_by` names, the same path on this runner); a newer
// revision is published and the workflow must rebuild, test and push exactly that image.
import { execa } from "execa";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { buildRepo, libraryDeb, serve } from "./helpers/apt-repo.js";
import { fitsCiBudget } from "./helpers/ci-budget.js";
import { existingSources } from "./helpers/host-apt.js";
import { WorkflowRunner } from "./helpers/workflow-runner.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const registryHost = "localhost:5000";
// Its own repository prefix in the shared local registry: nothing else pushes here.
const registry = `${registryHost}/pgbake-own-project`;
const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
let work: { dir: string; cleanup: () => void };
let project: string;
let started: number;
let server: Server | undefined;
// The library only the text flavor installs (a runtime package of hstore, by an override entry).
const lib = "libpgbakeown1";
const textTarget = "postgresql-text-17-minimal-trixie";
const baseTarget = "postgresql-17-minimal-trixie";
const repoDir = (): string => join(work.dir, "www/own");
const publish = (versions: string[]): void =>
  void buildRepo(
    repoDir(),
    "own",
    versions.map((v) => libraryDeb(work.dir, lib, v)),
    ["amd64"],
    join(work.dir, "gnupg"),
  );
const env = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

const ok = async (cmd: string, args: string[], cwd: string): Promise<string> => {
  const r = await execa(cmd, args, { cwd, env, reject: false, all: true });
  expect(r.exitCode, `${cmd} ${args.join(" ")}\n${r.all}`).toBe(0);
  return r.all ?? "";
};
// setup-buildx-action gives a GitHub runner a docker-container builder, which pushes by digest;
// this machine's builder is the engine's own (docker driver: no push-by-digest, and the BuildKit
// image a container builder needs is on Docker Hub). So each build job pushes its one platform
// under a tag of its own (target and architecture) instead: the digest it records, and all the
// merge job does with it, stay as written.
const byDigest = `--set "$TARGET.output=type=image,push-by-digest=true,name-canonical=true,push=true,oci-mediatypes=true"`;
const rewrite = [
  {
    from: byDigest,
    to: `--set "$TARGET.tags=$(docker buildx bake --file docker-bake.hcl --print "$TARGET" | jq -r --arg t "$TARGET" '.target[$t].tags[0] | sub(":[^:]*$"; "")'):runner-$TARGET-$RUNNER_ARCH" --set "$TARGET.output=type=image,push=true,oci-mediatypes=true"`,
    reason: "the docker driver cannot push by digest: one tag per target and architecture instead",
  },
  {
    from: "sudo apt-get update && sudo apt-get install -y --no-install-recommends debian-archive-keyring postgresql-common gpgv xz-utils",
    to: "dpkg-query -W debian-archive-keyring postgresql-common gpgv xz-utils",
    reason: "this machine runs as root without sudo and has these packages (checked instead of installed)",
  },
];
const runner = (name: string, log: string[] = [], dir = project): WorkflowRunner => {
  const runs = join(work.dir, "runs", name);
  mkdirSync(runs, { recursive: true });
  return new WorkflowRunner({ project: dir, work: runs, registryHost, rewrite, log: (l) => void log.push(l) });
};
/** A copy of the project whose bake.yml has `from` replaced by `to` (a defect the run must catch). */
const broken = (name: string, file: string, from: string | RegExp, to: string): string => {
  const copy = join(work.dir, name);
  rmSync(copy, { recursive: true, force: true });
  cpSync(project, copy, { recursive: true, filter: (src) => !src.includes("/node_modules") });
  const path = join(copy, ".github/workflows", file);
  const before = readFileSync(path, "utf8");
  const after = before.replace(from, to);
  expect(after, `${name}: the replacement applies`).not.toBe(before);
  writeFileSync(path, after);
  return copy;
};

beforeAll(async () => {
  work = tempDir("pgbake-own-project-");
  const packed = JSON.parse((await execa("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work.dir], { cwd: repoRoot, env })).stdout) as { filename: string }[];
  const tarball = join(work.dir, packed[0]!.filename);
  // From here on, what a user does in an empty directory (timed for the report).
  started = Date.now();
  project = join(work.dir, "my-images");
  mkdirSync(project);
  await ok("npm", ["install", "--prefer-offline", tarball], project);
  await ok("npx", ["pgbake", "init", "."], project);
  // A signed apt repository of the project's own, served on the docker bridge's gateway (build
  // containers reach it without the host's network, as a GitHub runner reaches the internet).
  publish(["1.0-1"]);
  const gateway = (await execa("docker", ["network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Gateway}}"])).stdout.trim();
  const served = await serve(join(work.dir, "www"), gateway);
  server = served.server;
  // Its key where `signed_by` says, in the base and (the same path) on this runner: what
  // `pgbake outdated` in freshness.yml verifies the repository's Release with.
  const keyring = join(work.dir, "keyrings/pgbake-own.asc");
  mkdirSync(join(work.dir, "keyrings"));
  cpSync(join(repoDir(), "key.asc"), keyring);
  const ctx = join(work.dir, "base");
  mkdirSync(ctx);
  cpSync(keyring, join(ctx, "key.asc"));
  writeFileSync(join(ctx, "Dockerfile"), `FROM ${registryHost}/debian:trixie\nCOPY key.asc ${keyring}\n`);
  await ok("docker", ["build", "-q", "-t", `${registry}/debian:trixie`, ctx], work.dir);
  await ok("docker", ["push", "-q", `${registry}/debian:trixie`], work.dir);
  // One image: PostgreSQL 17 from trixie's own packages on the local trixie base (with the key), pinned by digest
  // (`generate --release` in bake.yml insists), amd64, no attestations (the SBOM scanner is on Docker Hub).
  const digest = JSON.parse((await execa("docker", ["buildx", "imagetools", "inspect", `${registry}/debian:trixie`, "--format", "{{json .Manifest}}"])).stdout) as { digest: string };
  const doc = parseDocument(readFileSync(join(project, "pgbake.yaml"), "utf8"));
  doc.set("registry", registry);
  doc.set("build", doc.createNode({ attest: false }));
  doc.set("postgres", doc.createNode([{ major: 17, version: "17.12" }]));
  const distro = [...(await existingSources("trixie")).map((x) => ({ uri: x.uri, suites: x.suites })), { uri: `${served.url}/own`, suites: ["own"], components: ["main"], signed_by: keyring }];
  doc.set("bases", doc.createNode({ trixie: { image: `${registry}/debian:trixie@${digest.digest}`, codename: "trixie", postgres_from: "distro", apt: { distro } } }));
  doc.set("types", doc.createNode({ minimal: { description: "PostgreSQL server and contrib only" } }));
  doc.set("platforms", doc.createNode(["linux/amd64"]));
  // Two targets, so two build jobs: the plain image and one with two contrib extensions (cheap on the same runtime).
  doc.set(
    "flavors",
    doc.createNode({ base: { description: "PostgreSQL without extensions", extensions: [] }, text: { description: "key-value and trigram search", extensions: ["hstore", "pg_trgm"] } }),
  );
  writeFileSync(join(project, "pgbake.yaml"), doc.toString());
  writeFileSync(join(project, "extensions/hstore.yaml"), `name: hstore\noverride: true\nruntime_packages: [${lib}]\n`);
  await ok("npx", ["pgbake", "generate"], project);
}, 600_000);
afterAll(async () => {
  await new Promise((done) => (server ? server.close(() => done(undefined)) : done(undefined)));
  // The agent gpg started for the repository's key lives in the test's directory: stopped with it.
  if (work) await execa("gpgconf", ["--homedir", join(work.dir, "gnupg"), "--kill", "gpg-agent"], { reject: false });
  work?.cleanup();
});

describe("a project of one's own, built by its own workflows", () => {
  it("init pins the packed pgbake: package.json, lock file and the vendored tarball", () => {
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    expect({ ...pkg.dependencies, ...pkg.devDependencies }.pgbake).toBe(`file:vendor/pgbake-${version}.tgz`);
    expect(existsSync(join(project, `vendor/pgbake-${version}.tgz`))).toBe(true);
    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as { packages: Record<string, { resolved?: string }> };
    expect(lock.packages["node_modules/pgbake"]?.resolved).toBe(`file:vendor/pgbake-${version}.tgz`);
  });

  it("ci.yml's check job passes as written", async () => {
    const log: string[] = [];
    await runner("ci", log).run(join(project, ".github/workflows/ci.yml"));
    expect(log).toContain("-- run: npm ci");
    expect(log).toContain("-- run: Bases and sources are pinned");
  }, 600_000);

  it("bake.yml builds every target per platform by digest, merges the indexes where the config says, and pgbake test proves them", async () => {
    const log: string[] = [];
    const jobs = await runner("bake", log).run(join(project, ".github/workflows/bake.yml"));
    console.log(log.join("\n"));
    // The matrix is the plan's: each target × platform its own job.
    const targets = ["postgresql-17-minimal-trixie", "postgresql-text-17-minimal-trixie"];
    expect(JSON.parse(jobs.prepare![0]!.outputs.matrix!)).toEqual({ include: targets.map((target) => ({ target, platform: "linux/amd64", runner: "ubuntu-latest" })) });
    expect(jobs.prepare![0]!.outputs.registry_host).toBe(registryHost);
    expect(jobs.build!.map((j) => j.matrix?.target)).toEqual(targets);
    // Each build job pushed a digest; the merge job made an index of it under the config's registry and tags.
    const images = readFileSync(join(jobs.merge![0]!.workspace, "images.txt"), "utf8").trim().split("\n");
    expect(images).toHaveLength(2);
    const raw = async (ref: string): Promise<{ manifests?: { digest: string }[] }> => JSON.parse((await execa("docker", ["buildx", "imagetools", "inspect", ref, "--raw"])).stdout);
    for (const [i, target] of targets.entries()) {
      const repo = `${registry}/${target.replace(/-17-minimal-trixie$/, "")}`;
      const digest = readFileSync(join(jobs.build![i]!.workspace, `digests/${target}@X64`), "utf8").trim();
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      // The index under the config's tag holds what the build job pushed (its image, and buildx's
      // provenance with it when the push was itself an index).
      const pushed = await raw(`${repo}@${digest}`);
      const index = await raw(`${repo}:17-minimal-trixie`);
      expect(index.manifests!.map((m) => m.digest).sort(), target).toEqual(pushed.manifests ? pushed.manifests.map((m) => m.digest).sort() : [digest]);
      const indexDigest = (JSON.parse((await execa("docker", ["buildx", "imagetools", "inspect", `${repo}:17-minimal-trixie`, "--format", "{{json .Manifest}}"])).stdout) as { digest: string }).digest;
      expect(images).toContain(`${repo}@${indexDigest}`);
    }
    expect(existsSync(join(jobs.merge![0]!.workspace, "catalogs"))).toBe(true);
    // Signing and (without Trivy in Debian) scanning cannot run here: skipped, and said so.
    expect(log.some((l) => l.startsWith("-- skipped: Sign every index"))).toBe(true);
    expect(log.filter((l) => l.startsWith("   rewritten here:"))).toHaveLength(2); // one per build job
    expect(log.some((l) => l.startsWith("-- skipped: Vulnerability scan of every index: Trivy is not in"))).toBe(true);

    // What the workflows pushed, started and proven by the project's own pgbake.
    const tested = await ok("npx", ["pgbake", "test"], project);
    for (const target of ["postgresql-17-minimal-trixie", "postgresql-text-17-minimal-trixie"]) expect(tested).toMatch(new RegExp(`^${target} +operand .* passed$`, "m"));
    expect(tested).toMatch(/2 images, 2 extensions, \d+ checks: 0 failed/);
    console.log(`${tested}\nfrom an empty directory to a pushed, tested image: ${Math.round((Date.now() - started) / 1000)} s`);
  }, 900_000);

  it("fails on a public package name that 404s, a wrong path, and a registry that is not the config's", async () => {
    // Today's (0.1.0) template installed an unpublished public name.
    const named = broken("public-name", "ci.yml", "- run: npm ci", `- run: npm install --global --prefix "$RUNNER_TEMP/global" "pgbake@${version}"`);
    const fresh = (name: string, dir: string): WorkflowRunner => runner(name, [], dir);
    await expect(fresh("public-name", named).run(join(named, ".github/workflows/ci.yml"))).rejects.toThrow(/check: step 'npm install[^']*' failed[\s\S]*E404/);
    // A build job uploading its digest from a directory it never wrote.
    const path = broken("wrong-path", "bake.yml", "path: digests/*\n", "path: digest/*\n");
    await expect(fresh("wrong-path", path).run(join(path, ".github/workflows/bake.yml"))).rejects.toThrow(
      /^build \(postgresql-17-minimal-trixie, .*upload-artifact@[0-9a-f]{40}: nothing at digest\/\* to upload$/,
    );
    // A registry fixed in the workflow instead of the config's.
    const ghcr = broken("fixed-registry", "bake.yml", /registry: \$\{\{ needs\.prepare\.outputs\.registry_host \}\}/g, "registry: ghcr.io");
    await expect(fresh("fixed-registry", ghcr).run(join(ghcr, ".github/workflows/bake.yml"))).rejects.toThrow(/logs in to 'ghcr\.io', but the images go to the local registry localhost:5000/);
  }, 900_000);

  it("freshness.yml: a newer library revision rebuilds, tests and pushes exactly the image holding it; a second outdated is clean", async (ctx) => {
    // About 4 cold minutes in CI (two runs of the workflow, one targeted rebuild and one image tested).
    if (!fitsCiBudget("the own project's freshness.yml", 4)) ctx.skip();
    const repo = (target: string): string => `${registry}/${target.replace(/-17-minimal-trixie$/, "")}:17-minimal-trixie`;
    const digestOf = async (target: string): Promise<string> =>
      (JSON.parse((await execa("docker", ["buildx", "imagetools", "inspect", repo(target), "--format", "{{json .Manifest}}"])).stdout) as { digest: string }).digest;
    const before = { [baseTarget]: await digestOf(baseTarget), [textTarget]: await digestOf(textTarget) };
    // Right after bake.yml's run nothing is behind: the workflow stops after reading.
    const quiet: string[] = [];
    await runner("freshness-clean", quiet).run(join(project, ".github/workflows/freshness.yml"));
    expect(quiet).toContain("-- run: Outdated images");
    expect(quiet.some((l) => l.startsWith("-- skipped (if: steps.outdated.outputs.behind == '1'): Rebuild and push exactly the outdated images"))).toBe(true);

    publish(["1.0-1", "1.0-2"]);
    const log: string[] = [];
    const t0 = Date.now();
    const jobs = await runner("freshness", log).run(join(project, ".github/workflows/freshness.yml"));
    const seconds = Math.round((Date.now() - t0) / 1000);
    console.log(log.join("\n"));
    const job = jobs.refresh![0]!;
    const temp = join(job.workspace, "../temp");
    const first = JSON.parse(readFileSync(join(temp, "before.json"), "utf8")) as {
      outdated: string[];
      rebuild: string[];
      images: { target: string; packages: { name: string; installed: string; available: string }[] }[];
    };
    // outdated named exactly the image holding the library, with the versions.
    expect(first.outdated).toEqual([textTarget]);
    expect(first.rebuild).toEqual([textTarget]);
    expect(first.images.find((i) => i.target === textTarget)!.packages).toEqual([expect.objectContaining({ name: lib, installed: "1.0-1", available: "1.0-2" })]);
    // Only it got a new digest, and it holds the new revision.
    const after = { [baseTarget]: await digestOf(baseTarget), [textTarget]: await digestOf(textTarget) };
    expect(after[baseTarget]).toBe(before[baseTarget]);
    expect(after[textTarget]).not.toBe(before[textTarget]);
    const installed = await execa("docker", ["run", "--rm", "--pull", "always", "--entrypoint", "dpkg-query", repo(textTarget), "-W", "-f", "${Version}", lib]);
    expect(installed.stdout).toBe("1.0-2");
    // The workflow tested what it pushed (a failing step throws), and wrote the catalog from the registry's digests.
    expect(log).toContain("-- run: Start the rebuilt images and prove every extension");
    expect(readFileSync(join(job.workspace, "images.txt"), "utf8").trim()).toBe(`${repo(textTarget).replace(/:[^:/]*$/, "")}@${after[textTarget]}`);
    expect(log.some((l) => l.startsWith("-- skipped: Sign every rebuilt image"))).toBe(true);
    const catalogs = readdirSync(join(job.workspace, "catalogs"))
      .map((f) => readFileSync(join(job.workspace, "catalogs", f), "utf8"))
      .join("\n");
    expect(catalogs).toContain(`@${after[textTarget]}`);
    expect(catalogs).toContain(`@${after[baseTarget]}`);
    // A second outdated, outside the workflow: clean.
    const again = await execa("npx", ["pgbake", "outdated"], { cwd: project, env, reject: false, all: true });
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stdout).toMatch(/^all 2 images current$/m);
    console.log(`freshness.yml: one library update, 1 of 2 images rebuilt, tested and pushed in ${seconds} s (the whole job run here)`);
  }, 900_000);
});
