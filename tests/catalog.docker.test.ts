// `pgbake catalog` on the metadata file of a real bake: one small operand target of an e2e-style
// config (local debootstrapped trixie base), pushed to localhost:5000 by real buildx.
// The runtime context is pointed at the plain base image so that the build is small: the catalog
// only needs a real digest and real pushed names, not PostgreSQL inside the image.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgbake } from "./helpers/cli.js";
import { defaultExtensions, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-catalog-");
const target = "pgbake-catalog-test-17-minimal-trixie";
const config = join(work.dir, "pgbake.yaml");
const extensions = join(work.dir, "extensions");
const metadataFile = join(work.dir, "metadata.json");
let metadata: Record<string, { "containerimage.digest": string; "image.name": string }>;

beforeAll(async () => {
  mkdirSync(extensions);
  copyFileSync(join(defaultExtensions, "pg_stat_statements.yaml"), join(extensions, "pg_stat_statements.yaml"));
  writeFileSync(
    config,
    [
      "registry: localhost:5000",
      "image: pgbake-catalog-test",
      "default_flavor: base",
      'postgres: [{ major: 17, version: "17.12" }]',
      'bases: { trixie: { image: "localhost:5000/debian:trixie", codename: trixie, postgres_from: distro } }',
      "types: { minimal: { description: server and contrib only } }",
      "platforms: [linux/amd64]",
      "flavors: { base: { extensions: [] } }",
      'tags: { operand: ["{major}-{type}-{base}", "{version}-{timestamp}-{type}-{base}"] }',
      // Offline: the SBOM scanner image is on Docker Hub; the registry cache is not needed here.
      "build: { attest: false, cache: false }",
      "",
    ].join("\n"),
  );
  const gen = await pgbake(["generate", "--config", config, "--extensions", extensions]);
  expect(gen.exitCode, gen.stderr).toBe(0);
  // One platform: annotation_levels=manifest (index annotations need an index).
  const env = { timestamp: "202611211200", annotation_levels: "manifest", BUILDX_BAKE_ENTITLEMENTS_FS: "0" };
  const set = `${target}.contexts.runtime=docker-image://localhost:5000/debian:trixie`;
  const r = await execa("docker", ["buildx", "bake", "--push", "--metadata-file", metadataFile, "--set", set, target], { cwd: work.dir, env, all: true, reject: false });
  expect(r.exitCode, r.all).toBe(0);
  metadata = JSON.parse(readFileSync(metadataFile, "utf8"));
});
afterAll(() => work.cleanup());

describe("pgbake catalog", () => {
  it("reads a real bake metadata file: a digest and the pushed names per target", () => {
    expect(metadata[target]!["containerimage.digest"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(metadata[target]!["image.name"].split(",").sort()).toEqual(["localhost:5000/pgbake-catalog-test:17-minimal-trixie", "localhost:5000/pgbake-catalog-test:17.12-202611211200-minimal-trixie"]);
  });

  it("writes one ClusterImageCatalog per repository × type × base, by timestamped tag and digest", async () => {
    const out = join(work.dir, "catalogs");
    const r = await pgbake(["catalog", "--config", config, "--extensions", extensions, "--metadata", metadataFile, "--dir", out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith(".yaml"))).toEqual(["Cluster-pgbake-catalog-test-17-minimal-trixie.yaml", "ClusterImageCatalog-pgbake-catalog-test-minimal-trixie.yaml"]);
    const doc = parse(readFileSync(join(out, "ClusterImageCatalog-pgbake-catalog-test-minimal-trixie.yaml"), "utf8"));
    const digest = metadata[target]!["containerimage.digest"];
    expect(doc).toEqual({
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "ClusterImageCatalog",
      metadata: {
        name: "pgbake-catalog-test-minimal-trixie",
        labels: { "images.cnpg.io/family": "pgbake-catalog-test", "images.cnpg.io/type": "minimal", "images.cnpg.io/os": "trixie" },
      },
      spec: { images: [{ major: 17, image: `localhost:5000/pgbake-catalog-test:17.12-202611211200-minimal-trixie@${digest}` }] },
    });
    // A Cluster on that image, by the same reference (no extension images: PG 17 cannot mount them).
    const cluster = parse(readFileSync(join(out, "Cluster-pgbake-catalog-test-17-minimal-trixie.yaml"), "utf8"));
    expect(cluster.spec).toEqual({ instances: 1, imageName: doc.spec.images[0].image, storage: { size: "1Gi" } });
    // The digest is what the registry serves for that tag.
    const inspect = await execa("docker", ["buildx", "imagetools", "inspect", "localhost:5000/pgbake-catalog-test:17.12-202611211200-minimal-trixie", "--format", "{{json .Manifest}}"]);
    expect(JSON.parse(inspect.stdout).digest).toBe(digest);
  });

  it("exits 1 when the metadata file holds none of the plan's targets", async () => {
    const other = join(work.dir, "other.json");
    writeFileSync(other, JSON.stringify({ "something-else": { "containerimage.digest": `sha256:${"0".repeat(64)}`, "image.name": "x" } }));
    const r = await pgbake(["catalog", "--config", config, "--extensions", extensions, "--metadata", other, "--dir", join(work.dir, "c2")]);
    expect(r.exitCode).toBe(1);
  });
});
