// Why an extension cannot go into an image: the only place compatibility is decided.
import type { BaseSpec, ExtensionSpec, PreloadSlot, SuiteEntry } from "../model/types.js";
import { fillTemplate } from "./naming.js";

export interface BuildSlot {
  major: number;
  preview: boolean;
  base: string;
  /** The apt suite PostgreSQL comes from on this base (`suiteOf`), for the entry's `suites`. */
  suite?: string;
  platforms: string[];
}

/**
 * The apt suite a base's PostgreSQL packages come from, as `suites` keys it: the codename for the
 * distribution's own packages, `<codename>-pgdg` for PGDG's (its suites are named that way).
 */
export function suiteOf(base: Pick<BaseSpec, "codename" | "postgres_from">): string {
  return base.postgres_from === "pgdg" ? `${base.codename}-pgdg` : base.codename;
}

function suiteEntryFor(ext: ExtensionSpec, major: number, suite: string | undefined): SuiteEntry | undefined {
  // Hand-made specs (tests, library callers) may carry no `suites` at all.
  return suite === undefined ? undefined : ext.suites?.[suite]?.[String(major)];
}

/** The version for `major` (in `suite`, when that suite carries another one). */
export function versionFor(ext: ExtensionSpec, major: number, suite?: string): string {
  return suiteEntryFor(ext, major, suite)?.version ?? ext.versions_by_major[String(major)] ?? ext.version;
}

/** The apt package of a kind package entry for `major` in `suite` (its own name there, if it has one). */
export function packageFor(ext: ExtensionSpec, major: number, suite?: string): string {
  return fillTemplate(packageTemplateFor(ext, major, suite), { major: String(major) });
}

/** The same with `{major}` left in (an extension image's build args fill it: plan/definitions.ts). */
export const packageTemplateFor = (ext: ExtensionSpec, major: number, suite?: string): string => suiteEntryFor(ext, major, suite)?.package ?? ext.package!;

/** The reason `ext` cannot be built for `slot`, or undefined when it can. */
export function excludedBecause(ext: ExtensionSpec, slot: BuildSlot): string | undefined {
  if (ext.disabled) return `disabled: ${ext.disabled_reason ?? "no reason given"}`;
  if (ext.min_pg_version !== undefined && ext.min_pg_version > slot.major) return `min_pg_version ${ext.min_pg_version} > ${slot.major}`;
  if (ext.max_pg_version !== undefined && ext.max_pg_version < slot.major) return `max_pg_version ${ext.max_pg_version} < ${slot.major}`;
  // A preview major is only built with extensions that say they support it.
  if (slot.preview && ext.kind !== "contrib" && ext.max_pg_version === undefined) return `PG ${slot.major} is a preview and max_pg_version is unset`;
  const absent = suiteEntryFor(ext, slot.major, slot.suite)?.absent;
  if (absent !== undefined) return `not in ${slot.suite} for PG ${slot.major}: ${absent}`;
  if (ext.bases && !ext.bases.includes(slot.base)) return `base ${slot.base} not supported (only ${ext.bases.join(", ")})`;
  const missing = slot.platforms.filter((p) => ext.platforms && !ext.platforms.includes(p));
  if (missing.length > 0) return platformExclusion(missing);
  return undefined;
}

/** The reason for an extension that lacks `missing` platforms; asked last, so it means no other reason holds. */
export const platformExclusion = (missing: string[]): string => `platform ${missing.join(", ")} not supported`;

export interface Selection {
  kept: { name: string; requiredBy?: string }[];
  excluded: { name: string; excludedBecause: string }[];
}

/**
 * `requested` and everything they require, transitively, each once and its requirements before it
 * (with the first entry that required it); names the catalog does not hold are left out.
 */
export function withRequirements(requested: string[], catalog: Map<string, Pick<ExtensionSpec, "requires">>): { name: string; requiredBy?: string }[] {
  const order: { name: string; requiredBy?: string }[] = [];
  const seen = new Set<string>();
  const add = (name: string, requiredBy?: string): void => {
    const ext = catalog.get(name);
    if (seen.has(name) || !ext) return;
    seen.add(name);
    for (const req of ext.requires) add(req, name);
    order.push({ name, requiredBy });
  };
  for (const name of requested) add(name);
  return order;
}

/**
 * Resolves what an image holds: requested extensions plus what they require (requirements first),
 * minus the incompatible ones and everything that requires a dropped one.
 */
export function selectExtensions(requested: string[], catalog: Map<string, ExtensionSpec>, slot: BuildSlot): Selection {
  const order = withRequirements(requested, catalog);

  const dropped = new Map<string, string>();
  for (const { name } of order) {
    const ext = catalog.get(name)!;
    const reason = excludedBecause(ext, slot);
    if (reason) {
      dropped.set(name, reason);
      continue;
    }
    // Requirements come earlier in `order`, so their fate is already known.
    const lost = ext.requires.find((r) => dropped.has(r));
    if (lost) dropped.set(name, `requires ${lost}, which was dropped`);
  }
  return {
    kept: order.filter((e) => !dropped.has(e.name)),
    excluded: order.filter((e) => dropped.has(e.name)).map((e) => ({ name: e.name, excludedBecause: dropped.get(e.name)! })),
  };
}

/** Apt packages the extension's libraries need at run time on a base. */
export function runtimePackagesFor(ext: ExtensionSpec, base: string): string[] {
  return ext.runtime_packages_by_base[base] ?? ext.runtime_packages;
}

// ---- Composition: several extensions in one server --------------------------------------------

const positionRank = { first: 0, flavor: 1, last: 2 } as const;

/**
 * The preload list of a server holding `specs` (in the image's order, requirements first): every
 * library once, those whose entry must be first ahead of the rest and those that must be last
 * behind it, the flavor's order otherwise (a stable sort).
 */
export function preloadSlots(specs: Pick<ExtensionSpec, "name" | "shared_preload_libraries" | "preload_position">[]): PreloadSlot[] {
  const slots = specs.flatMap((e) => e.shared_preload_libraries.map((library) => ({ library, extension: e.name, position: e.preload_position ?? ("flavor" as const) })));
  const sorted = slots.map((s, i) => [s, i] as const).sort(([a, i], [b, j]) => positionRank[a.position] - positionRank[b.position] || i - j);
  const seen = new Set<string>();
  return sorted.map(([s]) => s).filter((s) => !seen.has(s.library) && seen.add(s.library));
}

export interface Conflict {
  /** The two entries, in the image's order. */
  first: string;
  second: string;
  reason: string;
}

/** Pairs of `specs` (in the image's order) that cannot share a server, and why. */
export function conflictsAmong(specs: ExtensionSpec[]): Conflict[] {
  const out: Conflict[] = [];
  specs.forEach((a, i) =>
    specs.slice(i + 1).forEach((b) => {
      const declared = a.conflicts.find((c) => c.extension === b.name) ?? b.conflicts.find((c) => c.extension === a.name);
      const place = a.preload_position;
      if (declared) out.push({ first: a.name, second: b.name, reason: declared.reason });
      else if (place && place === b.preload_position && a.shared_preload_libraries.length > 0 && b.shared_preload_libraries.length > 0)
        out.push({ first: a.name, second: b.name, reason: `both must be loaded ${place} in shared_preload_libraries (preload_position: ${place})` });
    }),
  );
  return out;
}
