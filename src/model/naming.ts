// Target, group and tag names: one place, so the planner and the validator agree.
import type { FlavorSpec, ProjectConfig } from "../model/types.js";

export const runtimeTargetName = (major: number, base: string): string => `runtime-${major}-${base}`;
export const extensionTargetName = (ext: string, major: number, base: string): string => `${ext}-${major}-${base}`;
export const majorGroupName = (major: number): string => `pg${major}`;
export const extensionContextName = (ext: string): string => `ext-${ext}`;
/** Every source build reads its code from the context `src`, so one Dockerfile serves them all. */
export const sourceContextName = "src";

/** The operand repository of a flavor: CloudNativePG's name for the default flavor. */
export function flavorImage(config: Pick<ProjectConfig, "image" | "default_flavor">, flavor: FlavorSpec): string {
  if (flavor.image) return flavor.image;
  return flavor.name === config.default_flavor ? config.image : `${config.image}-${flavor.name}`;
}

/** Bake allows only [a-zA-Z0-9_-] in target and group names; an image such as `team/pg.x` has more. */
export const bakeName = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, "-");

/** The group of a flavor's operand images: its repository, as a bake name. */
export const flavorGroupName = (image: string): string => bakeName(image);

/** `postgresql-17-minimal-bookworm`, `postgresql-vector-17-minimal-bookworm`. */
export const operandTargetName = (image: string, major: number, type: string, base: string): string =>
  `${bakeName(image)}-${major}-${type}-${base}`;

/** Fills `{name}` placeholders; unknown placeholders are left for the validator to report. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/**
 * `{timestamp}` is not filled by the planner: it stays in the plan's tags as a marker and the
 * renderer turns it into the bake variable `timestamp`, so one bake run shares one value.
 */
export const timestampMarker = "{timestamp}";
export const operandTagKeys = ["major", "version", "type", "base", "flavor", "codename", "timestamp"];
export const extensionTagKeys = ["ext_version", "major", "base", "codename", "extension", "timestamp"];
