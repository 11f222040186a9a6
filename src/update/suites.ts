// Package versions per apt suite: what each slot (base × architecture) of one suite carries, the
// newest version all of them share, and the packages a suite lacks, reported all at once.
import type { ExtensionSpec, ProjectConfig } from "../model/types.js";
import { AptIndexReader, debianArch } from "./apt-index.js";
import { compareDebVersions, newestDebVersion } from "./debversion.js";
import type { NetworkBudget } from "./http.js";
import { postgresRepositories } from "./repositories.js";
import { shownValue } from "./upstream.js";
import type { YamlEdit } from "./yaml-edit.js";

export interface Slot {
  base: string;
  platforms: string[];
}

export interface SlotVersions {
  /** `amd64 (base trixie, http://deb.debian.org/debian trixie + ...)` */
  where: string;
  base: string;
  arch: string;
  /** upstream version -> newest full Debian version carrying it */
  versions: Map<string, string>;
  /** Every repository of the slot is a stable release (Release `Suite: stable`, `oldstable`, ...): it gets no new packages. */
  stable: boolean;
}

/** An apt version pattern (`{version}-*`) as a regex whose group 1 is the version. */
function patternRegExp(pattern: string): RegExp {
  const parts = pattern.split("{version}").map((p) => p.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*"));
  return new RegExp(`^${parts.join("(.+)")}$`);
}

export const validVersion = /^[0-9A-Za-z][0-9A-Za-z.+~_-]*$/;
const stableSuite = /^(old)*stable(-|$)/;

/** How the upstream versions a repository serves are filtered: `accept` quietly, `fits` with a note per value skipped. */
export interface VersionFilter {
  accept: (v: string) => boolean;
  /** Why a value cannot be written (it does not fit the schema), or undefined when it can. */
  fits: (v: string) => string | undefined;
  /** Where a skipped value is noted, once per value. */
  notes: string[];
}

/**
 * The versions of `pkg` (matching `pattern`) each slot's repositories carry, per architecture.
 * Every read is bounded by `budget`; an upstream value that does not fit is skipped with a note.
 */
export async function slotVersions(
  reader: AptIndexReader,
  config: ProjectConfig,
  pkg: string,
  pattern: string,
  major: number,
  preview: boolean,
  slots: Slot[],
  keyrings: string[],
  budget: NetworkBudget,
  filter: VersionFilter,
): Promise<SlotVersions[]> {
  const re = patternRegExp(pattern);
  const out: SlotVersions[] = [];
  const unfit = new Set<string>(); // each value noted once
  for (const slot of slots) {
    const base = config.bases.find((b) => b.name === slot.base)!;
    const repos = await postgresRepositories(base, major, preview, keyrings, budget);
    let stable = true;
    for (const repo of repos) {
      const rel = await reader.release(repo);
      if (rel && !stableSuite.test(rel.suiteClass ?? "")) stable = false;
    }
    for (const platform of slot.platforms) {
      const arch = debianArch(platform);
      const versions = new Map<string, string>();
      for (const repo of repos) {
        const index = await reader.versions(repo, arch);
        for (const full of index?.get(pkg) ?? []) {
          const m = re.exec(full);
          if (!m) continue;
          // A pattern without {version} (`*`) pins no version: the package being there is the fact.
          const upstream = m[1] ?? "";
          if (m[1] !== undefined) {
            if (!filter.accept(upstream)) continue;
            const why = filter.fits(upstream);
            if (why !== undefined || !validVersion.test(upstream)) {
              if (!unfit.has(upstream)) {
                unfit.add(upstream);
                filter.notes.push(`${repo.uri} ${repo.suite}: ${pkg} version ${shownValue(upstream)} skipped: ${why ?? "not a version a pin can hold"}`);
              }
              continue;
            }
          }
          const prev = versions.get(upstream);
          if (!prev || compareDebVersions(full, prev) > 0) versions.set(upstream, full);
        }
      }
      out.push({ where: `${arch} (base ${slot.base}, ${repos.map((r) => `${r.uri} ${r.suite}`).join(" + ")})`, base: slot.base, arch, versions, stable });
    }
  }
  return out;
}

/** Whether an apt version pattern carries the entry's version (`{version}-*`), or pins none (`*`). */
export const pinsVersion = (pattern: string): boolean => pattern.includes("{version}");

/** The newest upstream version every slot carries (a version one architecture lacks is not installable there). */
export function newestCommon(perSlot: SlotVersions[]): string | undefined {
  const common = perSlot.reduce<string[] | undefined>((acc, s) => (acc === undefined ? [...s.versions.keys()] : acc.filter((v) => s.versions.has(v))), undefined) ?? [];
  return common.sort((a, b) => compareDebVersions(a, b)).at(-1);
}

/** Per slot, what it has: `amd64 (...): no pkg` or `newest 1.2-1`. */
export function slotDetail(perSlot: SlotVersions[], pkg: string): string {
  return perSlot.map((s) => `${s.where}: ${s.versions.size === 0 ? `no ${pkg}` : `newest ${newestDebVersion(s.versions.values())}`}`).join("; ");
}

/** A package that a suite (or one of its architectures) lacks for a major the plan builds there. */
export interface MissingPackage {
  extension: string;
  file: string;
  major: number;
  suite: string;
  package: string;
  /** The architectures without an installable version. */
  archs: string[];
  detail: string;
  /** The suite is a stable release: waiting will not bring the package. */
  stable: boolean;
}

export function missingPackage(ext: ExtensionSpec, major: number, suite: string, pkg: string, perSlot: SlotVersions[]): MissingPackage {
  const newest = newestCommon(perSlot.filter((s) => s.versions.size > 0));
  // Which architectures lack it: all, or those without the version the others share.
  const archs = perSlot.filter((s) => s.versions.size === 0 || (newest !== undefined && !s.versions.has(newest))).map((s) => s.arch);
  return {
    extension: ext.name,
    file: ext.file,
    major,
    suite,
    package: pkg,
    archs: [...new Set(archs.length > 0 ? archs : perSlot.map((s) => s.arch))],
    detail: slotDetail(perSlot, pkg),
    stable: perSlot.every((s) => s.stable),
  };
}

/** The reason `update --exclude-missing` writes as the entry's `suites.<suite>.<major>.absent`. */
export function absentReason(m: MissingPackage, today = new Date().toISOString().slice(0, 10)): string {
  const what = `${m.suite} has no ${m.package} for ${m.archs.join(", ")} (pgbake update, ${today})`;
  return m.stable ? `${what}; a stable suite gets no new packages` : what;
}

/** What the reader should do: a stable suite will not get the package, so no "wait" advice there. */
export function missingAdvice(m: MissingPackage): string {
  return m.stable ? "exclude: a stable suite gets no new packages" : "wait for the repository, or exclude";
}

/** The edit that records `absent` for the suite and major. */
export function absentEdit(ext: ExtensionSpec, m: MissingPackage): YamlEdit {
  return { path: ["suites", m.suite, String(m.major)], value: { absent: absentReason(m) }, after: suitesAfter(ext) };
}

/** Where a new `suites` map goes: after `versions`, else after `version`. */
const suitesAfter = (ext: ExtensionSpec): string => (Object.keys(ext.versions_by_major).length > 0 ? "versions" : "version");

/** The edit that makes `versionFor(ext, major, suite)` return `version`. */
export function suiteVersionEdit(ext: ExtensionSpec, suite: string, major: number, version: string): YamlEdit {
  const entry = ext.suites[suite]?.[String(major)];
  // An object entry (it names a package too) keeps its shape; a plain one is replaced.
  if (entry && (entry.package !== undefined || entry.absent !== undefined)) return { path: ["suites", suite, String(major), "version"], value: version, after: "package" };
  return { path: ["suites", suite, String(major)], value: version, after: suitesAfter(ext) };
}
