// `pgbake catalog`: the command around src/cnpg. It reads the metadata file of a real bake
// (`docker buildx bake --metadata-file`), has src/cnpg make the CloudNativePG manifests from it and
// the plan, and writes them (atomically, with their own manifest) into --dir.
import { join, resolve } from "node:path";
import type { BakeMetadata } from "../cnpg/built-images.js";
import { readRegularFile } from "../load/text.js";
import { FsError, PgbakeError } from "../model/errors.js";
import { inputsOf, planFrom } from "../pipeline/index.js";
import { writeOutputs } from "../write/index.js";
import { command, onWait, pathsOf, print } from "./command.js";
import { visibleLines } from "./errors.js";
import { UsageError } from "./usage.js";

/** A `docker buildx bake --metadata-file`: a JSON object, else a message (exit 2). */
function readMetadata(file: string): BakeMetadata {
  const read = readRegularFile(file);
  if (!("bytes" in read)) throw read.code ? new FsError("read", file, Object.assign(new Error(read.problem), { code: read.code })) : new PgbakeError(`${file}: ${read.problem}`);
  const text = read.bytes.toString("utf8");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PgbakeError(`${file} is not JSON (${(err as Error).message}); expected the file of docker buildx bake --metadata-file`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data))
    throw new PgbakeError(`${file} holds ${data === null ? "null" : Array.isArray(data) ? "a list" : typeof data}, not an object of targets; expected the file of docker buildx bake --metadata-file`);
  return data as BakeMetadata;
}

export const catalogCommand = command({
  usage: "pgbake catalog --metadata FILE [--dir DIR] [--force]",
  summary: "write CloudNativePG ClusterImageCatalog, Cluster and Database manifests from a bake --metadata-file (images by digest)",
  options: { metadata: { type: "string" }, dir: { type: "string" }, force: { type: "boolean" } },
  async run(v) {
    if (!v.metadata) throw new UsageError("--metadata FILE is required (docker buildx bake --metadata-file FILE)");
    const planned = planFrom(pathsOf(v));
    const { plan, outDir, catalog } = planned;
    // Imported when used: a command loads only the modules it needs.
    const { imageCatalogs } = await import("../cnpg/image-catalogs.js");
    const { clusterManifests } = await import("../cnpg/manifests.js");
    const metadata = readMetadata(v.metadata);
    const catalogs = imageCatalogs(plan, metadata, catalog.extensions);
    const manifests = clusterManifests(plan, catalog.extensions, metadata);
    const dir = resolve(v.dir ?? "catalogs");
    // The directory gets its own manifest (stale catalogs are removed): never the bake file's.
    if (dir === outDir) throw new UsageError("--dir must not be the output directory of generate");
    if (catalogs.length === 0) {
      process.stderr.write(`pgbake: no operand target of this plan is in ${visibleLines(v.metadata)}\n`);
      return 1;
    }
    writeOutputs(
      dir,
      [...catalogs, ...manifests].map((c) => ({ path: c.path, content: c.content })),
      { force: v.force, inputs: inputsOf(planned), onWait },
    );
    for (const c of catalogs) print(`${join(dir, c.path)}: ${c.images.map((i) => `PG ${i.major}`).join(", ")}`);
    print(`${manifests.filter((m) => m.path.startsWith("Cluster-")).length} Cluster and ${manifests.filter((m) => m.path.startsWith("Database-")).length} Database manifests in ${dir}`);
    return 0;
  },
});
