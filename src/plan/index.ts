// Stage 3: the pure plan. The full product base × type × platform × PG major × flavor, with
// every extension kept or excluded for a reason. No I/O: the result is plain data.
import { dirname, relative, resolve } from "node:path";
import type {
  Catalog,
  ExtensionSpec,
  ExtensionTargetPlan,
  GroupPlan,
  OperandTargetPlan,
  Plan,
  ProjectConfig,
  RuntimeTargetPlan,
} from "../model/types.js";
import { runtimeAptArgs } from "./apt.js";
import { activeVersions } from "./preview.js";
import { excludedBecause, runtimePackagesFor, selectExtensions, versionFor } from "./compat.js";
import {
  extensionContextName,
  extensionTargetName,
  fillTemplate,
  flavorGroupName,
  flavorImage,
  majorGroupName,
  operandTargetName,
  runtimeTargetName,
  sourceContextName,
} from "./naming.js";

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
/** Docker tags cannot hold `~`: a preview 19~beta3 is tagged 19beta3. */
export const tagSafeVersion = (v: string): string => v.replace(/~/g, "");

function basePlatforms(config: ProjectConfig, baseName: string): string[] {
  const base = config.bases.find((b) => b.name === baseName)!;
  return config.platforms.filter((p) => !base.platforms || base.platforms.includes(p));
}

/** The bases that carry `major` (a distribution ships one major per release). */
export function basesCarrying(config: ProjectConfig, major: number): ProjectConfig["bases"] {
  return config.bases.filter((b) => !b.majors || b.majors.includes(major));
}

function extensionTargets(config: ProjectConfig, catalog: Catalog, outDir?: string): ExtensionTargetPlan[] {
  const out: ExtensionTargetPlan[] = [];
  for (const ext of catalog.extensions) {
    if (ext.kind === "contrib") continue;
    for (const pg of config.postgres)
      for (const base of basesCarrying(config, pg.major)) {
        const platforms = basePlatforms(config, base.name).filter((p) => !ext.platforms || ext.platforms.includes(p));
        if (platforms.length === 0) continue;
        if (excludedBecause(ext, { major: pg.major, preview: pg.preview, base: base.name, platforms })) continue;
        const version = versionFor(ext, pg.major);
        const values = { ext_version: version, major: String(pg.major), base: base.name, codename: base.codename, extension: ext.name };
        out.push({
          name: extensionTargetName(ext.name, pg.major, base.name),
          extension: ext.name,
          version,
          kind: ext.kind,
          base: base.name,
          major: pg.major,
          platforms,
          runtimeTarget: runtimeTargetName(pg.major, base.name),
          // Two templates can give one tag (a version without a minor): tag once.
          tags: [...new Set(config.tags.extension.map((t) => `${ext.name}:${fillTemplate(t, values)}`))],
          sourceContext: ext.source
            ? { name: sourceContextName, value: sourceContextValue(ext, outDir) }
            : undefined,
        });
      }
  }
  return out;
}

/**
 * A git source becomes a bake git context pinned to its ref. A local path is relative to the
 * spec file that names it; bake reads contexts relative to its own directory, so with `outDir`
 * known the path is rewritten relative to it (without, it is used as is).
 */
export function sourceContextValue(ext: ExtensionSpec, outDir?: string): string {
  const src = ext.source!;
  if (!src.git.startsWith("https://")) {
    if (!outDir) return src.git;
    const rel = relative(outDir, resolve(dirname(ext.file), src.git)) || ".";
    return rel.startsWith(".") ? rel : `./${rel}`;
  }
  const url = src.git.endsWith(".git") ? src.git : `${src.git}.git`;
  return `${url}#${src.ref}${src.subdir ? `:${src.subdir}` : ""}`;
}

function operandTargets(config: ProjectConfig, catalog: Catalog, images: Map<string, ExtensionTargetPlan>): OperandTargetPlan[] {
  const byName = new Map(catalog.extensions.map((e) => [e.name, e]));
  const out: OperandTargetPlan[] = [];
  for (const flavor of config.flavors) {
    const image = flavorImage(config, flavor);
    for (const pg of config.postgres)
      for (const type of config.types)
        for (const base of basesCarrying(config, pg.major)) {
          const platforms = basePlatforms(config, base.name);
          const requested = [...new Set([...type.extensions, ...flavor.extensions])];
          const slot = { major: pg.major, preview: pg.preview, base: base.name, platforms };
          const { kept, excluded } = selectExtensions(requested, byName, slot);
          const keptSpecs = kept.map((k) => byName.get(k.name)!);
          const contexts: Record<string, string> = {};
          const keptPlans = kept.map((k) => {
            const spec = byName.get(k.name)!;
            const imageTarget = spec.kind === "contrib" ? undefined : extensionTargetName(spec.name, pg.major, base.name);
            if (imageTarget) {
              const target = images.get(imageTarget);
              // The selection and the image targets use the same rule; this guards the invariant that
              // a context target covers every platform of its user (docker/buildx#2486).
              if (!target || platforms.some((p) => !target.platforms.includes(p)))
                throw new Error(`plan invariant: ${imageTarget} does not cover ${platforms.join(", ")}`);
              contexts[extensionContextName(spec.name)] = `target:${imageTarget}`;
            }
            return { name: spec.name, version: versionFor(spec, pg.major), kind: spec.kind, imageTarget, requiredBy: k.requiredBy };
          });
          const values = {
            major: String(pg.major),
            version: tagSafeVersion(pg.version),
            type: type.name,
            base: base.name,
            flavor: flavor.name,
            codename: base.codename,
          };
          const runtime = runtimeTargetName(pg.major, base.name);
          out.push({
            name: operandTargetName(image, pg.major, type.name, base.name),
            image,
            flavor: flavor.name,
            type: type.name,
            base: base.name,
            major: pg.major,
            pgVersion: pg.version,
            preview: pg.preview,
            platforms,
            requested,
            kept: keptPlans,
            excluded,
            sharedPreloadLibraries: [...new Set(keptSpecs.flatMap((e) => e.shared_preload_libraries))],
            runtimePackages: sorted(keptSpecs.flatMap((e) => runtimePackagesFor(e, base.name))),
            typePackages: [...type.packages],
            tags: [...new Set(config.tags.operand.map((t) => `${image}:${fillTemplate(t, values)}`))],
            runtimeTarget: runtime,
            contexts: { runtime: `target:${runtime}`, ...contexts },
          });
        }
  }
  return out;
}

function groups(config: ProjectConfig, catalog: Catalog, exts: ExtensionTargetPlan[], ops: OperandTargetPlan[]): GroupPlan[] {
  const out: GroupPlan[] = [];
  const group = (name: string, description: string, targets: string[]): void => {
    if (targets.length > 0) out.push({ name, description, targets: sorted(targets) });
  };
  group("default", "every operand and extension image", [...ops, ...exts].map((t) => t.name));
  for (const ext of catalog.extensions)
    group(ext.name, `images of extension ${ext.name}`, exts.filter((t) => t.extension === ext.name).map((t) => t.name));
  for (const pg of config.postgres)
    group(majorGroupName(pg.major), `images for PostgreSQL ${pg.major}`, [...ops, ...exts].filter((t) => t.major === pg.major).map((t) => t.name));
  for (const flavor of config.flavors)
    group(flavorGroupName(flavorImage(config, flavor)), `operand images of flavor ${flavor.name}`, ops.filter((t) => t.flavor === flavor.name).map((t) => t.name));
  for (const base of config.bases)
    group(base.name, `images on base ${base.name}`, [...ops, ...exts].filter((t) => t.base === base.name).map((t) => t.name));
  for (const type of config.types)
    group(type.name, `operand images of type ${type.name}`, ops.filter((t) => t.type === type.name).map((t) => t.name));
  return out;
}

/** `outDir` (where the bake file goes) only places local source paths; the rest ignores it. */
export function buildPlan(listed: ProjectConfig, catalog: Catalog, outDir?: string): Plan {
  const { versions, dropped } = activeVersions(listed.postgres);
  const config = { ...listed, postgres: versions };
  const extensionImages = extensionTargets(config, catalog, outDir);
  const images = new Map(extensionImages.map((t) => [t.name, t]));
  const operands = operandTargets(config, catalog, images);
  const runtimes: RuntimeTargetPlan[] = [];
  for (const pg of config.postgres)
    for (const base of basesCarrying(config, pg.major))
      runtimes.push({
        name: runtimeTargetName(pg.major, base.name),
        base: base.name,
        major: pg.major,
        pgVersion: pg.version,
        platforms: basePlatforms(config, base.name),
        aptArgs: runtimeAptArgs(base, pg),
      });
  return { registry: config.registry, runtimes, extensionImages, operands, groups: groups(config, catalog, extensionImages, operands), droppedPreviews: dropped };
}
