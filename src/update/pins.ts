// What each pin should be now: PostgreSQL minors and package versions from the apt indexes of
// every base × architecture the plan builds, git sources from their remote's tags, base images
// from their registry. Reads only; the result is a list of changes with the YAML edits they need.
import { dirname, resolve } from "node:path";
import type { ExtensionSpec, Plan, ProjectConfig } from "../model/types.js";
import { versionFor } from "../model/compat.js";
import { fillTemplate } from "../model/naming.js";
import { AptIndexReader, debianArch } from "./apt-index.js";
import { compareDebVersions, newestDebVersion } from "./debversion.js";
import { UpdateError } from "./errors.js";
import { matchingNewestFirst, remoteTags, TagPeeler } from "./git-tags.js";
import { defaultBudget, type NetworkBudget } from "./http.js";
import { parseImageRef, tagDigest } from "./registry.js";
import { extensionVersionFits, pgVersionFits, shownValue, sourceTagFits } from "./upstream.js";
import { postgresRepositories } from "./repositories.js";
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
}

export interface UpdateOptions {
  only: Set<UpdateKind>;
  /** Keyrings trusted beside each repository's own (--keyring). */
  keyrings: string[];
  /** Time limits and progress of every network read. */
  budget?: NetworkBudget;
  /** Only this base's repositories and image are read (--base). */
  base?: string;
}

/** An apt version pattern (`{version}-*`) as a regex whose group 1 is the version. */
function patternRegExp(pattern: string): RegExp {
  const parts = pattern.split("{version}").map((p) => p.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*"));
  return new RegExp(`^${parts.join("(.+)")}$`);
}

interface Slot {
  base: string;
  platforms: string[];
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
  accept: (v: string) => boolean,
  fits: (v: string) => string | undefined,
  notes: string[],
): Promise<string> {
  const re = patternRegExp(pattern);
  const perSlot: { where: string; versions: Map<string, string> }[] = [];
  const unfit = new Set<string>(); // each value noted once
  for (const slot of slots) {
    const base = config.bases.find((b) => b.name === slot.base)!;
    const repos = await postgresRepositories(base, major, preview, keyrings, budget);
    for (const platform of slot.platforms) {
      const arch = debianArch(platform);
      const versions = new Map<string, string>(); // upstream -> full Debian version (newest)
      for (const repo of repos) {
        const index = await reader.versions(repo, arch);
        for (const full of index?.get(pkg) ?? []) {
          const m = re.exec(full);
          if (!m || !accept(m[1]!)) continue;
          const why = fits(m[1]!);
          if (why !== undefined) {
            if (!unfit.has(m[1]!)) {
              unfit.add(m[1]!);
              notes.push(`${repo.uri} ${repo.suite}: ${pkg} version ${shownValue(m[1]!)} skipped: ${why}`);
            }
            continue;
          }
          const prev = versions.get(m[1]!);
          if (!prev || compareDebVersions(full, prev) > 0) versions.set(m[1]!, full);
        }
      }
      perSlot.push({ where: `${arch} (base ${slot.base}, ${repos.map((r) => `${r.uri} ${r.suite}`).join(" + ")})`, versions });
    }
  }
  const common = perSlot.reduce<string[] | undefined>(
    (acc, s) => (acc === undefined ? [...s.versions.keys()] : acc.filter((v) => s.versions.has(v))),
    undefined,
  ) ?? [];
  const newest = common.sort((a, b) => compareDebVersions(a, b)).at(-1);
  if (newest !== undefined) return newest;
  const detail = perSlot
    .map((s) => `${s.where}: ${s.versions.size === 0 ? `no ${pkg}` : `newest ${newestDebVersion(s.versions.values())}`}`)
    .join("; ");
  throw new UpdateError(pkg, `no version of ${what} that every architecture carries: ${detail}. Wait for the repository, or narrow the extension's \`platforms\` (or \`bases\`) to where it exists`);
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
  const edit = (file: string, e: YamlEdit): void => void edits.set(file, [...(edits.get(file) ?? []), e]);

  if (opts.only.has("pg"))
    for (const [i, pg] of config.postgres.entries()) {
      const runtimes = onBase(plan.runtimes.filter((r) => r.major === pg.major));
      if (runtimes.length === 0) continue; // a preview dropped for its stable release
      const accept = (v: string): boolean => new RegExp(`^${pg.major}(\\.[0-9]+)?(~(alpha|beta|rc)[0-9]+)?$`).test(v);
      const pkg = `postgresql-${pg.major}`;
      const newest = await commonNewest(reader, config, `PostgreSQL ${pg.major}`, pkg, "{version}-*", pg.major, pg.preview, slotsOf(runtimes), opts.keyrings, budget, accept, fitsPg, notes);
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
        const slots = slotsOf(targets.filter((t) => t.major === major));
        const newest = await commonNewest(reader, config, `${ext.name} for PG ${major}`, pkg, ext.package_version, major, preview, slots, opts.keyrings, budget, () => true, fitsVersion, notes);
        wanted.set(major, newest);
        const old = versionFor(ext, major);
        if (newest !== old)
          changes.push({ kind: "packages", pin: `${ext.name} (PG ${major})`, file: ext.file, old, new: newest, rebuilds: affectedTargets(plan, { extension: ext.name, major }) });
      }
      for (const e of versionEdits(ext, wanted)) edit(ext.file, e);
    }

  if (opts.only.has("sources"))
    for (const ext of extensions.filter((e) => e.source?.track)) {
      const src = ext.source!;
      const remote = /^[a-z]+:\/\//.test(src.git) ? src.git : resolve(dirname(ext.file), src.git);
      const newest = await newestUsableTag(remote, src.track!, ext, budget, fitsTag, notes);
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
      if (fitsVersion(version) === undefined && version !== ext.version && Object.keys(ext.versions_by_major).length === 0)
        edit(ext.file, { path: ["version"], value: version });
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
      changes.push({ kind: "bases", pin: `base ${base.name}`, file: config.file, old: `${ref.name}@${ref.digest.slice(0, 19)}`, new: `${ref.name}@${digest.slice(0, 19)}`, rebuilds: affectedTargets(plan, { base: base.name }) });
      edit(config.file, { path: ["bases", base.name, "image"], value: `${ref.name}@${digest}` });
    }

  return { changes, edits: [...edits].map(([file, e]) => ({ file, edits: e })), notes };
}

/**
 * The newest tag matching `track` that can be written and built: a name (and the version it
 * names) that fits the schema, pointing at a commit. Each one skipped is a note naming it; none
 * left is an error naming the remote.
 */
async function newestUsableTag(
  remote: string,
  track: string,
  ext: ExtensionSpec,
  budget: NetworkBudget,
  fitsTag: (v: string) => string | undefined,
  notes: string[],
): Promise<{ tag: string; commit: string }> {
  const candidates = matchingNewestFirst(await remoteTags(remote, budget), track);
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
