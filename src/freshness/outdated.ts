// `pgbake outdated`: for each pushed image of the plan, what it holds (src/freshness/installed.ts)
// against what the apt repositories it was built from serve now (the signed indexes `pgbake
// update` reads) and the layers of its base tag now. Reads only.
import type { BaseSpec, ExtensionTargetPlan, OperandTargetPlan, Plan, ProjectConfig } from "../model/types.js";
import { timestampMarker } from "../model/naming.js";
import { AptIndexReader, debianArch, type AptRepository } from "../update/apt-index.js";
import { compareDebVersions } from "../update/debversion.js";
import type { NetworkBudget } from "../update/http.js";
import { postgresRepositories } from "../update/repositories.js";
import { dpkgInstalled, layers, pull, pushedDigest, recordedPackages, sbomPackages } from "./installed.js";

export interface BehindPackage {
  name: string;
  installed: string;
  /** The newest version a rebuild installs (within the package's pin, if it has one). */
  available: string;
  /** `<repository> <suite>` that serves it. */
  from: string;
  security: boolean;
  /** The Date of that suite's Release: the newest change the image lacks is no older than this. */
  since?: string;
}

export interface MovablePin {
  name: string;
  pin: string;
  /** The newest version outside the pin: `pgbake update` moves the pin to it. */
  newest: string;
}

export interface ImageFreshness {
  target: string;
  kind: "operand" | "extension";
  image: string;
  /** The digest the registry serves for `image` now: what a catalog references, and how a rebuild shows. */
  digest: string;
  packages: BehindPackage[];
  pins: MovablePin[];
  /** The base tag's layers are no longer the image's first layers. */
  baseMoved?: string;
  /** Of `packages`, those installed by the image's own apt steps (else by its runtime's). */
  ownPackages: string[];
}

export interface FreshnessReport {
  images: ImageFreshness[];
  /** Images of the plan the registry does not hold. */
  absent: string[];
  notes: string[];
}

export const isBehind = (i: ImageFreshness): boolean => i.packages.length > 0 || i.pins.length > 0 || i.baseMoved !== undefined;

/** The tag an image is looked up by: its first tag without a `{timestamp}`. */
export function pushedName(target: { tags: string[] }, registry: string): string | undefined {
  const tag = target.tags.find((t) => !t.includes(timestampMarker));
  return tag && `${registry}/${tag}`;
}

/** Every repository a target's packages can come from: PostgreSQL's and, for a PGDG base, the distribution's. */
async function repositoriesOf(base: BaseSpec, major: number, preview: boolean, keyrings: string[], budget: NetworkBudget): Promise<AptRepository[]> {
  const repos = await postgresRepositories(base, major, preview, keyrings, budget);
  if (base.postgres_from === "pgdg") repos.push(...(await postgresRepositories({ ...base, postgres_from: "distro" }, major, preview, keyrings, budget)));
  return repos;
}

/** `name=pattern` words of an apt install argument, as apt globs. */
function pinsOf(words: string | undefined): Map<string, RegExp> {
  const out = new Map<string, RegExp>();
  for (const w of (words ?? "").split(/\s+/)) {
    const eq = w.indexOf("=");
    if (eq > 0)
      out.set(
        w.slice(0, eq),
        new RegExp(
          `^${w
            .slice(eq + 1)
            .replace(/[.+^${}()|[\]\\?]/g, "\\$&")
            .replace(/\*/g, ".*")}$`,
        ),
      );
  }
  return out;
}

interface Candidate {
  version: string;
  from: string;
  security: boolean;
  since?: string;
}

/** Package -> every version the repositories serve, with where from. */
async function available(reader: AptIndexReader, repos: AptRepository[], arch: string): Promise<Map<string, Candidate[]>> {
  const out = new Map<string, Candidate[]>();
  for (const repo of repos) {
    const versions = await reader.versions(repo, arch);
    if (!versions) continue;
    const rel = await reader.release(repo);
    const from = `${repo.uri} ${repo.suite}`;
    const security = /security/.test(repo.suite) || /security/.test(repo.uri);
    for (const [name, vs] of versions) {
      const list = out.get(name) ?? [];
      for (const version of vs) list.push({ version, from, security, since: rel?.date });
      out.set(name, list);
    }
  }
  return out;
}

const newest = (cs: Candidate[]): Candidate | undefined => cs.reduce<Candidate | undefined>((best, c) => (!best || compareDebVersions(c.version, best.version) > 0 ? c : best), undefined);

/** What is behind among `installed`, given the repositories' candidates and the image's pins. */
export function behind(installed: Map<string, string>, candidates: Map<string, Candidate[]>, pins: Map<string, RegExp>): { packages: BehindPackage[]; pins: MovablePin[] } {
  const packages: BehindPackage[] = [];
  const movable: MovablePin[] = [];
  for (const [name, version] of [...installed].sort(([a], [b]) => a.localeCompare(b))) {
    const all = candidates.get(name) ?? [];
    const pin = pins.get(name);
    const allowed = newest(pin ? all.filter((c) => pin.test(c.version)) : all);
    if (allowed && compareDebVersions(allowed.version, version) > 0)
      packages.push({ name, installed: version, available: allowed.version, from: allowed.from, security: allowed.security, since: allowed.since });
    const top = newest(all);
    if (pin && top && (!allowed || compareDebVersions(top.version, allowed.version) > 0) && compareDebVersions(top.version, version) > 0)
      movable.push({ name, pin: pin.source.slice(1, -1).replace(/\.\*/g, "*").replace(/\\/g, ""), newest: top.version });
  }
  return { packages, pins: movable };
}

export interface OutdatedOptions {
  registry?: string;
  keyrings: string[];
  budget: NetworkBudget;
  progress: (line: string) => void;
}

export async function findOutdated(config: ProjectConfig, plan: Plan, opts: OutdatedOptions): Promise<FreshnessReport> {
  const registry = opts.registry ?? plan.registry;
  const reader = new AptIndexReader(opts.budget);
  const report: FreshnessReport = { images: [], absent: [], notes: [] };
  const baseLayers = new Map<string, Promise<string[] | undefined>>();
  const targets: (OperandTargetPlan | ExtensionTargetPlan)[] = [...plan.extensionImages, ...plan.operands];
  for (const t of targets) {
    const image = pushedName(t, registry);
    if (!image) continue;
    const platform = t.platforms.includes("linux/amd64") ? "linux/amd64" : t.platforms[0]!;
    if (t.platforms.length > 1) report.notes.push(`${t.name}: read for ${platform} only`);
    opts.progress(`reading ${image}`);
    if (!(await pull(image, platform))) {
      report.absent.push(t.name);
      continue;
    }
    const base = config.bases.find((b) => b.name === t.base)!;
    const installed = t.kind === "operand" ? (plan.build.attest && (await sbomPackages(image, platform))) || (await dpkgInstalled(image)) : await recordedPackages(image);
    if (installed.size === 0) report.notes.push(`${t.name}: ${image} records no package versions (built before pgbake recorded them): rebuild it once`);
    const preview = t.kind === "operand" && t.preview;
    const candidates = await available(reader, await repositoriesOf(base, t.major, preview, opts.keyrings, opts.budget), debianArch(platform));
    const pinWords = [t.args.PACKAGES];
    if (t.kind === "operand") pinWords.push(`postgresql-${t.major}=${t.pgVersion}-* postgresql-client-${t.major}=${t.pgVersion}-*`);
    const found = behind(installed, candidates, pinsOf(pinWords.join(" ")));
    const own = t.kind === "extension" ? found.packages.map((p) => p.name) : found.packages.map((p) => p.name).filter((n) => [...t.runtimePackages, ...t.typePackages].includes(n));
    const entry: ImageFreshness = { target: t.name, kind: t.kind, image, digest: await pushedDigest(image), ...found, ownPackages: own };
    if (t.kind === "operand") {
      let lp = baseLayers.get(base.image);
      if (!lp) {
        lp = pull(base.image, platform).then((ok) => (ok ? layers(base.image) : undefined));
        baseLayers.set(base.image, lp);
      }
      const now = await lp;
      const mine = await layers(image);
      if (now && now.some((l, i) => mine[i] !== l)) entry.baseMoved = base.image;
    }
    report.images.push(entry);
  }
  return report;
}

/**
 * What `bake --outdated` builds: the targets whose own apt steps run again (APT_REFRESH, a token of
 * the versions they lack) and every pushed target built from a refreshed one.
 */
export function refreshSelection(plan: Plan, report: FreshnessReport): { refresh: Map<string, string>; build: string[] } {
  const refresh = new Map<string, string[]>();
  const add = (target: string, why: string): void => void refresh.set(target, [...(refresh.get(target) ?? []), why]);
  for (const img of report.images) {
    const t = [...plan.operands, ...plan.extensionImages].find((x) => x.name === img.target)!;
    for (const p of img.packages) add(img.ownPackages.includes(p.name) ? t.name : t.runtimeTarget, `${p.name}=${p.available}`);
    if (img.baseMoved) add(t.runtimeTarget, `base=${img.baseMoved}`);
  }
  const rebuilt = new Set(refresh.keys());
  for (const e of plan.extensionImages) if (rebuilt.has(e.runtimeTarget)) rebuilt.add(e.name);
  for (const o of plan.operands) if (rebuilt.has(o.runtimeTarget) || Object.values(o.contexts).some((c) => rebuilt.has(c.replace(/^target:/, "")))) rebuilt.add(o.name);
  const build = [...plan.extensionImages, ...plan.operands].filter((t) => rebuilt.has(t.name)).map((t) => t.name);
  const tokens = new Map([...refresh].map(([t, why]) => [t, [...new Set(why)].sort().join(" ")]));
  return { refresh: tokens, build };
}
