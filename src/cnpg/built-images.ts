// The images a real bake pushed, read from its metadata file (`docker buildx bake
// --metadata-file`): what `pgbake catalog` and the Cluster manifests reference by digest.
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
