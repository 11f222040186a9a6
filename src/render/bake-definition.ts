// What `docker buildx bake --print` shows for a generated bake file, computed in TypeScript: the
// formulas of src/plan/definitions.ts evaluated over each target's facts, plus the attributes
// every target inherits (`_common`, `_image`, printed by bakefile.ts from the constants here).
// Tests hold buildx's `--print` of the HCL against this for every target.
import type { BakeDefinition, BakeEntry, BakeTargetDefinition } from "../model/bake.js";
import { allTargets, usesHostNetwork } from "../model/targets.js";
import type { Value } from "../model/formula.js";
import type { Plan } from "../model/types.js";
import { definitions } from "../plan/definitions.js";
import { evaluateFor, factsOf, formulasOf, scopeOf, type BakeVariables } from "../plan/evaluation.js";
import { bakeGroups } from "./groups.js";

export const imageOutput: BakeEntry = { type: "image", "oci-mediatypes": "true", "oci-artifact": "true" };
const attestations: BakeEntry[] = [{ type: "provenance", mode: "max" }, { type: "sbom" }];
/**
 * `build.attest: false` is no attestation at all: buildx adds a provenance attestation to a pushed
 * image unless a target disables it, so both kinds are disabled by name.
 */
const noAttestations: BakeEntry[] = [
  { type: "provenance", disabled: true },
  { type: "sbom", disabled: true },
];
export const attestationsOf = (plan: Plan): BakeEntry[] => (plan.build.attest ? attestations : noAttestations).map((a) => ({ ...a }));

/** An entry as the CSV bake takes. */
export const csv = (e: BakeEntry): string =>
  Object.entries(e)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
/** A CSV entry as buildx prints it: parsed, `disabled=true` a boolean. */
const parsed = (entry: string): BakeEntry =>
  Object.fromEntries(
    entry.split(",").map((kv) => {
      const [k, ...v] = kv.split("=");
      return [k!, k === "disabled" && v.join("=") === "true" ? true : v.join("=")];
    }),
  );

/**
 * Where annotations go when `annotation_levels` is empty (the default without attestations): a
 * single-platform export without attestations is a manifest, not an index, and cannot carry index
 * annotations (docker/buildx: "index annotations not supported for single platform export").
 * With attestations every pushed image is an index, and the default is "index,manifest".
 */
export const defaultVariables = (plan: Plan): Omit<BakeVariables, "timestamp"> => ({
  registry: plan.registry,
  revision: "",
  annotation_levels: plan.build.attest ? "index,manifest" : "",
  cache_scope: "all",
});

/**
 * What `--print` shows for `targets` (all by default) under `vars`; `dockerfiles` maps each
 * target to its Dockerfile (render decides the files).
 */
export function bakeDefinition(plan: Plan, dockerfiles: Record<string, string>, vars: BakeVariables, targets: string[] = allTargets(plan).map((t) => t.name)): BakeDefinition {
  const wanted = new Set(targets);
  const hostNetwork = usesHostNetwork(plan);
  const defs = definitions(plan.shared, { cache: plan.build.cache, hostNetwork });
  const scope = scopeOf(plan.shared, defs, vars);
  const target: Record<string, BakeTargetDefinition> = {};
  for (const t of allTargets(plan)) {
    if (!wanted.has(t.name)) continue;
    const v = evaluateFor(formulasOf(defs, t).of, factsOf(t, plan.shared, dockerfiles[t.name]), scope) as Record<string, Value>;
    const def: BakeTargetDefinition = {
      description: v.description as string,
      context: vars.bake_dir ?? ".",
      dockerfile: v.dockerfile as string,
      platforms: v.platforms as string[],
      args: v.args as Record<string, string>,
    };
    if (Object.keys(v.contexts as object).length > 0) def.contexts = v.contexts as Record<string, string>;
    if (v.network !== undefined) def.network = v.network as string;
    if (v.network === "host") def.entitlements = ["network.host"];
    if (t.kind !== "runtime") {
      Object.assign(def, { tags: v.tags, labels: v.labels, annotations: v.annotations, output: [{ ...imageOutput }], attest: attestationsOf(plan) });
    } else {
      // A runtime has no output of its own: buildx builds it only as a context of other targets.
      def.output = [{ type: "cacheonly" }];
    }
    if (v.cache_from !== undefined) {
      def["cache-from"] = (v.cache_from as string[]).map(parsed);
      def["cache-to"] = (v.cache_to as string[]).map(parsed);
    }
    target[t.name] = def;
  }
  const group: BakeDefinition["group"] = {};
  for (const g of bakeGroups(plan, wanted)) group[g.name] = g.matrix ? { targets: g.targets } : { description: g.description, targets: g.targets };
  return { group, target };
}
