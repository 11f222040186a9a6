// `pgbake update` on git sources and base images, against real local ones: bare git repositories
// with tags (git ls-remote) and the local registry (the OCI distribution API).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseImageRef, registryBase } from "../src/update/registry.js";
import { globToRegExp, newestMatching, tagVersion } from "../src/update/git-tags.js";
import { pgbake } from "./helpers/cli.js";
import { docker } from "./helpers/e2e.js";
import { tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-update-src-");
const config = join(work.dir, "pgbake.yaml");
const extensions = join(work.dir, "extensions");
const remote = join(work.dir, "fixture.git");
// A repository name of this test only: no other test pushes here.
const baseRepo = "localhost:5000/pgbake-update-test/base";

const git = (args: string[], cwd = work.dir): string =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid" },
  }).trim();

/** A commit with one file changed, tagged in the bare remote; returns the commit. */
function commitAndTag(tag: string, annotated = false): string {
  const clone = join(work.dir, "clone");
  writeFileSync(join(clone, "VERSION"), `${tag}\n`);
  git(["add", "VERSION"], clone);
  git(["commit", "-qm", tag], clone);
  git(annotated ? ["tag", "-a", "-m", tag, tag] : ["tag", tag], clone);
  git(["push", "-q", "origin", "HEAD:refs/heads/main", `refs/tags/${tag}`], clone);
  return git(["rev-parse", "HEAD"], clone);
}

/** Pushes a base image whose content differs per call (a label), returns its digest. */
async function pushBase(label: string): Promise<string> {
  const ctx = join(work.dir, `img-${label}`);
  mkdirSync(ctx);
  writeFileSync(join(ctx, "Dockerfile"), `FROM localhost:5000/debian:trixie\nLABEL pgbake.update-test=${label}\n`);
  await docker(["buildx", "build", "--quiet", "--provenance=false", "--sbom=false", "--push", "-t", `${baseRepo}:current`, ctx]);
  const inspect = await docker(["buildx", "imagetools", "inspect", `${baseRepo}:current`, "--format", "{{json .Manifest.Digest}}"]);
  return JSON.parse(inspect.stdout) as string;
}

const yaml = (file: string): Record<string, any> => parse(readFileSync(file, "utf8"));
let firstCommit = "";
let firstDigest = "";

beforeAll(async () => {
  mkdirSync(extensions);
  git(["init", "-q", "--bare", remote]);
  git(["clone", "-q", remote, join(work.dir, "clone")]);
  firstCommit = commitAndTag("v1.0.0");
  firstDigest = await pushBase(`first-${Date.now()}`);
  writeFileSync(
    config,
    [
      "# a project of its own: one base pinned by digest, one source following tags",
      "registry: localhost:5000",
      'postgres: [{ major: 17, version: "17.12" }]',
      "bases:",
      "  trixie:",
      `    image: ${baseRepo}:current@${firstDigest}   # moved by pgbake update`,
      "    codename: trixie",
      "    postgres_from: distro",
      "platforms: [linux/amd64]",
      "build: { attest: false, cache: false }",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(extensions, "fixture.yaml"),
    [
      "name: fixture",
      "description: a source extension following the v1 tags",
      "license: Apache-2.0",
      "homepage: https://example.invalid/fixture",
      "kind: source",
      "version: 1.0.0",
      "source:",
      `  git: ${remote}`,
      `  ref: ${firstCommit}`,
      "  tag: v1.0.0",
      '  track: "v1.*"',
      "  build: pgxs",
      "",
    ].join("\n"),
  );
}, 600_000);
afterAll(() => work.cleanup());

const paths = ["--config", config, "--extensions", extensions];

describe("pgbake update: git sources", () => {
  it("reads tags: newest by version order, globs, pre-releases before releases", () => {
    const tags = ["v1.2.0", "v1.10.0", "v1.10.0-rc1", "v2.0.0", "latest"].map((tag) => ({ tag, commit: tag }));
    expect(newestMatching(tags, "v1.*")?.tag).toBe("v1.10.0");
    expect(newestMatching(tags, "v3.*")).toBeUndefined();
    expect(tagVersion("v1.10.0-rc1")).toBe("1.10.0~rc1");
    expect(globToRegExp("v13.*").test("v13.2.0")).toBe(true);
    expect(globToRegExp("v13.*").test("v130")).toBe(false);
  });

  it("is current right after setup", async () => {
    const r = await pgbake(["update", "--check", "--only", "sources,bases", ...paths]);
    expect(r.stdout, r.stderr).toContain("all pins current");
    expect(r.exitCode).toBe(0);
  });

  it("a tag outside the track does not move the pin; a matching newer tag does (annotated: its commit)", async () => {
    commitAndTag("v2.0.0");
    const outside = await pgbake(["update", "--check", "--only", "sources", ...paths]);
    expect(outside.exitCode, outside.stdout + outside.stderr).toBe(0);

    const newer = commitAndTag("v1.1.0", true);
    const check = await pgbake(["update", "--check", "--only", "sources", ...paths]);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain("| fixture source |");
    expect(check.stdout).toContain(`v1.1.0 ${newer.slice(0, 12)}`);

    const dry = await pgbake(["update", "--dry-run", "--only", "sources", ...paths]);
    expect(dry.exitCode).toBe(0);
    expect(yaml(join(extensions, "fixture.yaml")).source.ref).toBe(firstCommit);

    const r = await pgbake(["update", "--only", "sources", ...paths]);
    expect(r.exitCode, r.stderr).toBe(0);
    const spec = yaml(join(extensions, "fixture.yaml"));
    expect(spec.source).toMatchObject({ ref: newer, tag: "v1.1.0", track: "v1.*" });
    expect(spec.version).toBe("1.1.0");
  });

  it("says when source.tag is another commit than source.ref, and moves the ref to the tag's", async () => {
    const text = readFileSync(join(extensions, "fixture.yaml"), "utf8");
    const tagged = yaml(join(extensions, "fixture.yaml")).source.ref as string;
    writeFileSync(join(extensions, "fixture.yaml"), text.replace(tagged, firstCommit));
    try {
      const r = await pgbake(["update", "--check", "--only", "sources", ...paths]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain(`note: fixture: source.tag v1.1.0 is commit ${tagged.slice(0, 12)} in ${remote}, not source.ref ${firstCommit.slice(0, 12)}`);
      expect(r.stdout).toContain(`| v1.1.0 ${firstCommit.slice(0, 12)} | v1.1.0 ${tagged.slice(0, 12)} |`);
    } finally {
      writeFileSync(join(extensions, "fixture.yaml"), text);
    }
  });

  it("an unreachable remote is an error naming it, exit 2", async () => {
    const text = readFileSync(join(extensions, "fixture.yaml"), "utf8");
    writeFileSync(join(extensions, "fixture.yaml"), text.replace(remote, join(work.dir, "gone.git")));
    try {
      const r = await pgbake(["update", "--check", "--only", "sources", ...paths]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(join(work.dir, "gone.git"));
    } finally {
      writeFileSync(join(extensions, "fixture.yaml"), text);
    }
  });
});

describe("pgbake update: base digests", () => {
  it("reads references as docker does", () => {
    expect(parseImageRef("debian:trixie-slim@sha256:" + "a".repeat(64))).toMatchObject({ registry: "docker.io", repository: "library/debian", tag: "trixie-slim" });
    expect(parseImageRef("ghcr.io/me/pg:17")).toMatchObject({ registry: "ghcr.io", repository: "me/pg", tag: "17" });
    expect(parseImageRef("localhost:5000/a/b")).toMatchObject({ registry: "localhost:5000", repository: "a/b", tag: "latest" });
    expect(registryBase("docker.io")).toBe("https://registry-1.docker.io");
    expect(registryBase("localhost:5000")).toBe("http://localhost:5000");
  });

  it("a new image under the tag moves the digest, keeping the line's comment", async () => {
    const newDigest = await pushBase(`second-${Date.now()}`);
    expect(newDigest).not.toBe(firstDigest);
    const check = await pgbake(["update", "--check", "--only", "bases", ...paths]);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain("| base trixie |");
    const r = await pgbake(["update", "--only", "bases", ...paths]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(config, "utf8")).toContain(`    image: ${baseRepo}:current@${newDigest}   # moved by pgbake update\n`);
    const again = await pgbake(["update", "--check", "--only", "bases", ...paths]);
    expect(again.exitCode).toBe(0);
  });

  it("a tag the registry lacks is an error naming the URL, exit 2", async () => {
    const text = readFileSync(config, "utf8");
    writeFileSync(config, text.replace(`${baseRepo}:current@`, `${baseRepo}:no-such-tag@`));
    try {
      const r = await pgbake(["update", "--check", "--only", "bases", ...paths]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("http://localhost:5000/v2/pgbake-update-test/base/manifests/no-such-tag");
    } finally {
      writeFileSync(config, text);
    }
  });
});
