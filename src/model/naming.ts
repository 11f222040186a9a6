// Target, group and tag names: one place, so the planner and the validator agree.
// Names a bake target computes too are formulas (model/formula.ts), evaluated here and printed
// into the bake file from the same definition.
import type { FlavorSpec, ProjectConfig } from "../model/types.js";
import { call, evaluateText, fn, text, tpl, apply, type FormulaFunction } from "./formula.js";

export const runtimeTargetNameFormula = fn("runtime_target_name", ["major", "base"], (major, base) => tpl`runtime-${major}-${base}`);
export const extensionTargetNameFormula = fn("extension_target_name", ["extension", "major", "base"], (ext, major, base) => tpl`${ext}-${major}-${base}`);
/** `group` is the flavor's bake name (flavorGroupName). */
export const operandTargetNameFormula = fn("operand_target_name", ["group", "major", "type", "base"], (group, major, type, base) => tpl`${group}-${major}-${type}-${base}`);
export const extensionContextNameFormula = fn("extension_context_name", ["extension"], (ext) => tpl`ext-${ext}`);
const nameOf = (f: FormulaFunction, ...args: string[]): string => evaluateText(apply(f, ...args.map(text)), {});

export const runtimeTargetName = (major: number, base: string): string => nameOf(runtimeTargetNameFormula, String(major), base);
export const extensionTargetName = (ext: string, major: number, base: string): string => nameOf(extensionTargetNameFormula, ext, String(major), base);
export const majorGroupName = (major: number): string => `pg${major}`;
export const extensionContextName = (ext: string): string => nameOf(extensionContextNameFormula, ext);
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
export const operandTargetName = (image: string, major: number, type: string, base: string): string => nameOf(operandTargetNameFormula, flavorGroupName(image), String(major), type, base);

/** Fills `{name}` placeholders; unknown placeholders are left for the validator to report. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/**
 * `{timestamp}` is not filled by the planner: it stays in the plan's tags as a marker and the
 * renderer turns it into the bake variable `timestamp`, so one bake run shares one value.
 */
export const timestampMarker = "{timestamp}";

/**
 * A version as a Docker tag holds it (tags take letters, digits, `_`, `.`, `-` only): `~` is
 * dropped (a preview 19~beta3 is tagged 19beta3, age 1.8.0~rc0 is 1.8.0rc0) and `+` becomes `_`,
 * as Helm does for OCI tags (1.0+dfsg is 1.0_dfsg). Labels keep the version as written.
 */
export const tagSafeVersionFormula = fn("tag_safe_version", ["version"], (v) => call("replace", call("replace", v, "~", ""), "+", "_"));
export const tagSafeVersion = (v: string): string => nameOf(tagSafeVersionFormula, v);

/**
 * The placeholders of tag templates (`tags.operand`, `tags.extension` in pgbake.yaml), each with
 * what it becomes. The validator accepts exactly these, the planner fills them, and
 * docs/reference.md is generated from these descriptions (tests/reference-docs.test.ts), so the
 * list and its documentation cannot drift apart.
 */
const timestampDescription =
  "The bake variable `timestamp`: YYYYMMDDhhmm in UTC, by default the minute the bake run started (one value for every tag of the run; set `timestamp=...` to share it between runs). Gives each build an immutable tag.";
export const operandTagPlaceholders: Readonly<Record<string, string>> = {
  major: "The PostgreSQL major, e.g. `17`.",
  version: "The PostgreSQL version of `postgres[].version` as a Docker tag holds it (`~` dropped, `+` as `_`), e.g. `17.6` or `19beta3` for `19~beta3`.",
  type: "The image type's name (a key of `types`), e.g. `minimal`.",
  base: "The base's name (a key of `bases`), e.g. `bookworm`.",
  flavor: "The flavor's name (a key of `flavors`), e.g. `full`.",
  codename: "The base's `codename`, e.g. `bookworm`.",
  timestamp: timestampDescription,
};
export const extensionTagPlaceholders: Readonly<Record<string, string>> = {
  ext_version:
    "The extension's version for that major: its `suites` entry for the base's suite and the major, else its `versions` entry for the major, else its `version`, as a Docker tag holds it (`~` dropped, `+` as `_`), e.g. `0.8.1`, `1.8.0rc0` for `1.8.0~rc0`.",
  major: "The PostgreSQL major, e.g. `17`.",
  base: "The base's name (a key of `bases`), e.g. `bookworm`.",
  codename: "The base's `codename`, e.g. `bookworm`.",
  extension: "The extension's `name` (also its image repository), e.g. `pgvector`.",
  timestamp: timestampDescription,
};
/** A git URL bake fetches itself (https, or a git daemon's git://), not a local directory. */
export const isGitUrl = (git: string): boolean => /^(https|git):\/\//.test(git);

/** The placeholders of an extension's apt fields: `package` and `extra_packages`, and `package_version`. */
export const packagePlaceholders: Readonly<Record<string, string>> = {
  major: "In `package` and `extra_packages`: the PostgreSQL major of the image, e.g. `postgresql-{major}-pgvector` becomes `postgresql-17-pgvector`.",
};
export const packageVersionPlaceholders: Readonly<Record<string, string>> = {
  version: "In `package_version`: the extension's version for the major (its `suites` entry for the base's suite, else its `versions` entry, else `version`), e.g. `{version}-*` becomes `0.8.1-*`.",
};
export const operandTagKeys = Object.keys(operandTagPlaceholders);
export const extensionTagKeys = Object.keys(extensionTagPlaceholders);
