// What each pin should be now: PostgreSQL minors and package versions from the apt indexes of
// every base × architecture the plan builds, git sources from their remote's tags, base images
// from their registry. Reads only; the result is a list of changes with the YAML edits they need.
import { dirname, resolve } from "node:path";
import type { ExtensionSpec, Plan, ProjectConfig } from "../model/types.js";
import { packageFor, suiteOf, versionFor } from "../model/compat.js";
import { fillTemplate } from "../model/naming.js";
import { AptIndexReader } from "./apt-index.js";
import { UpdateError } from "./errors.js";
import { matchingNewestFirst, remoteTags, TagPeeler, type TagCommit } from "./git-tags.js";
import { defaultBudget, type NetworkBudget } from "./http.js";
import { parseImageRef, tagDigest } from "./registry.js";
import { extensionVersionFits, pgVersionFits, shownValue, sourceTagFits } from "./upstream.js";
import { absentEdit, missingPackage, newestCommon, pinsVersion, slotDetail, slotVersions, suiteVersionEdit, type MissingPackage, type Slot, type VersionFilter } from "./suites.js";
import { affectedTargets } from "./rebuilds.js";
import type { YamlEdit } from "./yaml-edit.js";

export const UPDATE_KINDS = ["pg", "packages", "sources", "bases"] as const;
export type UpdateKind = (typeof UPDATE_KINDS)[number];

export interface PinChange {
  kind: UpdateKind;
  /** What the pin is, e.g. `PostgreSQL 17`, `pgvector (PG 17)`, `citus source`, `base trixie`. */
  pin: string;
  file: string;
  old: string;
  new: string;
  /** How many plan targets the change rebuilds. */
  rebuilds: number;
}

export interface FileEdits {
  file: string;
  edits: YamlEdit[];
}

export interface UpdateResult {
  changes: PinChange[];
  edits: FileEdits[];
  /** Pins update leaves alone, with why (a base pinned by digest alone, ...). */
  notes: string[];
  /** Packages a suite lacks for a major the plan builds there, every one of them. */
  missing: MissingPackage[];
}

export interface UpdateOptions {
  only: Set<UpdateKind>;
  /** Write each package a suite lacks as `suites.<suite>.<major>.absent` (else they are only reported). */
  excludeMissing?: boolean;
  /** Keyrings trusted beside each repository's own (--keyring). */
  keyrings: string[];
  /** Time limits and progress of every network read. */
  budget?: NetworkBudget;
  /** Only this base's repositories and image are read (--base). */
  base?: string;
}

/**
 * The newest version every slot (base × architecture) carries. A version that one architecture
 * lacks is not installable there, so it is never chosen; none in common is an error naming them.
 */
async function commonNewest(
  reader: AptIndexReader,
  config: ProjectConfig,
  what: string,
  pkg: string,
  pattern: string,
  major: number,
  preview: boolean,
  slots: Slot[],
  keyrings: string[],
  budget: NetworkBudget,
  filter: VersionFilter,
): Promise<string> {
  const perSlot = await slotVersions(reader, config, pkg, pattern, major, preview, slots, keyrings, budget, filter);
  const newest = newestCommon(perSlot);
  if (newest !== undefined) return newest;
  throw new UpdateError(
    pkg,
    `no version of ${what} that every architecture carries: ${slotDetail(perSlot, pkg)}. Wait for the repository, or narrow the extension's \`platforms\` (or \`bases\`) to where it exists`,
  );
}

const slotsOf = (targets: { base: string; platforms: string[] }[]): Slot[] => targets.map((t) => ({ base: t.base, platforms: t.platforms }));

export async function findPinChanges(config: ProjectConfig, extensions: ExtensionSpec[], plan: Plan, opts: UpdateOptions): Promise<UpdateResult> {
  const budget = opts.budget ?? defaultBudget();
  const reader = new AptIndexReader(budget);
  const onBase = <T extends { base: string }>(targets: T[]): T[] => (opts.base === undefined ? targets : targets.filter((t) => t.base === opts.base));
  const fitsPg = pgVersionFits();
  const fitsVersion = extensionVersionFits();
  const fitsTag = sourceTagFits();
  const changes: PinChange[] = [];
  const edits = new Map<string, YamlEdit[]>();
  const notes: string[] = [];
  const missing: MissingPackage[] = [];
  const packageFilter: VersionFilter = { accept: () => true, fits: fitsVersion, notes };
  const edit = (file: string, e: YamlEdit): void => void edits.set(file, [...(edits.get(file) ?? []), e]);

  if (opts.only.has("pg"))
    for (const [i, pg] of config.postgres.entries()) {
      const runtimes = onBase(plan.runtimes.filter((r) => r.major === pg.major));
      if (runtimes.length === 0) continue; // a preview dropped for its stable release
      const accept = (v: string): boolean => new RegExp(`^${pg.major}(\\.[0-9]+)?(~(alpha|beta|rc)[0-9]+)?$`).test(v);
      const pkg = `postgresql-${pg.major}`;
      const newest = await commonNewest(reader, config, `PostgreSQL ${pg.major}`, pkg, "{version}-*", pg.major, pg.preview, slotsOf(runtimes), opts.keyrings, budget, { accept, fits: fitsPg, notes });
      if (newest === pg.version) continue;
      changes.push({ kind: "pg", pin: `PostgreSQL ${pg.major}`, file: config.file, old: pg.version, new: newest, rebuilds: affectedTargets(plan, { major: pg.major }) });
      edit(config.file, { path: ["postgres", i, "version"], value: newest });
    }

  if (opts.only.has("packages"))
    for (const ext of extensions.filter((e) => e.kind === "package")) {
      const targets = onBase(plan.extensionImages.filter((t) => t.extension === ext.name));
      const majors = [...new Set(targets.map((t) => t.major))].sort((a, b) => a - b);
      const wanted = new Map<number, string>();
      for (const major of majors) {
        const pkg = fillTemplate(ext.package!, { major: String(major) });
        const preview = config.postgres.find((p) => p.major === major)?.preview ?? false;
        const majorTargets = targets.filter((t) => t.major === major);
        // A distribution's suites each carry their own version: one `suites` entry per suite.
        for (const base of config.bases.filter((b) => b.postgres_from === "distro" && majorTargets.some((t) => t.base === b.name))) {
          const suite = suiteOf(base);
          const suitePkg = packageFor(ext, major, suite);
          const perSlot = await slotVersions(
            reader,
            config,
            suitePkg,
            ext.package_version,
            major,
            preview,
            slotsOf(majorTargets.filter((t) => t.base === base.name)),
            opts.keyrings,
            budget,
            packageFilter,
          );
          const newest = newestCommon(perSlot);
          if (newest === undefined) {
            missing.push(missingPackage(ext, major, suite, suitePkg, perSlot));
            continue;
          }
          const old = versionFor(ext, major, suite);
          if (newest === old || !pinsVersion(ext.package_version)) continue;
          changes.push({
            kind: "packages",
            pin: `${ext.name} (PG ${major}, ${suite})`,
            file: ext.file,
            old,
            new: newest,
            rebuilds: affectedTargets(plan, { extension: ext.name, major, base: base.name }),
          });
          edit(ext.file, suiteVersionEdit(ext, suite, major, newest));
        }
        const slots = slotsOf(majorTargets.filter((t) => config.bases.find((b) => b.name === t.base)!.postgres_from === "pgdg"));
        if (slots.length === 0) continue;
        const perSlot = await slotVersions(reader, config, pkg, ext.package_version, major, preview, slots, opts.keyrings, budget, packageFilter);
        const newest = newestCommon(perSlot);
        if (newest === undefined) {
          // Reported per suite with every other missing package, not one error at the first.
          const perBase = slots.map((slot) => ({ base: config.bases.find((b) => b.name === slot.base)!, slice: perSlot.filter((s) => s.base === slot.base) }));
          const lacking = perBase.filter((b) => newestCommon(b.slice) === undefined);
          for (const b of lacking.length > 0 ? lacking : perBase) missing.push(missingPackage(ext, major, suiteOf(b.base), pkg, b.slice));
          continue;
        }
        if (!pinsVersion(ext.package_version)) continue;
        wanted.set(major, newest);
        const old = versionFor(ext, major);
        if (newest !== old) changes.push({ kind: "packages", pin: `${ext.name} (PG ${major})`, file: ext.file, old, new: newest, rebuilds: affectedTargets(plan, { extension: ext.name, major }) });
      }
      for (const e of versionEdits(ext, wanted)) edit(ext.file, e);
    }

  if (opts.only.has("sources"))
    for (const ext of extensions.filter((e) => e.source?.track)) {
      const src = ext.source!;
      const remote = /^[a-z]+:\/\//.test(src.git) ? src.git : resolve(dirname(ext.file), src.git);
      const tags = await remoteTags(remote, budget);
      // The tag kept beside the commit must be that commit: a label that lies is worse than none.
      const labelled = src.tag === undefined ? undefined : tags.find((t) => t.tag === src.tag);
      if (labelled && /^[0-9a-f]{40}$/.test(src.ref) && labelled.commit !== src.ref)
        notes.push(`${ext.name}: source.tag ${src.tag} is commit ${labelled.commit.slice(0, 12)} in ${remote}, not source.ref ${src.ref.slice(0, 12)} (moved below if the track's newest tag differs)`);
      const newest = await newestUsableTag(remote, tags, src.track!, ext, budget, fitsTag, notes);
      if (newest.commit === src.ref && newest.tag === src.tag) continue;
      const version = newest.tag.replace(/^[^0-9]*/, "");
      changes.push({
        kind: "sources",
        pin: `${ext.name} source`,
        file: ext.file,
        old: `${src.tag ?? "?"} ${src.ref.slice(0, 12)}`,
        new: `${newest.tag} ${newest.commit.slice(0, 12)}`,
        rebuilds: affectedTargets(plan, { extension: ext.name }),
      });
      edit(ext.file, { path: ["source", "ref"], value: newest.commit });
      edit(ext.file, { path: ["source", "tag"], value: newest.tag, after: "ref" });
      if (fitsVersion(version) === undefined && version !== ext.version && Object.keys(ext.versions_by_major).length === 0) edit(ext.file, { path: ["version"], value: version });
    }

  if (opts.only.has("bases"))
    for (const base of config.bases.filter((b) => opts.base === undefined || b.name === opts.base)) {
      const ref = parseImageRef(base.image);
      if (!ref.digest) continue; // a floating tag is the config's choice
      if (!/:[^/]+$/.test(ref.name)) {
        notes.push(`base ${base.name}: ${base.image} is pinned by digest alone (no tag to follow): left as is`);
        continue;
      }
      const digest = await tagDigest(ref, budget);
      if (digest === ref.digest) continue;
      changes.push({
        kind: "bases",
        pin: `base ${base.name}`,
        file: config.file,
        old: `${ref.name}@${ref.digest.slice(0, 19)}`,
        new: `${ref.name}@${digest.slice(0, 19)}`,
        rebuilds: affectedTargets(plan, { base: base.name }),
      });
      edit(config.file, { path: ["bases", base.name, "image"], value: `${ref.name}@${digest}` });
    }

  if (opts.excludeMissing)
    for (const m of missing) {
      const ext = extensions.find((e) => e.name === m.extension)!;
      changes.push({
        kind: "packages",
        pin: `${m.extension} (PG ${m.major}, ${m.suite})`,
        file: m.file,
        old: versionFor(ext, m.major, m.suite),
        new: "absent",
        rebuilds: affectedTargets(plan, { extension: m.extension, major: m.major }),
      });
      edit(m.file, absentEdit(ext, m));
    }
  return { changes, edits: [...edits].map(([file, e]) => ({ file, edits: e })), notes, missing };
}

/**
 * The newest tag matching `track` that can be written and built: a name (and the version it
 * names) that fits the schema, pointing at a commit. Each one skipped is a note naming it; none
 * left is an error naming the remote.
 */
async function newestUsableTag(
  remote: string,
  tags: TagCommit[],
  track: string,
  ext: ExtensionSpec,
  budget: NetworkBudget,
  fitsTag: (v: string) => string | undefined,
  notes: string[],
): Promise<{ tag: string; commit: string }> {
  const candidates = matchingNewestFirst(tags, track);
  if (candidates.length === 0) throw new UpdateError(remote, `no tag matches track '${track}' of ${ext.name}`);
  const skipped: string[] = [];
  const peeler = new TagPeeler(remote, budget);
  try {
    for (const c of candidates) {
      const why = fitsTag(c.tag);
      if (why !== undefined) {
        skipped.push(c.tag);
        notes.push(`${remote}: tag ${shownValue(c.tag)} of ${ext.name} skipped: ${why}`);
        continue;
      }
      // The commit pinned now, under the tag pinned now: nothing new to check.
      if (c.tag === ext.source?.tag && c.commit === ext.source.ref) return c;
      const peeled = await peeler.peel(c.tag);
      if ("commit" in peeled) return { tag: c.tag, commit: peeled.commit };
      skipped.push(c.tag);
      notes.push(`${remote}: tag ${shownValue(c.tag)} of ${ext.name} skipped: it ${peeled.not}`);
    }
  } finally {
    peeler.close();
  }
  throw new UpdateError(remote, `no usable tag matches track '${track}' of ${ext.name} (skipped: ${skipped.map(shownValue).join(", ")})`);
}

/**
 * The edits that make `versionFor(ext, m)` return `wanted[m]`: a major with its own entry in
 * `versions` gets it changed; the majors that share `version` move it when they agree, else
 * `version` follows the newest major and the others get entries of their own.
 */
export function versionEdits(ext: ExtensionSpec, wanted: Map<number, string>): YamlEdit[] {
  const out: YamlEdit[] = [];
  const shared: [number, string][] = [];
  for (const [major, v] of wanted) {
    if (ext.versions_by_major[String(major)] !== undefined) {
      if (ext.versions_by_major[String(major)] !== v) out.push({ path: ["versions", String(major)], value: v });
    } else shared.push([major, v]);
  }
  if (shared.length === 0) return out;
  const top = shared.at(-1)![1];
  if (top !== ext.version) out.push({ path: ["version"], value: top });
  for (const [major, v] of shared) if (v !== top) out.push({ path: ["versions", String(major)], value: v, after: "version" });
  return out;
}
