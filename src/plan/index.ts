// Stage 3: the pure plan. The full product base × type × platform × PG major × flavor, with
// every extension kept or excluded for a reason. No I/O: the result is plain data.
import { dirname, relative, resolve } from "node:path";
import type { Catalog, ExtensionSpec, ExtensionTargetPlan, GroupOwner, GroupPlan, OperandTargetPlan, Plan, ProjectConfig, RuntimeTargetPlan, SharedFacts, TargetPlan } from "../model/types.js";
import { baseReference, commonMetadata } from "./metadata.js";
import { definitions } from "./definitions.js";
import { derivedValues, planScope } from "./evaluation.js";
import { runtimeAptArgs, usesLoopback } from "./apt.js";
import { activeVersions } from "./preview.js";
import { excludedBecause, packageTemplateFor, preloadSlots, runtimePackagesFor, selectExtensions, suiteOf, versionFor } from "../model/compat.js";
import { extensionTargetName, fillTemplate, isGitUrl, flavorGroupName, flavorImage, majorGroupName, operandTargetName, runtimeTargetName, sourceContextName } from "../model/naming.js";

/** Filled in from plan/definitions.ts once every target's facts are known. */
const underived = (): Pick<TargetPlan, "args" | "contexts" | "tags" | "metadata"> => ({ args: {}, contexts: {}, tags: [], metadata: [] });

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

function basePlatforms(config: ProjectConfig, baseName: string): string[] {
  const base = config.bases.find((b) => b.name === baseName)!;
  return config.platforms.filter((p) => !base.platforms || base.platforms.includes(p));
}

/** The bases that carry `major` (a distribution ships one major per release). */
export function basesCarrying(config: ProjectConfig, major: number): ProjectConfig["bases"] {
  return config.bases.filter((b) => !b.majors || b.majors.includes(major));
}

/**
 * Build args of an extension image besides PG_MAJOR: what it installs (package) or how it builds
 * (source). `{major}` stays a placeholder (plan/definitions.ts fills it), so one value serves every major.
 */
function extensionBuildArgs(ext: ExtensionSpec, major: number, base: string, suite: string): Record<string, string> {
  if (ext.kind === "package") {
    const version = fillTemplate(ext.package_version, { version: versionFor(ext, major, suite) });
    const pkg = packageTemplateFor(ext, major, suite);
    return {
      PACKAGES: [`${pkg}=${version}`, ...ext.extra_packages].join(" "),
      RUNTIME_PACKAGES: runtimePackagesFor(ext, base).join(" "),
    };
  }
  return { BUILD_PACKAGES: (ext.source!.build_packages ?? []).join(" "), LICENSE_NAME: ext.name };
}

function extensionTargets(config: ProjectConfig, catalog: Catalog, shared: SharedFacts, outDir?: string): ExtensionTargetPlan[] {
  const out: ExtensionTargetPlan[] = [];
  for (const ext of catalog.extensions) {
    if (ext.kind === "contrib") continue;
    for (const pg of config.postgres)
      for (const base of basesCarrying(config, pg.major)) {
        const platforms = basePlatforms(config, base.name).filter((p) => !ext.platforms || ext.platforms.includes(p));
        if (platforms.length === 0) continue;
        const suite = suiteOf(base);
        if (excludedBecause(ext, { major: pg.major, preview: pg.preview, base: base.name, suite, platforms })) continue;
        const version = versionFor(ext, pg.major, suite);
        const runtimeTarget = runtimeTargetName(pg.major, base.name);
        const sourceContext = ext.source ? { name: sourceContextName, value: sourceContextValue(ext, outDir) } : undefined;
        const src = ext.source;
        out.push({
          kind: "extension",
          name: extensionTargetName(ext.name, pg.major, base.name),
          extension: ext.name,
          version,
          extensionKind: ext.kind,
          base: base.name,
          major: pg.major,
          platforms,
          repository: ext.name,
          buildArgs: extensionBuildArgs(ext, pg.major, base.name, suite),
          ...underived(),
          runtimeTarget,
          sourceContext,
          sourceBuild: src && {
            build: src.build,
            build_options: [...(src.build_options ?? [])],
            binaries: [...(src.binaries ?? [])],
            pgrx_version: src.pgrx_version,
            go_main: src.go_main,
          },
          ...(ext.image_volume_unsupported ? { imageVolumeUnsupported: ext.image_volume_unsupported } : {}),
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
  if (!isGitUrl(src.git)) {
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
          const slot = { major: pg.major, preview: pg.preview, base: base.name, suite: suiteOf(base), platforms };
          const { kept, excluded } = selectExtensions(requested, byName, slot);
          const keptSpecs = kept.map((k) => byName.get(k.name)!);
          const keptPlans = kept.map((k) => {
            const spec = byName.get(k.name)!;
            const imageTarget = spec.kind === "contrib" ? undefined : extensionTargetName(spec.name, pg.major, base.name);
            if (imageTarget) {
              const target = images.get(imageTarget);
              // The selection and the image targets use the same rule; this guards the invariant that
              // a context target covers every platform of its user (docker/buildx#2486).
              if (!target || platforms.some((p) => !target.platforms.includes(p))) throw new Error(`plan invariant: ${imageTarget} does not cover ${platforms.join(", ")}`);
            }
            return { name: spec.name, version: versionFor(spec, pg.major, slot.suite), kind: spec.kind, imageTarget, requiredBy: k.requiredBy };
          });
          const runtime = runtimeTargetName(pg.major, base.name);
          // Ordered by the entries' preload_position (Citus first), the flavor's order otherwise.
          const preloadOrder = preloadSlots(keptSpecs);
          const sharedPreloadLibraries = preloadOrder.map((s) => s.library);
          const startupNeeds = keptSpecs.flatMap((e) => e.startup_needs.map((n) => ({ ...n, extension: e.name })));
          const runtimePackages = sorted(keptSpecs.flatMap((e) => runtimePackagesFor(e, base.name)));
          out.push({
            kind: "operand",
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
            sharedPreloadLibraries,
            preloadOrder,
            startupNeeds,
            runtimePackages,
            typePackages: [...type.packages],
            repository: image,
            ...underived(),
            runtimeTarget: runtime,
          });
        }
  }
  return out;
}

function groups(config: ProjectConfig, catalog: Catalog, exts: ExtensionTargetPlan[], ops: OperandTargetPlan[]): GroupPlan[] {
  const out: GroupPlan[] = [];
  const group = (name: string, description: string, targets: string[], of?: GroupOwner): void => {
    if (targets.length > 0) out.push({ name, description, targets: sorted(targets), ...(of ? { of } : {}) });
  };
  // Each kind of group in one pass over the targets: a filter per flavor or extension would be
  // quadratic (thousands of flavors × tens of thousands of targets).
  const by = <T extends { name: string }, K>(targets: T[], key: (t: T) => K): Map<K, string[]> => {
    const m = new Map<K, string[]>();
    for (const t of targets) {
      const list = m.get(key(t));
      if (list) list.push(t.name);
      else m.set(key(t), [t.name]);
    }
    return m;
  };
  const all = [...ops, ...exts];
  const [byExtension, byMajor, byFlavor, byBase, byType] = [by(exts, (t) => t.extension), by(all, (t) => t.major), by(ops, (t) => t.flavor), by(all, (t) => t.base), by(ops, (t) => t.type)];
  group(
    "default",
    "every operand and extension image",
    all.map((t) => t.name),
  );
  for (const ext of catalog.extensions) group(ext.name, `images of extension ${ext.name}`, byExtension.get(ext.name) ?? [], { kind: "extension", name: ext.name });
  for (const pg of config.postgres) group(majorGroupName(pg.major), `images for PostgreSQL ${pg.major}`, byMajor.get(pg.major) ?? [], { kind: "major", name: String(pg.major) });
  for (const flavor of config.flavors)
    group(flavorGroupName(flavorImage(config, flavor)), `operand images of flavor ${flavor.name}`, byFlavor.get(flavor.name) ?? [], { kind: "flavor", name: flavor.name });
  for (const base of config.bases) group(base.name, `images on base ${base.name}`, byBase.get(base.name) ?? [], { kind: "base", name: base.name });
  for (const type of config.types) group(type.name, `operand images of type ${type.name}`, byType.get(type.name) ?? [], { kind: "type", name: type.name });
  return out;
}

function sharedFacts(config: ProjectConfig, catalog: Catalog): SharedFacts {
  return {
    configName: config.file.split("/").pop() ?? "pgbake.yaml",
    image: config.image,
    postgres: config.postgres.map((p) => ({ ...p })),
    bases: config.bases.map((b) => {
      const ref = baseReference(b.image);
      return { name: b.name, image: b.image, codename: b.codename, platforms: basePlatforms(config, b.name), baseName: ref.name, baseDigest: ref.digest };
    }),
    types: config.types.map((t) => ({ name: t.name, description: t.description, packages: [...t.packages] })),
    flavors: config.flavors.map((f) => ({ name: f.name, description: f.description, image: flavorImage(config, f) })),
    extensions: catalog.extensions.filter((e) => e.kind !== "contrib").map((e) => ({ name: e.name, description: e.description, license: e.license })),
    tagTemplates: { operand: [...config.tags.operand], extension: [...config.tags.extension] },
    commonMetadata: commonMetadata(config),
    operandLicenses: config.metadata.licenses,
    annotationPrefix: config.metadata.annotation_prefix,
  };
}

/** `outDir` (where the bake file goes) only places local source paths; the rest ignores it. */
export function buildPlan(listed: ProjectConfig, catalog: Catalog, outDir?: string): Plan {
  const { versions, dropped } = activeVersions(listed.postgres);
  const config = { ...listed, postgres: versions };
  const shared = sharedFacts(config, catalog);
  const extensionImages = extensionTargets(config, catalog, shared, outDir);
  const images = new Map(extensionImages.map((t) => [t.name, t]));
  const operands = operandTargets(config, catalog, images);
  const runtimes: RuntimeTargetPlan[] = [];
  for (const pg of config.postgres)
    for (const base of basesCarrying(config, pg.major))
      runtimes.push({
        kind: "runtime",
        name: runtimeTargetName(pg.major, base.name),
        base: base.name,
        major: pg.major,
        pgVersion: pg.version,
        postgresFrom: base.postgres_from,
        platforms: basePlatforms(config, base.name),
        // Runtimes are never pushed; their registry cache lives in the operand repository.
        repository: config.image,
        // The apt repositories as build args too (src/plan/apt.ts), those that differ from the Dockerfile's defaults.
        aptArgs: runtimeAptArgs(base, pg),
        ...underived(),
      });
  // A base whose apt mirror is on this machine's loopback builds every target in the host's network.
  const loopback = new Set(config.bases.filter(usesLoopback).map((b) => b.name));
  for (const t of [...runtimes, ...extensionImages, ...operands]) if (loopback.has(t.base)) t.network = "host";
  // Args, contexts, tags and labels: the formulas of plan/definitions.ts over each target's facts.
  const defs = definitions(shared, { cache: config.build.cache, hostNetwork: false });
  const scope = planScope({ registry: config.registry, shared }, defs);
  for (const t of [...runtimes, ...extensionImages, ...operands]) Object.assign(t, derivedValues(t, shared, defs, scope));
  return {
    registry: config.registry,
    bakeFiles: config.bake_files,
    build: { ...config.build },
    shared,
    runtimes,
    extensionImages,
    operands,
    groups: groups(config, catalog, extensionImages, operands),
    droppedPreviews: dropped,
  };
}
