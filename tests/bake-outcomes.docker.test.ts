// `pgbake bake` for real on a tiny project (PostgreSQL 17 from the debootstrapped trixie base,
// amd64, no extensions), pushed to this project's own repositories under localhost:5000/i19cli:
// - `build.attest: false` pushes no attestation at all (buildx would add provenance by itself),
//   and a single-platform image without attestations still carries its annotations;
// - `pgbake test` right after `pgbake bake --registry R --push` pulls from R, and says so;
// - a failed bake ends with a summary naming each failed target and pgbake's own message.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgbake } from "./helpers/cli.js";
import { tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-bake-outcomes-");
const pushedTo = "localhost:5000/i19cli";
const target = "postgresql-17-minimal-trixie";

/** A project in `dir`: the e2e base and PostgreSQL version unless `version` says otherwise. */
function project(dir: string, version: string, bases: string[]): string {
  const config = join(work.dir, `${dir}.yaml`);
  const base = (name: string): string => `  ${name}: { image: "localhost:5000/debian:${name}", codename: ${name}, postgres_from: distro }`;
  writeFileSync(
    config,
    [
      // A registry this machine cannot reach: what gets tested must come from where it was pushed.
      "registry: registry.invalid/acme",
      "image: postgresql",
      `output: ${dir}`,
      `postgres: [{ major: 17, version: "${version}" }]`,
      "bases:",
      ...bases.map(base),
      "types: { minimal: { description: server and contrib only } }",
      "platforms: [linux/amd64]",
      "flavors: { base: { extensions: [] } }",
      "build: { attest: false, cache: false }",
      "",
    ].join("\n"),
  );
  return config;
}

afterAll(() => work.cleanup());

describe("a successful push with attest: false", () => {
  const config = project("ok", "17.12", ["trixie"]);
  let bake: Awaited<ReturnType<typeof pgbake>>;
  beforeAll(async () => {
    expect((await pgbake(["generate", "--config", config])).exitCode).toBe(0);
    bake = await pgbake(["bake", "--config", config, "--registry", pushedTo, "--push", target]);
  });

  it("pushes the image with no attestation manifest, its annotations on the manifest", async () => {
    expect(bake.exitCode, bake.stderr.slice(-3000)).toBe(0);
    const raw = JSON.parse((await execa("docker", ["buildx", "imagetools", "inspect", "--raw", `${pushedTo}/postgresql:17-minimal-trixie`])).stdout) as {
      mediaType: string;
      manifests?: { annotations?: Record<string, string> }[];
      annotations?: Record<string, string>;
    };
    expect((raw.manifests ?? []).filter((m) => m.annotations?.["vnd.docker.reference.type"] === "attestation-manifest")).toEqual([]);
    // One platform and no attestation: a plain manifest, not an index.
    expect(raw.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(raw.annotations?.["org.opencontainers.image.version"]).toBe("17.12");
  });

  it("pgbake test then pulls from the registry the push went to, and says so", async () => {
    expect(bake.exitCode).toBe(0);
    const r = await pgbake(["test", "--config", config, target]);
    expect(r.stdout).toContain(`pgbake test: images from ${pushedTo} (where the last pgbake bake --push pushed`);
    expect(r.exitCode, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`).toBe(0);
    // --registry still wins.
    const other = await pgbake(["test", "--config", config, "--registry", "registry.invalid/other", target]);
    expect(other.stdout).toContain("pgbake test: images from registry.invalid/other (--registry)");
    expect(other.exitCode).toBe(1);
  });
});

describe("a failed bake", () => {
  it("ends with a summary: each failed target with pgbake's message, the targets buildx stopped", async () => {
    // No Debian suite has PostgreSQL 17.99: the runtime's pin check fails with pgbake's explanation.
    const config = project("fail", "17.99", ["trixie", "bookworm"]);
    expect((await pgbake(["generate", "--config", config])).exitCode).toBe(0);
    const targets = ["postgresql-17-minimal-trixie", "postgresql-17-minimal-bookworm"];
    const r = await pgbake(["bake", "--config", config, "--registry", pushedTo, ...targets]);
    expect(r.exitCode).toBe(1);
    const summary = r.stderr.slice(r.stderr.lastIndexOf("pgbake bake: ")).trimEnd().split("\n");
    expect(summary[0], r.stderr.slice(-4000)).toMatch(/^pgbake bake: [12] targets? failed:$/);
    // Every line after buildx's output is the summary's: a target, pgbake's message, or the stopped ones.
    const failed = summary.filter((l) => /^ {2}\S+:$/.test(l)).map((l) => l.trim().slice(0, -1));
    expect(failed.length).toBeGreaterThan(0);
    // buildx names a failed step by the target it ran for: the runtime, or the image built on it.
    for (const t of failed) expect([...targets, "runtime-17-trixie", "runtime-17-bookworm"]).toContain(t);
    expect(summary.filter((l) => l.startsWith("    pgbake: the pinned version postgresql-17=17.99-* is not in this image's apt repositories")).length).toBeGreaterThan(0);
    for (const line of summary.slice(1)) expect(line).toMatch(/^ {2}(\S+:|not built \(buildx stopped them when a target failed\): .+)$|^ {4}\S/);
  });
});
