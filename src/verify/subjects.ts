// What `pgbake test` checks, read from the plan (targets, tags, kept and dropped extensions) and
// the catalog entries of those extensions (SQL names, smoke tests, requires). This file is the
// only place that knows the plan's target shapes: the checks see subjects.
import { PgbakeError } from "../model/errors.js";
import type { ExtensionSpec, ExtensionTargetPlan, OperandTargetPlan, Plan, PreloadPosition } from "../model/types.js";
import { preloadSlots, runtimePackagesFor } from "../model/compat.js";
import { timestampMarker } from "../model/naming.js";
import { didYouMean } from "../validate/suggest.js";
import type { MountedExtension } from "./cnpg.js";
import type { LogAllowance } from "./server-log.js";

export interface ExtensionUnderTest {
  name: string;
  version: string;
  kind: ExtensionSpec["kind"];
  /** CREATE EXTENSION names (empty for preload-only modules and tools). */
  sqlNames: string[];
  smokeTest?: string;
  preload: string[];
  /** Where its preload libraries must stand (the entry's preload_position). */
  preloadPosition?: PreloadPosition;
  /** A tool's binaries. */
  binaries: string[];
  /** Server log lines it makes on purpose (the entry's expected_server_log). */
  expectedLog: LogAllowance[];
  /** Shipped upgrade paths it declares broken (the entry's broken_upgrade_paths): skipped with the reason. */
  brokenUpgradePaths?: { sqlName: string; from: string[]; reason: string }[];
  /** Settings its entry needs at startup (startup_needs with a value): servers holding it start with them. */
  settings: Record<string, string>;
}

/**
 * The settings a server holding `extensions` starts with (`postgres -c`), from their startup_needs.
 * Two entries needing one setting are both served: a list setting (output_plugin_libraries) takes
 * the union of their items, in order.
 */
export function startupSettings(extensions: ExtensionUnderTest[]): Record<string, string> {
  const items = new Map<string, string[]>();
  for (const [name, value] of extensions.flatMap((e) => Object.entries(e.settings))) items.set(name, [...new Set([...(items.get(name) ?? []), ...value.split(",").map((v) => v.trim())])]);
  return Object.fromEntries([...items].map(([name, values]) => [name, values.join(",")]));
}

export interface DroppedExtension {
  name: string;
  kind: ExtensionSpec["kind"];
  sqlNames: string[];
  reason: string;
}

interface SubjectBase {
  target: string;
  /** `<registry>/<repository>:<tag>` */
  image: string;
  major: number;
  base: string;
  platforms: string[];
}

export interface OperandSubject extends SubjectBase {
  kind: "operand";
  /** Kept extensions, each after those it requires. */
  extensions: ExtensionUnderTest[];
  dropped: DroppedExtension[];
  preload: string[];
}

export interface ExtensionImageSubject extends SubjectBase {
  kind: "extension-image";
  extension: ExtensionUnderTest;
  /** The extensions it requires (created first); those with images of their own are in `mounts`. */
  required: ExtensionUnderTest[];
  /** The images to mount, required ones first, this one last, with their targets. */
  mounts: (MountedExtension & { target: string })[];
  /** The minimal operand image of the same major and base that the extension is tried in. */
  operand?: { target: string; image: string; preload: string[] };
  /** Why it cannot be mounted (the entry's image_volume_unsupported): proven in operand images instead. */
  imageVolumeUnsupported?: string;
}

export type Subject = OperandSubject | ExtensionImageSubject;

export interface SubjectOptions {
  /** Registry instead of the plan's (bake's `registry` variable). */
  registry?: string;
  /** The value of `{timestamp}` in tags, when every tag of a target holds one. */
  timestamp?: string;
  /** An operand image to mount extension images into, instead of the plan's minimal one. */
  operandImage?: string;
}

/** A name or tag `pgbake test` cannot use: bad input, exit 2. */
export class SubjectError extends PgbakeError {}

/** Every operand and extension-image target of the plan. */
export function testableTargets(plan: Plan): string[] {
  return [...plan.operands.map((o) => o.name), ...plan.extensionImages.map((e) => e.name)];
}

/** Targets and groups by name, expanded to targets; unknown names are a SubjectError. */
export function selectTargets(plan: Plan, names: string[]): string[] {
  const testable = new Set(testableTargets(plan));
  if (names.length === 0) return [...testable];
  const out = new Set<string>();
  for (const name of names) {
    const group = plan.groups.find((g) => g.name === name);
    if (testable.has(name)) {
      out.add(name);
    } else if (group) {
      for (const t of group.targets) if (testable.has(t)) out.add(t);
    } else {
      throw new SubjectError(`'${name}' is no operand target, extension-image target or group of this plan${didYouMean(name, [...testable, ...plan.groups.map((g) => g.name)])}`);
    }
  }
  return [...out];
}

const settingsOf = (s: ExtensionSpec): Record<string, string> => Object.fromEntries(s.startup_needs.filter((n) => n.kind === "setting" && n.value !== undefined).map((n) => [n.name, n.value!]));

export function subjectsFor(plan: Plan, specs: ExtensionSpec[], targets: string[], opts: SubjectOptions = {}): Subject[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const spec = (name: string): ExtensionSpec => {
    const s = byName.get(name);
    if (!s) throw new SubjectError(`the plan names extension '${name}', which the catalog lacks`);
    return s;
  };
  const registry = opts.registry ?? plan.registry;
  const ref = (t: { name: string; tags: string[] }): string => `${registry}/${tagOf(t, opts.timestamp)}`;
  const under = (name: string, version: string): ExtensionUnderTest => {
    const s = spec(name);
    const binaries = s.kind === "tool" ? (s.source?.binaries ?? []) : [];
    const expectedLog = s.expected_server_log.map((e) => ({ ...e, by: name }));
    const brokenUpgradePaths = (s.broken_upgrade_paths ?? []).map((b) => ({ sqlName: b.sql_name, from: b.from, reason: b.reason }));
    return {
      name,
      version,
      kind: s.kind,
      sqlNames: s.sql_names,
      smokeTest: s.smoke_test,
      preload: s.shared_preload_libraries,
      preloadPosition: s.preload_position,
      binaries,
      settings: settingsOf(s),
      expectedLog,
      brokenUpgradePaths,
    };
  };
  const out: Subject[] = [];
  for (const name of targets) {
    const op = plan.operands.find((o) => o.name === name);
    if (op) {
      out.push(operandSubject(op, ref(op), under, spec));
      continue;
    }
    const et = plan.extensionImages.find((e) => e.name === name);
    if (et) out.push(extensionSubject(plan, et, ref, under, spec, opts.operandImage));
  }
  return out;
}

function operandSubject(op: OperandTargetPlan, image: string, under: (name: string, version: string) => ExtensionUnderTest, spec: (name: string) => ExtensionSpec): OperandSubject {
  const kept = new Map(op.kept.map((k) => [k.name, k]));
  const order = dependencyOrder(
    op.kept.map((k) => k.name),
    (n) => spec(n).requires.filter((r) => kept.has(r)),
  );
  return {
    kind: "operand",
    target: op.name,
    image,
    major: op.major,
    base: op.base,
    platforms: op.platforms,
    extensions: order.map((n) => under(n, kept.get(n)!.version)),
    dropped: op.excluded.map((e) => ({ name: e.name, kind: spec(e.name).kind, sqlNames: spec(e.name).sql_names, reason: e.excludedBecause })),
    preload: op.sharedPreloadLibraries,
  };
}

function extensionSubject(
  plan: Plan,
  et: ExtensionTargetPlan,
  ref: (t: { name: string; tags: string[] }) => string,
  under: (name: string, version: string) => ExtensionUnderTest,
  spec: (name: string) => ExtensionSpec,
  operandImage: string | undefined,
): ExtensionImageSubject {
  const imageOf = (ext: string): ExtensionTargetPlan | undefined => plan.extensionImages.find((t) => t.extension === ext && t.major === et.major && t.base === et.base);
  // Every extension it requires, transitively, each after its own requirements.
  const needed = new Set<string>();
  const visit = (n: string): void => {
    for (const r of spec(n).requires)
      if (!needed.has(r)) {
        needed.add(r);
        visit(r);
      }
  };
  visit(et.extension);
  const requiredOrder = dependencyOrder([...needed], (n) => spec(n).requires);
  const required = requiredOrder.map((n) => under(n, imageOf(n)?.version ?? spec(n).version));
  const mounts: ExtensionImageSubject["mounts"] = [];
  for (const n of [...requiredOrder, et.extension]) {
    const t = n === et.extension ? et : imageOf(n);
    if (!t) continue; // contrib: it ships with the server
    mounts.push({ name: n, target: t.name, image: ref(t), hasSystemLibraries: runtimePackagesFor(spec(n), et.base).length > 0, hasBinaries: t.extensionKind === "tool" });
  }
  const plain = operandImage ? undefined : plainOperand(plan, et, needed);
  const operand = operandImage ? { target: operandImage, image: operandImage, preload: [] } : plain && { target: plain.name, image: ref(plain), preload: plain.sharedPreloadLibraries };
  return {
    kind: "extension-image",
    target: et.name,
    image: ref(et),
    major: et.major,
    base: et.base,
    platforms: et.platforms,
    extension: under(et.extension, et.version),
    required,
    mounts,
    operand,
    ...(et.imageVolumeUnsupported ? { imageVolumeUnsupported: et.imageVolumeUnsupported } : {}),
  };
}

/**
 * The server's preload list for an extension image: the operand's own, then what the extension
 * and those it requires preload (one that must be first, first), each once (documentdb preloads pg_cron, which it also requires).
 * Empty when none of them preloads anything: the operand's list then stands as it is.
 */
export function preloadFor(s: ExtensionImageSubject): string[] {
  const own = [...s.required, s.extension];
  if (own.every((e) => e.preload.length === 0)) return [];
  // Ordered as an operand image orders them: an entry that must be first goes ahead of the operand's own.
  const operand = { name: "(operand)", shared_preload_libraries: s.operand?.preload ?? [] };
  const entries = own.map((e) => ({ name: e.name, shared_preload_libraries: e.preload, preload_position: e.preloadPosition }));
  return preloadSlots([operand, ...entries]).map((slot) => slot.library);
}

/** A minimal operand of the same major and base holding none of these extensions, the fewest extensions first. */
function plainOperand(plan: Plan, et: ExtensionTargetPlan, required: Set<string>): OperandTargetPlan | undefined {
  const candidates = plan.operands.filter((o) => o.major === et.major && o.base === et.base && !o.kept.some((k) => k.name === et.extension || (required.has(k.name) && k.kind !== "contrib")));
  const rank = (o: OperandTargetPlan): number => (o.type === "minimal" ? 0 : 1000) + o.kept.length;
  return candidates.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, "en"))[0];
}

/** Names ordered so that each comes after what it requires (stable otherwise). */
function dependencyOrder(names: string[], requires: (n: string) => string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const r of requires(n)) if (names.includes(r)) visit(r);
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}

/** The first tag without `{timestamp}`, or the first one filled with `timestamp`. */
function tagOf(target: { name: string; tags: string[] }, timestamp?: string): string {
  const plain = target.tags.find((t) => !t.includes(timestampMarker));
  if (plain) return plain;
  if (!timestamp) throw new SubjectError(`every tag of ${target.name} holds {timestamp}: give its value with --timestamp YYYYMMDDhhmm`);
  return target.tags[0]!.split(timestampMarker).join(timestamp);
}
