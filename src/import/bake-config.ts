// A bake file as `docker buildx bake --print` resolves it (variables, matrices and functions
// already evaluated by buildx) → the pgbake.yaml whose operand targets and tags match it. Read
// from each target: PG_VERSION / PG_MAJOR / BASE build args, the Dockerfile stage (`target`) as
// the type, platforms, and tags as templates ({major}, {version}, {type}, {base}, {timestamp}).
// Whatever has no place in a pgbake config is reported, with the reason. Pure.
import type { ReportItem } from "./cnpg-extensions.js";

export interface PrintedTarget {
  context?: string;
  dockerfile?: string;
  target?: string;
  args?: Record<string, string>;
  tags?: string[];
  platforms?: string[];
  labels?: Record<string, string>;
  annotations?: string[];
  attest?: unknown;
  output?: unknown;
  contexts?: unknown;
  [key: string]: unknown;
}
export interface BakePrint {
  group?: Record<string, { targets?: string[] }>;
  target: Record<string, PrintedTarget>;
}

/** The fields the import reads; others are reported once each. */
const READ = new Set(["args", "tags", "platforms", "target", "context", "dockerfile"]);
const SETTINGS_ARGS = new Set(["PG_VERSION", "PG_MAJOR", "BASE"]);

interface Operand {
  name: string;
  version: string;
  major: string;
  type: string;
  base: string;
  baseImage: string;
  platforms: string[];
  repo: string;
  templates: string[];
}

/** `debian:trixie-slim@sha256:...` → trixie (the word before the first dash of the tag). */
export function codenameOf(image: string): string | undefined {
  const tag = /:([^@/]+)(@|$)/.exec(image.slice(image.lastIndexOf("/") + 1))?.[1];
  const word = tag?.split("-")[0];
  return word && /^[a-z][a-z0-9]*$/.test(word) ? word : undefined;
}

/** A tag as a template: each dash-separated part that is a value of the target becomes its placeholder. */
export function tagTemplate(tag: string, o: { version: string; major: string; type: string; base: string }): string {
  const clean = o.version.replace("~", "");
  return tag
    .split("-")
    .map((part) => {
      if (part === clean) return "{version}";
      if (part === o.major) return "{major}";
      if (part === o.type) return "{type}";
      if (part === o.base) return "{base}";
      if (/^[0-9]{12}$/.test(part)) return "{timestamp}";
      return part;
    })
    .join("-");
}

function splitTag(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(":");
  return colon > ref.lastIndexOf("/") ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: "latest" };
}

function mostCommon<T>(values: T[], key: (v: T) => string = String): T {
  const counts = new Map<string, { n: number; v: T }>();
  for (const v of values) {
    const k = key(v);
    counts.set(k, { n: (counts.get(k)?.n ?? 0) + 1, v });
  }
  return [...counts.values()].sort((a, b) => b.n - a.n)[0]!.v;
}

export interface BakeImport {
  config: [string, unknown][];
  report: ReportItem[];
  /** The `{timestamp}` the source's tags carry, to print pgbake's file with the same one. */
  timestamp?: string;
  /** Source target → the pgbake target made for it. */
  operands: Map<string, string>;
}

export function configFromPrint(print: BakePrint, file: string): BakeImport {
  const report: ReportItem[] = [];
  const lost = (what: string, field: string, reason: string): void => void report.push({ subject: what, field, reason });
  const operands: Operand[] = [];
  let timestamp: string | undefined;
  const otherArgs = new Map<string, Set<string>>();
  const otherFields = new Map<string, number>();
  for (const [name, t] of Object.entries(print.target).sort(([a], [b]) => a.localeCompare(b))) {
    const args = t.args ?? {};
    const version = args.PG_VERSION;
    const baseImage = args.BASE;
    if (!version || !baseImage) {
      lost(name, "(target)", `no ${!version ? "PG_VERSION" : "BASE"} build arg: pgbake cannot tell its ${!version ? "PostgreSQL version" : "base image"}; left out`);
      continue;
    }
    const base = codenameOf(baseImage);
    if (!base) {
      lost(name, "args.BASE", `'${baseImage}' names no Debian codename (debian:CODENAME-...); left out`);
      continue;
    }
    const major = args.PG_MAJOR ?? version.split(/[.~]/)[0]!;
    if (!t.target) lost(name, "target", "no Dockerfile stage: the type is called 'minimal'");
    const type = t.target ?? "minimal";
    const tags = (t.tags ?? []).map(splitTag);
    for (const { tag } of tags) timestamp ??= tag.split("-").find((p) => /^[0-9]{12}$/.test(p));
    operands.push({
      name,
      version,
      major,
      type,
      base,
      baseImage,
      platforms: t.platforms ?? [],
      repo: tags[0]?.repo ?? "",
      templates: tags.map(({ tag }) => tagTemplate(tag, { version, major, type, base })),
    });
    for (const [k, v] of Object.entries(args)) if (!SETTINGS_ARGS.has(k)) (otherArgs.get(k) ?? otherArgs.set(k, new Set()).get(k)!).add(v);
    for (const k of Object.keys(t)) if (!READ.has(k)) otherFields.set(k, (otherFields.get(k) ?? 0) + 1);
  }
  if (operands.length === 0) return { config: [], report, operands: new Map() };

  const repo = mostCommon(operands.map((o) => o.repo));
  const slash = repo.lastIndexOf("/");
  const registry = slash > 0 ? repo.slice(0, slash) : "";
  const image = repo.slice(slash + 1);
  for (const o of operands) if (o.repo !== repo) lost(o.name, "tags", `repository ${o.repo}, not ${repo}: pgbake gives every operand image the config's one repository (${repo} taken)`);
  const templates = mostCommon(
    operands.map((o) => o.templates),
    (t) => JSON.stringify(t),
  );
  for (const o of operands) {
    const extra = o.templates.filter((t) => !templates.includes(t));
    const missing = templates.filter((t) => !o.templates.includes(t));
    if (extra.length + missing.length > 0)
      lost(o.name, "tags", `${[...extra.map((t) => `+${t}`), ...missing.map((t) => `-${t}`)].join(" ")}: pgbake's tag templates are the same for every operand image`);
  }
  const platforms = [...new Set(operands.flatMap((o) => o.platforms))].sort();
  for (const o of operands)
    if (o.platforms.length !== platforms.length) lost(o.name, "platforms", `${o.platforms.join(", ")}: pgbake builds every operand image for the config's platforms (${platforms.join(", ")})`);

  const postgres = new Map<string, string>();
  for (const o of operands) {
    const had = postgres.get(o.major);
    if (had !== undefined && had !== o.version) lost(o.name, "args.PG_VERSION", `${o.version}: another target builds PG ${o.major} as ${had}; pgbake has one version per major`);
    else postgres.set(o.major, o.version);
  }
  const bases = new Map<string, string>();
  for (const o of operands) {
    const had = bases.get(o.base);
    if (had !== undefined && had !== o.baseImage) lost(o.name, "args.BASE", `${o.baseImage}: another target builds on ${had} for ${o.base}; pgbake has one image per base`);
    else bases.set(o.base, o.baseImage);
  }
  const types = [...new Set(operands.map((o) => o.type))].sort();
  for (const t of types) lost(`type ${t}`, "(stage)", "what this Dockerfile stage installs is not read: give the type its packages and extensions");

  // The matrix pgbake makes is every major × type × base: combinations the source leaves out are made too.
  const have = new Set(operands.map((o) => `${o.major}/${o.type}/${o.base}`));
  for (const major of postgres.keys())
    for (const type of types)
      for (const base of bases.keys()) if (!have.has(`${major}/${type}/${base}`)) lost(`${image}-${major}-${type}-${base}`, "(target)", "not in the source: pgbake builds every major × type × base");
  const made = new Map<string, string>();
  for (const o of operands) {
    const target = `${image}-${o.major}-${o.type}-${o.base}`;
    made.set(o.name, target);
    if (target !== o.name) lost(o.name, "(name)", `pgbake names this target ${target} ({image}-{major}-{type}-{base})`);
  }
  for (const [k, values] of otherArgs)
    lost(`args.${k}`, "(build arg)", `${values.size} value(s), e.g. '${[...values][0]}': pgbake's Dockerfiles take their own args (packages and extensions come from types and the catalog)`);
  for (const [k, n] of otherFields) lost(k, "(target field)", `set on ${n} target(s): pgbake writes its own ${k}`);

  const config: [string, unknown][] = [
    // Named, the built-in catalog builds only what the config uses (none of its extension images).
    ["catalogs", ["builtin"]],
    ["registry", registry || "localhost:5000"],
    ["image", image],
    ["default_flavor", "imported"],
    ["output", "."],
    ["postgres", [...postgres].sort(([a], [b]) => Number(a) - Number(b)).map(([major, version]) => ({ major: Number(major), version }))],
    ["bases", Object.fromEntries([...bases].sort().map(([name, img]) => [name, { image: img, codename: name, postgres_from: "pgdg" }]))],
    ["types", Object.fromEntries(types.map((t) => [t, { description: `the '${t}' stage of ${file}` }]))],
    ["platforms", platforms],
    ["flavors", { imported: { description: `the operand images of ${file}`, extensions: [] } }],
    ["tags", { operand: templates }],
  ];
  lost("bases", "postgres_from", "the print does not say where PostgreSQL comes from: pgdg written (apt.postgresql.org, as CloudNativePG's images use)");
  if (!registry) lost("registry", "(tags)", "the tags name no registry: localhost:5000 written");
  return { config, report, timestamp, operands: made };
}
