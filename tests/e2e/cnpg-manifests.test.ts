// `pgbake catalog` on the metadata file of a real bake of the e2e config's PG 18 images: the
// ClusterImageCatalog (with extension entries), a Cluster per operand image, and per extension
// image a Cluster that mounts it plus a Database that creates it — every file valid against
// CloudNativePG's published CRDs (tests/data/cnpg-crds-v1.30.0), every image by digest.
import { execa } from "execa";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { pgbake } from "../helpers/cli.js";
import { crdErrors } from "../helpers/crds.js";
import { Docker } from "../../src/verify/docker.js";
import { imageVolumeRun, type ExtensionConfiguration } from "../../src/verify/cnpg.js";
import { PgServer } from "../../src/verify/server.js";
import { e2eConfig, e2eExtensions, e2ePlan } from "../helpers/e2e.js";
import { tempDir } from "../helpers/workspace.js";

const { plan, outDir } = e2ePlan();
const work = tempDir("pgbake-e2e-manifests-");
const metadataFile = join(work.dir, "metadata.json");
const dir = join(work.dir, "catalogs");
const docs = new Map<string, Record<string, unknown>>();
let metadata: Record<string, { "containerimage.digest": string }>;

beforeAll(async () => {
  const bake = inject("e2eBake");
  expect(bake.exitCode, bake.output.slice(-4000)).toBe(0);
  // The pushed images are unchanged (every step is cached): this run is for its metadata file.
  const r = await execa("docker", ["buildx", "bake", "--push", "--metadata-file", metadataFile, "pg18"], {
    cwd: outDir,
    reject: false,
    all: true,
    // The fixture's source directory lies outside the output directory (pgbake bake grants it).
    env: { BUILDX_BAKE_ENTITLEMENTS_FS: "0" },
  });
  expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
  metadata = JSON.parse(readFileSync(metadataFile, "utf8"));
  const c = await pgbake(["catalog", "--config", e2eConfig, "--extensions", e2eExtensions, "--metadata", metadataFile, "--dir", dir]);
  expect(c.exitCode, c.stderr).toBe(0);
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) docs.set(f, parse(readFileSync(join(dir, f), "utf8")));
});
afterAll(() => work.cleanup());

const digestOf = (target: string): string => metadata[target]!["containerimage.digest"];
const pg18 = plan.extensionImages.filter((t) => t.major === 18);

describe("CloudNativePG manifests from pgbake catalog", () => {
  it("writes a Cluster per operand image, a Cluster and a Database per PG 18 extension image, and the image catalogs", () => {
    const expected = [
      ...plan.operands.filter((o) => o.major === 18).map((o) => `Cluster-${o.name}.yaml`),
      ...pg18.map((t) => `Cluster-${t.name.replace(/_/g, "-")}.yaml`),
      ...pg18.map((t) => `Database-${t.name.replace(/_/g, "-")}.yaml`),
    ];
    for (const f of expected) expect([...docs.keys()], f).toContain(f);
    expect([...docs.keys()].filter((f) => f.startsWith("ClusterImageCatalog-")).length).toBeGreaterThan(0);
  });

  it("validates every file against CloudNativePG's CRD of its kind", () => {
    expect(docs.size).toBeGreaterThan(10);
    for (const [f, doc] of docs) expect(crdErrors(doc), f).toEqual([]);
  });

  it("the CRD check can fail: a wrong field name or a missing reference is caught", () => {
    const h3 = structuredClone(docs.get("Cluster-h3-18-sid.yaml")!) as { spec: { postgresql: { extensions: Record<string, unknown>[] } } };
    h3.spec.postgresql.extensions[0]!.ldLibraryPath = ["system"];
    expect(crdErrors(h3).join("\n")).toMatch(/additional|must NOT have/);
    const db = structuredClone(docs.get("Database-h3-18-sid.yaml")!) as { spec: Record<string, unknown> };
    delete db.spec.cluster;
    expect(crdErrors(db).join("\n")).toMatch(/cluster/);
  });

  it("mounts h3 with its /system library directory and pgvector without, by digest, in the plain minimal operand", () => {
    const h3 = docs.get("Cluster-h3-18-sid.yaml") as { spec: { imageName: string; postgresql: { extensions: unknown[] } } };
    expect(h3.spec.postgresql.extensions).toEqual([
      {
        name: "h3",
        // By the plan's immutable tag (the one with {timestamp}), pinned further by digest.
        image: { reference: expect.stringMatching(new RegExp(`^localhost:5000/h3:4\\.2\\.3-\\d{12}-18-sid@${digestOf("h3-18-sid")}$`)) },
        extension_control_path: ["share"],
        dynamic_library_path: ["lib"],
        ld_library_path: ["system"],
      },
    ]);
    expect(h3.spec.imageName).toMatch(new RegExp(`^localhost:5000/postgresql:18\\.\\d+-\\d{12}-minimal-sid@${digestOf("postgresql-18-minimal-sid")}$`));
    const vector = docs.get("Cluster-pgvector-18-sid.yaml") as { spec: { postgresql: { extensions: Record<string, unknown>[] } } };
    expect(vector.spec.postgresql.extensions[0]!.ld_library_path).toBeUndefined();
    const cron = docs.get("Cluster-pg-cron-18-sid.yaml") as { spec: { postgresql: { shared_preload_libraries: string[]; parameters: Record<string, string> } } };
    expect(cron.spec.postgresql.shared_preload_libraries).toEqual(["pg_cron"]);
    // pg_cron installs only in the database its worker runs in: the one its Database creates it in.
    expect(cron.spec.postgresql.parameters).toEqual({ "cron.database_name": "app" });
    expect((docs.get("Database-pg-cron-18-sid.yaml") as { spec: { name: string } }).spec.name).toBe("app");
  });

  it("creates the extension's SQL names in a Database of that Cluster", () => {
    const db = docs.get("Database-pgvector-18-sid.yaml") as { spec: Record<string, unknown> };
    expect(db.spec).toEqual({ name: "app", owner: "app", cluster: { name: "pgvector-18-sid" }, extensions: [{ name: "vector" }] });
  });

  it("pg_cron's Cluster and Database work as CloudNativePG applies them: created in app, refused there without the Cluster's parameters", async () => {
    type ClusterDoc = { spec: { imageName: string; postgresql: { extensions: ExtensionConfiguration[]; shared_preload_libraries: string[]; parameters: Record<string, string> } } };
    type DatabaseDoc = { spec: { name: string; owner: string; extensions: { name: string }[] } };
    const cluster = (docs.get("Cluster-pg-cron-18-sid.yaml") as ClusterDoc).spec;
    const database = (docs.get("Database-pg-cron-18-sid.yaml") as DatabaseDoc).spec;
    // The pod CloudNativePG makes: the image by digest, the extension images mounted, the paths set.
    const run = imageVolumeRun(cluster.postgresql.extensions);
    const docker = new Docker();
    for (const image of [cluster.imageName, ...run.mounts.map((m) => m.image)]) await docker.must(["pull", "-q", image]);
    const apply = async (parameters: Record<string, string>) => {
      const settings = { ...run.settings, ...parameters, shared_preload_libraries: cluster.postgresql.shared_preload_libraries.join(",") };
      const server = await PgServer.start(docker, { image: cluster.imageName, imageMounts: run.mounts, env: run.env, settings });
      try {
        // CloudNativePG's initdb bootstrap makes the database and its owner; the Database then creates the extensions.
        const bootstrap = await server.sql(`CREATE ROLE "${database.owner}" LOGIN;\nCREATE DATABASE "${database.name}" OWNER "${database.owner}";`);
        expect(bootstrap.exitCode, bootstrap.stderr).toBe(0);
        const creates = database.extensions.map((e) => `CREATE EXTENSION "${e.name}";`).join("\n");
        return await server.sql(`${creates}\nSELECT count(*) FROM cron.job;`, database.name);
      } finally {
        await server.remove();
      }
    };
    try {
      const applied = await apply(cluster.postgresql.parameters);
      expect(applied.exitCode, applied.stderr).toBe(0);
      expect(applied.stdout.trim()).toBe("0");
      const withoutParameters = await apply({});
      expect(withoutParameters.exitCode).not.toBe(0);
      expect(withoutParameters.stderr).toMatch(/can only create extension in database postgres/);
    } finally {
      await docker.releaseAll();
    }
  });

  it("lists the PG 18 extension images in the minimal catalog's PG 18 entry, and none where the operand holds them", () => {
    type Catalog = { spec: { images: { major: number; extensions?: { name: string }[] }[] } };
    const minimal = docs.get("ClusterImageCatalog-postgresql-minimal-sid.yaml") as Catalog;
    const entry = minimal.spec.images.find((i) => i.major === 18)!;
    expect(entry.extensions!.map((e) => e.name).sort()).toEqual(pg18.map((t) => t.extension).sort());
    const full = docs.get("ClusterImageCatalog-postgresql-full-minimal-sid.yaml") as Catalog;
    expect(full.spec.images.find((i) => i.major === 18)!.extensions).toBeUndefined();
  });
});
