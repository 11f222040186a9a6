// `pgbake catalog`: CloudNativePG ClusterImageCatalog manifests, one per operand repository ×
// type × base, from the metadata file of a real bake (`docker buildx bake --metadata-file`).
// Images are referenced by digest, so a Cluster using the catalog gets exactly what was built.
import { stringify } from "yaml";
import type { OperandTargetPlan, Plan } from "../model/types.js";
import { timestampMarker } from "../model/naming.js";

/** The part of buildx's metadata file pgbake reads: one entry per built target. */
export type BakeMetadata = Record<string, { "containerimage.digest"?: string; "image.name"?: string } | unknown>;

export interface CatalogFile {
  name: string;
  path: string;
  content: string;
  images: { major: number; image: string }[];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The most specific pushed name: a tag made from a `{timestamp}` template if there is one, else the first. */
function pickName(op: OperandTargetPlan, names: string[]): string | undefined {
  const byTemplate = [...op.tags].sort((a, b) => Number(b.includes(timestampMarker)) - Number(a.includes(timestampMarker)));
  for (const tag of byTemplate) {
    const re = new RegExp(`/${tag.split(timestampMarker).map(escapeRe).join("[0-9]{12}")}$`);
    const found = names.find((n) => re.test(n));
    if (found) return found;
  }
  return names[0];
}

function entryOf(metadata: BakeMetadata, target: string): { digest: string; names: string[] } | undefined {
  const raw = metadata[target];
  if (!raw || typeof raw !== "object") return undefined;
  const entry = raw as { "containerimage.digest"?: unknown; "image.name"?: unknown };
  const digest = entry["containerimage.digest"];
  const names = entry["image.name"];
  if (typeof digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(digest) || typeof names !== "string") return undefined;
  return { digest, names: names.split(",").filter(Boolean) };
}

export function imageCatalogs(plan: Plan, metadata: BakeMetadata): CatalogFile[] {
  const groups = new Map<string, { op: OperandTargetPlan; images: Map<number, string> }>();
  for (const op of plan.operands) {
    const built = entryOf(metadata, op.name);
    if (!built) continue;
    const name = pickName(op, built.names);
    if (!name) continue;
    const key = `${op.image.replace(/\//g, "-")}-${op.type}-${op.base}`;
    const group = groups.get(key) ?? { op, images: new Map() };
    group.images.set(op.major, `${name}@${built.digest}`);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, "en"))
    .map(([name, { op, images }]) => {
      const list = [...images.entries()].sort(([a], [b]) => a - b).map(([major, image]) => ({ major, image }));
      const manifest = {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ClusterImageCatalog",
        metadata: {
          name,
          labels: { "images.cnpg.io/family": op.image.replace(/\//g, "-"), "images.cnpg.io/type": op.type, "images.cnpg.io/os": op.base },
        },
        spec: { images: list },
      };
      return { name, path: `ClusterImageCatalog-${name}.yaml`, content: stringify(manifest, { lineWidth: 0 }), images: list };
    });
}
