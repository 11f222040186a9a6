// `bake --check` support. BuildKit's linter runs per target without building its dependencies,
// so it cannot resolve `target:` contexts ("unsupported context source target"). For a check,
// pgbake points those contexts at the target's base image: the linter only needs an image to
// resolve, and the real build still uses the targets.
import type { Plan, ProjectConfig } from "../model/types.js";

/** One target per distinct Dockerfile, so `--check` lints every file once. */
export function representativeTargets(dockerfiles: Record<string, string>): string[] {
  const byFile = new Map<string, string>();
  for (const [target, file] of Object.entries(dockerfiles).sort(([a], [b]) => a.localeCompare(b, "en"))) if (!byFile.has(file)) byFile.set(file, target);
  return [...byFile.values()].sort();
}

/** `--set` overrides that make `targets` checkable; `baseImages` maps base name to an image to use instead. */
export function checkOverrides(plan: Plan, config: ProjectConfig, targets: string[], baseImages: Record<string, string> = {}): string[] {
  const imageOf = (base: string): string => baseImages[base] ?? config.bases.find((b) => b.name === base)!.image;
  const set: string[] = [];
  const wanted = new Set(targets);
  for (const rt of plan.runtimes) if (wanted.has(rt.name) || baseImages[rt.base]) set.push(`${rt.name}.args.BASE_IMAGE=${imageOf(rt.base)}`);
  for (const t of [...plan.extensionImages, ...plan.operands]) {
    if (!wanted.has(t.name)) continue;
    for (const [name, value] of Object.entries(t.contexts)) if (value.startsWith("target:")) set.push(`${t.name}.contexts.${name}=docker-image://${imageOf(t.base)}`);
  }
  return set;
}

/**
 * What `bake --check` adds so that linting needs neither a registry nor Docker Hub: output
 * `cacheonly` so index annotations never meet a single-platform export (CloudNativePG's fix for
 * postgres-extensions-containers#261), no attestations (the SBOM scanner is an image on Docker
 * Hub) and no registry caches.
 */
export const checkReleaseOverrides = {
  set: ["*.output=type=cacheonly", "*.cache-from=", "*.cache-to="],
  args: ["--sbom=false", "--provenance=false"],
};
