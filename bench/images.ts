// Section 4: sizes of the images an e2e build pushed to the local registry, and what each
// flavor adds over its default-flavor image against the size of the extension files it copies
// in. Added ≈ extension files means no build tool leaked into the operand image.
import type { OperandTargetPlan } from "../src/model/types.js";
import type { Planned } from "../src/pipeline/index.js";
import { imageLayers, localRegistryUrl, splitRef, type PlatformImage } from "./registry.js";

export interface ImageSize {
  target: string;
  ref: string;
  kind: "operand" | "extension";
  platform: string;
  mb: number;
}

export interface FlavorAddition {
  target: string;
  comparedWith: string;
  platform: string;
  /** Its size minus its default-flavor image's size. */
  addedMb: number;
  /** Its layers the default-flavor image does not share (by digest): what a pull of both costs. */
  unsharedMb: number;
  /** The extension images it copies from (FROM scratch: only the files). */
  extensionFilesMb: number;
  ratio: number;
}

export type ImagesResult = { measured: false; reason: string } | { measured: true; config: string; images: ImageSize[]; flavors: FlavorAddition[] };

const mb = (bytes: number): number => bytes / 1024 / 1024;

export async function measureImages(planned: Planned): Promise<ImagesResult> {
  const { plan, config } = planned;
  const base = localRegistryUrl(plan.registry);
  if (!base) return { measured: false, reason: `registry ${plan.registry} is not on this machine` };
  try {
    await fetch(`${base}/v2/`);
  } catch {
    return { measured: false, reason: `no registry answers on ${base}` };
  }
  const layers = new Map<string, PlatformImage[]>();
  const images: ImageSize[] = [];
  const targets = [...plan.operands.map((t) => ({ t, kind: "operand" as const })), ...plan.extensionImages.map((t) => ({ t, kind: "extension" as const }))];
  for (const { t, kind } of targets) {
    const ref = t.tags[0];
    if (!ref) continue;
    const { repo, tag } = splitRef(ref);
    const found = await imageLayers(base, repo, tag);
    if (!found) continue;
    layers.set(t.name, found);
    for (const p of found) images.push({ target: t.name, ref: `${plan.registry}/${ref}`, kind, platform: p.platform, mb: mb(p.bytes) });
  }
  if (images.length === 0) return { measured: false, reason: "no e2e images in the registry" };

  const minimalOf = (op: OperandTargetPlan): OperandTargetPlan | undefined =>
    plan.operands.find((o) => o.flavor === config.default_flavor && o.major === op.major && o.type === op.type && o.base === op.base);
  const flavors: FlavorAddition[] = [];
  for (const op of plan.operands) {
    const minimal = op.flavor === config.default_flavor ? undefined : minimalOf(op);
    const mine = layers.get(op.name);
    const theirs = minimal && layers.get(minimal.name);
    if (!minimal || !mine || !theirs) continue;
    for (const p of mine) {
      const m = theirs.find((x) => x.platform === p.platform);
      if (!m) continue;
      const shared = new Set(m.layers.map((l) => l.digest));
      const unshared = p.layers.filter((l) => !shared.has(l.digest)).reduce((n, l) => n + l.size, 0);
      const added = p.bytes - m.bytes;
      let extBytes = 0;
      let missing = false;
      for (const k of op.kept) {
        if (!k.imageTarget) continue;
        const ext = layers.get(k.imageTarget)?.find((x) => x.platform === p.platform);
        if (ext) extBytes += ext.bytes;
        else missing = true;
      }
      if (missing) continue; // an extension image it copies was not pushed: no fair comparison
      flavors.push({
        target: op.name,
        comparedWith: minimal.name,
        platform: p.platform,
        addedMb: mb(added),
        unsharedMb: mb(unshared),
        extensionFilesMb: mb(extBytes),
        ratio: extBytes > 0 ? added / extBytes : NaN,
      });
    }
  }
  return { measured: true, config: config.file, images, flavors };
}
