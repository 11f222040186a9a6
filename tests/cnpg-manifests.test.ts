// The shapes `pgbake catalog` writes for CloudNativePG, on the default config's whole plan: every
// manifest valid against the vendored CRDs (tests/data/cnpg-crds-v1.30.0). The digests here are
// made up: tests/e2e/cnpg-manifests.test.ts does the same from a real bake's metadata file.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { BakeMetadata } from "../src/cnpg/built-images.js";
import { imageCatalogs } from "../src/cnpg/image-catalogs.js";
import { clusterManifests } from "../src/cnpg/manifests.js";
import { planFrom } from "../src/pipeline/index.js";
import { parse } from "yaml";
import { crdErrors } from "./helpers/crds.js";
import { defaultConfig, defaultExtensions } from "./helpers/workspace.js";

const { plan, catalog } = planFrom({ config: defaultConfig, extensions: defaultExtensions });
const metadata: BakeMetadata = Object.fromEntries(
  [...plan.operands, ...plan.extensionImages].map((t) => [
    t.name,
    {
      "containerimage.digest": `sha256:${createHash("sha256").update(t.name).digest("hex")}`,
      "image.name": t.tags.map((tag) => `${plan.registry}/${tag.replace("{timestamp}", "202611211200")}`).join(","),
    },
  ]),
);

describe("CloudNativePG manifests of the default plan", () => {
  const files = [...imageCatalogs(plan, metadata, catalog.extensions), ...clusterManifests(plan, catalog.extensions, metadata)];

  it("are valid against the CRDs, one Cluster per operand image and per PG 18 extension image", () => {
    const pg18 = plan.extensionImages.filter((t) => t.major >= 18 && t.extensionKind !== "tool" && !t.imageVolumeUnsupported);
    expect(files.filter((f) => f.path.startsWith("Cluster-")).length).toBeGreaterThanOrEqual(plan.operands.length + pg18.length);
    for (const f of files) expect(crdErrors(parse(f.content)), f.path).toEqual([]);
  });

  it("offer no image volume that CloudNativePG cannot use (image_volume_unsupported: plpython3u, pltcl, plr, unit, pg_comparator)", () => {
    const unmountable = plan.extensionImages.filter((t) => t.major >= 18 && t.imageVolumeUnsupported);
    expect(new Set(unmountable.map((t) => t.extension))).toEqual(new Set(["plpython3u", "pltcl", "plr", "unit", "pg_comparator"]));
    const mounted = files.filter((f) => f.content.includes("extension_control_path")).map((f) => f.content);
    expect(mounted.length).toBeGreaterThan(0);
    for (const t of unmountable) {
      expect(files.map((f) => f.path)).not.toContain(`Cluster-${t.name.replace(/_/g, "-")}.yaml`);
      for (const content of mounted) expect(content, t.name).not.toContain(`/${t.extension}:`);
    }
  });

  it("create pg_cron in the database its background worker runs in (cron.database_name), not only in `app`", () => {
    const doc = (path: string) => parse(files.find((f) => f.path === path)!.content);
    const cronCluster = doc("Cluster-pg-cron-18-bookworm.yaml");
    const cronDatabase = doc("Database-pg-cron-18-bookworm.yaml");
    expect(cronDatabase.spec).toMatchObject({ name: "app", cluster: { name: "pg-cron-18-bookworm" }, extensions: [{ name: "pg_cron" }] });
    expect(cronCluster.spec.postgresql.parameters).toEqual({ "cron.database_name": "app" });
    expect(cronCluster.spec.postgresql.shared_preload_libraries).toEqual(["pg_cron"]);
    // Every Database that creates pg_cron, whatever the target, and every operand Cluster that preloads it.
    const databases = files.filter((f) => f.path.startsWith("Database-")).map((f) => parse(f.content));
    const withCron = databases.filter((d) => d.spec.extensions.some((e: { name: string }) => e.name === "pg_cron"));
    expect(withCron.length).toBeGreaterThan(plan.extensionImages.filter((t) => t.extension === "pg_cron" && t.major >= 18).length); // its own images and those of what requires it
    for (const d of withCron) expect(doc(`Cluster-${d.spec.cluster.name}.yaml`).spec.postgresql.parameters["cron.database_name"], d.metadata.name).toBe(d.spec.name);
    const preloading = plan.operands.filter((o) => o.sharedPreloadLibraries.includes("pg_cron"));
    expect(preloading.length).toBeGreaterThan(0);
    for (const o of preloading) expect(doc(`Cluster-${o.name}.yaml`).spec.postgresql.parameters, o.name).toEqual({ "cron.database_name": "app" });
    // The other way, a Database for `postgres` (pg_cron's default), is refused by the CRD.
    expect(crdErrors({ ...cronDatabase, spec: { ...cronDatabase.spec, name: "postgres" } }).join("\n")).toMatch(/\/spec\/name must NOT be valid/);
  });

  it("set what an entry needs at startup in the Cluster's parameters (pg_squeeze: wal_level and its output plugin), as pgbake test starts it", () => {
    const squeeze = parse(files.find((f) => f.path === "Cluster-pg-squeeze-18-trixie.yaml")!.content);
    expect(squeeze.spec.postgresql.parameters).toEqual({ wal_level: "logical", output_plugin_libraries: "pgoutput,test_decoding,pg_squeeze" });
    expect(parse(files.find((f) => f.path === "Cluster-pgvector-18-trixie.yaml")!.content).spec.postgresql.parameters).toBeUndefined();
  });

  it("fail validation when a field is misnamed", () => {
    const doc = parse(files.find((f) => f.path.startsWith("Cluster-") && f.content.includes("extension_control_path"))!.content);
    expect(crdErrors(doc)).toEqual([]);
    doc.spec.postgresql.extensions[0].extensionControlPath = doc.spec.postgresql.extensions[0].extension_control_path;
    delete doc.spec.postgresql.extensions[0].extension_control_path;
    expect(crdErrors(doc).join("\n")).toMatch(/must NOT have additional properties.*extensionControlPath/);
  });
});
