// What the formulas of plan/definitions.ts are evaluated over, and their evaluation in TypeScript:
// the lookup tables and a target's facts (what cannot be derived), the scope of bake variables, and
// the plan's own values of a target. The bake file prints the same tables and facts for buildx
// (render/bakefile.ts); render/bake-definition.ts evaluates here what buildx must print.
import { apply, evaluate, name, type Formula, type FormulaFunction, type Scope, type Value } from "../model/formula.js";
import { flavorGroupName, timestampMarker } from "../model/naming.js";
import { isLocalPath } from "../model/references.js";
import type { Metadata, Plan, SharedFacts, TargetPlan } from "../model/types.js";
import type { Definitions, TargetFormulas } from "./definitions.js";

// ---- Facts: what a target's formulas are evaluated over --------------------------------------

/** The lookup tables every formula may read (the bake file prints them as top-level attributes). */
export function tablesOf(shared: SharedFacts): Record<string, Value> {
  return {
    postgres: Object.fromEntries(shared.postgres.map((p) => [String(p.major), { version: p.version, preview: p.preview }])),
    bases: Object.fromEntries(shared.bases.map((b) => [b.name, { image: b.image, codename: b.codename, name: b.baseName, digest: b.baseDigest ?? "", platforms: b.platforms }])),
    types: Object.fromEntries(shared.types.map((t) => [t.name, { description: t.description, packages: t.packages.join(" ") }])),
    flavors: Object.fromEntries(shared.flavors.map((f) => [f.name, { description: f.description, image: f.image, group: flavorGroupName(f.image) }])),
  };
}

const byName = new WeakMap<SharedFacts, Map<string, SharedFacts["extensions"][number]>>();
const extensionsOf = (shared: SharedFacts): Map<string, SharedFacts["extensions"][number]> => {
  let m = byName.get(shared);
  if (!m) byName.set(shared, (m = new Map(shared.extensions.map((e) => [e.name, e]))));
  return m;
};

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** What cannot be derived about `t`: the facts its formulas are evaluated over. */
export function factsOf(t: TargetPlan, shared: SharedFacts, dockerfile = ""): Record<string, Value> {
  // The Dockerfile is render's choice: the plan's own values do not read it.
  const facts: Record<string, Value> = { major: String(t.major), base: t.base, dockerfile: dockerfile.replace(/^dockerfiles\/(.+)\.Dockerfile$/, "$1") };
  const basePlatforms = shared.bases.find((b) => b.name === t.base)!.platforms;
  if (!sameList(t.platforms, basePlatforms)) facts.platforms = [...t.platforms];
  if (t.network) facts.network = t.network;
  if (t.kind === "runtime") {
    Object.assign(facts, t.aptArgs);
  } else if (t.kind === "extension") {
    const spec = extensionsOf(shared).get(t.extension)!;
    Object.assign(facts, { extension: t.extension, description: spec.description, license: spec.license, version: t.version, ...t.buildArgs });
    if (t.sourceContext) Object.assign(facts, { src: t.sourceContext.value, ...(isLocalPath(t.sourceContext.value) ? { src_local: true } : {}) });
  } else {
    const keptNames = t.kept.map((k) => k.name);
    const withImages = t.kept.filter((k) => k.imageTarget).map((k) => k.name);
    Object.assign(facts, { flavor: t.flavor, type: t.type, extensions: keptNames });
    if (!sameList(withImages, keptNames)) facts.images = withImages;
    if (t.excluded.length > 0) facts.excluded = t.excluded.map((e) => e.name);
    Object.assign(facts, { PACKAGES: t.runtimePackages.join(" "), SHARED_PRELOAD_LIBRARIES: t.sharedPreloadLibraries.join(",") });
  }
  return facts;
}

// ---- Evaluation in TypeScript -----------------------------------------------------------------

/** The bake variables a run is steered by (environment variables of the same name override them). */
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

/** Tag format of `{timestamp}`: minutes in UTC, as CloudNativePG and aza-pg tag their images. */
export const timestampFormat = "YYYYMMDDhhmm";
/** OCI wants RFC 3339 for `created`; derived from `timestamp` so both name the same minute. */
export const createdFrom = (timestamp: string): string => timestamp.replace(/^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/, "$1-$2-$3T$4:$5:00Z");

/** What formulas see besides a target's facts: the tables, bake variables and global formulas. */
export function scopeOf(shared: SharedFacts, defs: Definitions, vars: BakeVariables, created = createdFrom(vars.timestamp)): Scope {
  const scope: Scope = { ...tablesOf(shared), ...vars, bake_dir: vars.bake_dir ?? ".", created };
  for (const [key, formula] of defs.globals) scope[key] = evaluate(formula, scope);
  return scope;
}

export const formulasOf = (defs: Definitions, t: TargetPlan): TargetFormulas => defs[t.kind];

/** A formula of row `o` (a function of it, or an expression such as TargetFormulas.of) evaluated over a target's facts. */
export const evaluateFor = (f: FormulaFunction | Formula, facts: Record<string, Value>, scope: Scope): Value => evaluate("op" in f ? f : apply(f, name("o")), { ...scope, o: facts });

// The plan evaluates with markers for what a bake run decides: `{timestamp}` stays in tags, and
// `created`/`revision` labels stay variables (Metadata).
const markers = { created: "\u0000created\u0000", revision: "\u0000revision\u0000" };

/** The plan's own values of a target (args, contexts, tags without registry, labels), from the formulas. */
export function derivedValues(t: TargetPlan, shared: SharedFacts, defs: Definitions, scope: Scope): Pick<TargetPlan, "args" | "contexts" | "tags" | "metadata"> {
  const facts = factsOf(t, shared);
  const formulas = formulasOf(defs, t);
  const target = evaluateFor(formulas.of, facts, scope) as Record<string, Value>;
  const tags = formulas.tags ? [...new Set(evaluateFor(formulas.tags, facts, scope) as string[])] : [];
  const labels = formulas.labels ? (evaluateFor(formulas.labels, facts, scope) as Record<string, string>) : {};
  const metadata: Metadata = Object.entries(labels).map(([k, v]) => (v === markers.created ? [k, { variable: "created" }] : v === markers.revision ? [k, { variable: "revision" }] : [k, v]));
  return { args: target.args as Record<string, string>, contexts: target.contexts as Record<string, string>, tags, metadata };
}

/** The scope the plan evaluates in: its registry, `{timestamp}` kept as a marker, bake_dir ".". */
export const planScope = (plan: Pick<Plan, "registry" | "shared">, defs: Definitions): Scope =>
  scopeOf(plan.shared, defs, { registry: plan.registry, timestamp: timestampMarker, revision: markers.revision, annotation_levels: "", cache_scope: "all" }, markers.created);

/** One `repository:tag` per tag template of an image target (before duplicates are dropped), for the uniqueness check. */
export function tagsPerTemplate(t: TargetPlan, shared: SharedFacts, defs: Definitions, scope: Scope): string[] {
  const f = formulasOf(defs, t).tags;
  return f ? (evaluateFor(f, factsOf(t, shared), scope) as string[]) : [];
}
