// The bake definition: what `docker buildx bake --print` prints for the generated file, as typed
// data made from the plan alone. The HCL file (bakefile.ts) says the same thing compactly; tests
// hold buildx's `--print` of that file against this definition.
import { timestampMarker } from "../model/naming.js";
import { isLocalPath } from "../model/references.js";
import type { Metadata, Plan, TargetPlan } from "../model/types.js";

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

/** The variables a bake run is steered by (environment variables of the same name override them). */
export interface BakeVariables {
  registry: string;
  /** YYYYMMDDhhmm, UTC. */
  timestamp: string;
  revision: string;
  annotation_levels: string;
  cache_scope: string;
  /** Where the bake file and its dockerfiles/ are (see bakefile.ts); "." when unset. */
  bake_dir?: string;
}

/**
 * Where annotations go when `annotation_levels` is empty (the default without attestations): a
 * single-platform export without attestations is a manifest, not an index, and cannot carry index
 * annotations (docker/buildx: "index annotations not supported for single platform export").
 * With attestations every pushed image is an index, and the default is "index,manifest".
 */
export const annotationLevels = { index: "index,manifest", manifest: "manifest" };
export const annotationLevelsOf = (platforms: string[]): string => (platforms.length > 1 ? annotationLevels.index : annotationLevels.manifest);

/** Tag format of `{timestamp}`: minutes in UTC, as CloudNativePG and aza-pg tag their images. */
export const timestampFormat = "YYYYMMDDhhmm";

export const defaultVariables = (plan: Plan): Omit<BakeVariables, "timestamp"> => ({
  registry: plan.registry,
  revision: "",
  annotation_levels: plan.build.attest ? annotationLevels.index : "",
  cache_scope: "all",
});

/** OCI wants RFC 3339 for `created`; derived from `timestamp` so both name the same minute. */
export const createdFrom = (timestamp: string): string =>
  timestamp.replace(/^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/, "$1-$2-$3T$4:$5:00Z");

export const imageOutput: BakeEntry = { type: "image", "oci-mediatypes": "true", "oci-artifact": "true" };
const attestations: BakeEntry[] = [{ type: "provenance", mode: "max" }, { type: "sbom" }];
/**
 * `build.attest: false` is no attestation at all: buildx adds a provenance attestation to a pushed
 * image unless a target disables it, so both kinds are disabled by name.
 */
const noAttestations: BakeEntry[] = [{ type: "provenance", disabled: true }, { type: "sbom", disabled: true }];
export const attestationsOf = (plan: Plan): BakeEntry[] => (plan.build.attest ? attestations : noAttestations).map((a) => ({ ...a }));
export const cacheToOptions: BakeEntry = { mode: "max", "image-manifest": "true", "oci-mediatypes": "true" };

/** Registry cache in the target's own repository, one tag per target and `cache_scope` (CI: per platform). */
export const cacheRef = (registry: string, repository: string, target: string, scope: string): string =>
  `${registry}/${repository}:cache-${target}-${scope}`;

function labels(metadata: Metadata, vars: BakeVariables): [string, string][] {
  const values = { created: createdFrom(vars.timestamp), revision: vars.revision };
  return metadata.map(([k, v]) => [k, typeof v === "string" ? v : values[v.variable]]);
}

/** A named context that is a directory on this machine (a local extension source), not a URL or target. */
/** A context value the bake file anchors at its own directory (bakefile.ts asks the same). */
export { isLocalPath as isLocalContext };

/** One line on what a target builds, for `docker buildx bake --list targets`. */
export function targetDescription(t: TargetPlan, plan: Plan): string {
  const pg = (major: number): string => plan.shared.postgres.find((p) => p.major === major)?.version ?? String(major);
  if (t.kind === "runtime") return `PostgreSQL ${pg(t.major)} on ${t.base}: the runtime the other images build on`;
  if (t.kind === "extension") return `${t.extension} ${t.version} for PostgreSQL ${t.major} on ${t.base}: extension image`;
  const kept = t.kept.map((k) => k.name);
  return `PostgreSQL ${pg(t.major)} ${t.type}, flavor ${t.flavor}, on ${t.base}${kept.length > 0 ? `, with ${kept.join(", ")}` : ""}`;
}

function targetDefinition(t: TargetPlan, dockerfile: string, plan: Plan, vars: BakeVariables): BakeTargetDefinition {
  const dir = vars.bake_dir ?? ".";
  const def: BakeTargetDefinition = { description: targetDescription(t, plan), context: dir, dockerfile, platforms: [...t.platforms], args: { ...t.args } };
  if (Object.keys(t.contexts).length > 0)
    def.contexts = Object.fromEntries(Object.entries(t.contexts).map(([k, v]) => [k, isLocalPath(v) ? `${dir}/${v}` : v]));
  // The bake file names a network only in a plan that has host-network targets (bakefile.ts).
  if (usesHostNetwork(plan)) def.network = t.network ?? "default";
  if (t.network === "host") def.entitlements = ["network.host"];
  if (t.kind !== "runtime") {
    def.tags = t.tags.map((tag) => `${vars.registry}/${tag.split(timestampMarker).join(vars.timestamp)}`);
    const pairs = labels(t.metadata, vars);
    def.labels = Object.fromEntries(pairs);
    const levels = vars.annotation_levels || annotationLevelsOf(t.platforms);
    def.annotations = pairs.map(([k, v]) => `${levels}:${k}=${v}`);
    def.output = [{ ...imageOutput }];
    def.attest = attestationsOf(plan);
  } else {
    // A runtime has no output of its own: buildx builds it only as a context of other targets.
    def.output = [{ type: "cacheonly" }];
  }
  if (plan.build.cache) {
    const ref = cacheRef(vars.registry, t.repository, t.name, vars.cache_scope);
    def["cache-from"] = [{ type: "registry", ref }];
    def["cache-to"] = [{ type: "registry", ref, ...cacheToOptions }];
  }
  return def;
}

/**
 * What `--print` shows for `targets` (all by default) under `vars`; `dockerfiles` maps each
 * target to its Dockerfile (render decides the files).
 */
export function bakeDefinition(
  plan: Plan,
  dockerfiles: Record<string, string>,
  vars: BakeVariables,
  targets: string[] = allTargets(plan).map((t) => t.name),
): BakeDefinition {
  const wanted = new Set(targets);
  const target: Record<string, BakeTargetDefinition> = {};
  for (const t of allTargets(plan)) if (wanted.has(t.name)) target[t.name] = targetDefinition(t, dockerfiles[t.name]!, plan, vars);
  const group: BakeDefinition["group"] = {};
  for (const g of plan.groups) {
    const members = g.targets.filter((n) => wanted.has(n));
    if (members.length > 0) group[g.name] = { description: g.description, targets: members };
  }
  return { group, target };
}

/** Every target in plan order: runtimes, extension images, operands. */
export const allTargets = (plan: Plan): TargetPlan[] => [...plan.runtimes, ...plan.extensionImages, ...plan.operands];

/** Any target of the plan builds in the host's network (a base with a loopback apt mirror). */
export const usesHostNetwork = (plan: Plan): boolean => [...plan.runtimes, ...plan.extensionImages, ...plan.operands].some((t) => t.network === "host");
