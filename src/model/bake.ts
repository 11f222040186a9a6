// The bake model: what `docker buildx bake --print` shows for a generated bake file, as typed data.
// src/render/bake-definition.ts computes it in TypeScript from the plan and the formulas of
// src/plan/definitions.ts; tests hold buildx's `--print` against it.

/** An `output`, `attest` or `cache-*` entry: the CSV `k=v,...` bake takes, as buildx prints it parsed (`disabled=true` as a boolean). */
export type BakeEntry = Record<string, string | boolean>;

export interface BakeTargetDefinition {
  /** What `docker buildx bake --list targets` shows. */
  description: string;
  context: string;
  dockerfile: string;
  platforms: string[];
  args: Record<string, string>;
  contexts?: Record<string, string>;
  tags?: string[];
  labels?: Record<string, string>;
  annotations?: string[];
  output?: BakeEntry[];
  attest?: BakeEntry[];
  network?: string;
  /** buildx adds `network.host` for a host-network target. */
  entitlements?: string[];
  "cache-from"?: BakeEntry[];
  "cache-to"?: BakeEntry[];
}

export interface BakeDefinition {
  group: Record<string, { description?: string; targets: string[] }>;
  target: Record<string, BakeTargetDefinition>;
}
