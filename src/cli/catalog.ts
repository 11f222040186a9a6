// `pgbake catalog`: CloudNativePG ClusterImageCatalog manifests, one per operand repository ×
// type × base, from the metadata file of a real bake (`docker buildx bake --metadata-file`).
// Images are referenced by digest, so a Cluster using the catalog gets exactly what was built.
import { stringify } from "yaml";
import type { ExtensionSpec, OperandTargetPlan, Plan } from "../model/types.js";
import { timestampMarker } from "../plan/naming.js";
import type { ExtensionConfiguration } from "../verify/cnpg.js";
import { catalogExtensions } from "./cnpg-manifests.js";

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
function pickName(op: { tags: string[] }, names: string[]): string | undefined {
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

/** `<pushed name>@<digest>` of a target in the metadata file, if it was built and pushed. */
export function builtReference(metadata: BakeMetadata, target: { name: string; tags: string[] }): string | undefined {
  const built = entryOf(metadata, target.name);
  const name = built && pickName(target, built.names);
  return name ? `${name}@${built.digest}` : undefined;
}

type CatalogImage = { major: number; image: string; extensions?: ExtensionConfiguration[] };

/**
 * With the catalog's extension specs, each PostgreSQL ≥ 18 entry also lists the extension images
 * of its major and base that the operand lacks (`spec.images[].extensions`, CloudNativePG 1.29+).
 */
export function imageCatalogs(plan: Plan, metadata: BakeMetadata, specs: ExtensionSpec[] = []): CatalogFile[] {
  const groups = new Map<string, { op: OperandTargetPlan; images: Map<number, CatalogImage> }>();
  for (const op of plan.operands) {
    const image = builtReference(metadata, op);
    if (!image) continue;
    const key = `${op.image.replace(/\//g, "-")}-${op.type}-${op.base}`;
    const group = groups.get(key) ?? { op, images: new Map() };
    const extensions = catalogExtensions(plan, specs, metadata, op.name);
    group.images.set(op.major, { major: op.major, image, ...(extensions.length > 0 ? { extensions } : {}) });
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, "en"))
    .map(([name, { op, images }]) => {
      const list = [...images.values()].sort((a, b) => a.major - b.major);
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
