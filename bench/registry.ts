// Image sizes from a local registry's HTTP API (Distribution v2): the compressed size of every
// layer of each platform's manifest. No pulls; only manifests are read.
const manifestTypes = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}
interface ManifestBody {
  mediaType?: string;
  manifests?: Descriptor[];
  layers?: Descriptor[];
}

export interface PlatformImage {
  platform: string;
  layers: { digest: string; size: number }[];
  bytes: number;
}

/** `http://127.0.0.1:5000` for a registry on this machine; undefined for any other. */
export function localRegistryUrl(registry: string): string | undefined {
  const m = /^(localhost|127\.0\.0\.1)(?::(\d+))?$/.exec(registry);
  return m ? `http://127.0.0.1:${m[2] ?? "80"}` : undefined;
}

async function getManifest(base: string, repo: string, ref: string): Promise<ManifestBody | undefined> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { headers: { accept: manifestTypes.join(", ") } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`registry ${base}: ${repo}:${ref}: HTTP ${res.status}`);
  return (await res.json()) as ManifestBody;
}

/** platform -> layers of `repo:tag`, attestation manifests left out; undefined if not pushed. */
export async function imageLayers(base: string, repo: string, tag: string): Promise<PlatformImage[] | undefined> {
  const top = await getManifest(base, repo, tag);
  if (!top) return undefined;
  const single = (platform: string, m: ManifestBody): PlatformImage => {
    const layers = (m.layers ?? []).map((l) => ({ digest: l.digest, size: l.size }));
    return { platform, layers, bytes: layers.reduce((n, l) => n + l.size, 0) };
  };
  if (!top.manifests) return [single("unknown", top)];
  const out: PlatformImage[] = [];
  for (const d of top.manifests) {
    if (!d.platform || d.platform.os === "unknown" || d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") continue;
    const m = await getManifest(base, repo, d.digest);
    if (m) out.push(single(`${d.platform.os}/${d.platform.architecture}${d.platform.variant ? `/${d.platform.variant}` : ""}`, m));
  }
  return out;
}

/** `postgresql:17-minimal-trixie` -> repository and tag. */
export function splitRef(ref: string): { repo: string; tag: string } {
  const at = ref.lastIndexOf(":");
  return { repo: ref.slice(0, at), tag: ref.slice(at + 1) };
}
