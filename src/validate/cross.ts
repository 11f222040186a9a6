// Checks that span files: names that must exist, ranges that must make sense. (Names the plan makes must
// not clash: that is checked on the plan, plan/unique-names.ts.)
import type { SourceDoc } from "../load/index.js";
import { BUILDS_WITH_OPTIONS, type ExtensionSpec, type ProjectConfig } from "../model/types.js";
import { extensionTagKeys, operandTagKeys, packageVersionPlaceholders } from "../model/naming.js";
import { displayPath, InputError } from "../model/errors.js";
import { didYouMean } from "./suggest.js";

export { didYouMean };
import { fieldSource, formatPath, positionOf, type PathSegment } from "./position.js";

/** " (did you mean {version}?)", or the list of what is known when nothing is close. */
function placeholderHint(name: string, keys: string[]): string {
  const close = /'([^']+)'/.exec(didYouMean(name, keys))?.[1];
  return close ? ` (did you mean {${close}}?)` : `; expected ${keys.length === 1 ? "" : "one of "}${keys.map((k) => `{${k}}`).join(", ")}`;
}

/**
 * An extension's `bases` naming a base this config does not have is fine (a catalog can serve
 * several projects) unless the name is close to one it has: then it is a typo that would drop
 * the extension from that base without a word.
 */
export function checkExtensionBases(config: ProjectConfig, catalog: ExtensionSpec[], docs: Map<string, SourceDoc>): InputError[] {
  const r = new Reporter();
  const names = config.bases.map((b) => b.name);
  for (const spec of catalog)
    spec.bases?.forEach((b, i) => {
      const hint = names.includes(b) ? "" : didYouMean(b, names);
      if (hint) r.at(fieldSource(spec, "bases", docs), ["bases", i], `unknown base '${b}'${hint}`);
    });
  return r.errors;
}

/** Far beyond the largest matrix measured (`npm run bench`: 100× the default config, a few thousand targets). */
export const MAX_TARGETS = 100_000;

/**
 * The matrix is a product: entries each under the per-mapping limit can still multiply into
 * millions of targets. The input's list lengths bound what the plan would make, so this refuses
 * such a matrix before planning (which is what it spares); the plan then decides what is built.
 */
function matrixTooLarge(config: ProjectConfig, catalog: ExtensionSpec[]): string | undefined {
  const operands = config.flavors.length * config.postgres.length * config.types.length * config.bases.length;
  const images = catalog.length * config.postgres.length * config.bases.length;
  if (operands > MAX_TARGETS) return `this matrix makes ${operands} operand targets (flavors × postgres × types × bases); pgbake plans at most ${MAX_TARGETS}`;
  if (images > MAX_TARGETS) return `this matrix makes ${images} extension image targets (extensions × postgres × bases); pgbake plans at most ${MAX_TARGETS}`;
  return undefined;
}

class Reporter {
  readonly errors: InputError[] = [];
  at(src: SourceDoc, path: PathSegment[], message: string, key = false): void {
    const pos = positionOf(src, path, key);
    this.errors.push(new InputError(src.file, pos.line, pos.column, formatPath(path), message));
  }
}

/**
 * `alsoKnown`: names of extension files that failed the schema. They still exist, so naming them
 * is no second error (one mistake, one message).
 */
export function checkCatalog(specs: ExtensionSpec[], docs: Map<string, SourceDoc>, alsoKnown: string[] = []): InputError[] {
  const r = new Reporter();
  const byName = new Map<string, ExtensionSpec>();
  for (const spec of specs) {
    // Each message at the file that wrote the field: an override's, when a later catalog set it.
    const at = (path: PathSegment[], message: string, key = false): void => r.at(fieldSource(spec, path[0], docs), path, message, key);
    // A clash of two fields: at the one a later catalog's override set, if it set one of them.
    const atLater = (paths: PathSegment[][], message: string, key = false): void => {
      const path = paths.find((p) => spec.origin?.fields[String(p[0])]) ?? paths[0]!;
      at(path, message, key && path === paths[0]);
    };
    const other = byName.get(spec.name);
    if (other) at(["name"], `duplicate extension name '${spec.name}' (also in ${displayPath(other.file)})`);
    else byName.set(spec.name, spec);
    if (spec.min_pg_version !== undefined && spec.max_pg_version !== undefined && spec.min_pg_version > spec.max_pg_version)
      atLater([["min_pg_version"], ["max_pg_version"]], `min_pg_version ${spec.min_pg_version} > max_pg_version ${spec.max_pg_version}`);
    if (spec.kind === "contrib" && (spec.package || spec.source)) at(["kind"], "a contrib extension ships with PostgreSQL: it takes no package or source");
    if (spec.kind === "tool" && spec.source && (spec.source.binaries ?? []).length === 0) at(["source"], "a tool names the binaries it installs (source.binaries)");
    if (spec.source?.build_options?.length && !BUILDS_WITH_OPTIONS.includes(spec.source.build))
      at(["source", "build_options"], `build_options apply to configure, cmake and meson builds, not ${spec.source.build}`);
    // A ref of hex digits is meant as a commit; git takes only the full SHA-1 (40) or SHA-256 (64).
    const ref = spec.source?.ref;
    if (ref && /^[0-9a-fA-F]{7,}$/.test(ref) && /[0-9]/.test(ref) && ref.length !== 40 && ref.length !== 64)
      at(["source", "ref"], `expected a full commit SHA (40 hex digits), got ${ref.length} hex digits "${ref}"`);
    else if (ref && /^[0-9A-F]{40}$/.test(ref) && /[A-F]/.test(ref)) at(["source", "ref"], `expected a commit SHA in lowercase hex, got "${ref}"`);
    // package_version is filled with {version} only: anything else would reach apt as written.
    const versionKeys = Object.keys(packageVersionPlaceholders);
    for (const m of spec.package_version.matchAll(/\{([^}]*)\}/g)) if (!versionKeys.includes(m[1]!)) at(["package_version"], `unknown placeholder {${m[1]}}${placeholderHint(m[1]!, versionKeys)}`);
    spec.expected_server_log.forEach((e, i) => {
      const bad = regexError(e.match);
      if (bad) at(["expected_server_log", i, "match"], `not a regular expression: ${bad}`);
    });
    (spec.broken_upgrade_paths ?? []).forEach((b, i) => {
      if (!spec.sql_names.includes(b.sql_name)) at(["broken_upgrade_paths", i, "sql_name"], `'${b.sql_name}' is not one of sql_names (${spec.sql_names.join(", ") || "none"})`);
    });
    for (const major of Object.keys(spec.versions_by_major)) {
      const m = Number(major);
      if ((spec.min_pg_version && m < spec.min_pg_version) || (spec.max_pg_version && m > spec.max_pg_version))
        atLater([["versions", major], ["min_pg_version"], ["max_pg_version"]], `a version for PG ${major}, outside min_pg_version..max_pg_version`, true);
    }
    for (const [suite, majors] of Object.entries(spec.suites))
      for (const [major, entry] of Object.entries(majors)) {
        if (entry.package !== undefined && spec.kind !== "package") at(["suites", suite, major, "package"], `a package name per suite is for kind package, not ${spec.kind}`);
        if (entry.absent !== undefined && (entry.version !== undefined || entry.package !== undefined))
          at(["suites", suite, major, "absent"], `a suite that lacks ${spec.name} for PG ${major} has no version or package for it`);
      }
  }
  const known = [...byName.keys()];
  const exists = new Set([...known, ...alsoKnown]);
  for (const spec of specs) {
    spec.requires.forEach((req, i) => {
      if (!exists.has(req)) r.at(fieldSource(spec, "requires", docs), ["requires", i], `requires unknown extension '${req}'${didYouMean(req, known)}`);
    });
    spec.startup_needs.forEach((n, i) => {
      if (n.value !== undefined && n.kind !== "setting") r.at(fieldSource(spec, "startup_needs", docs), ["startup_needs", i, "value"], `a value is for a setting, not a ${n.kind}`);
    });
    // A conflict with an entry this catalog lacks is harmless (the e2e catalog has no timescaledb),
    // unless the name is close to one it has: then it is a typo that would let the pair through.
    spec.conflicts.forEach((c, i) => {
      const path = ["conflicts", i, "extension"];
      const hint = exists.has(c.extension) ? "" : didYouMean(c.extension, known);
      if (c.extension === spec.name) r.at(fieldSource(spec, "conflicts", docs), path, "an entry cannot conflict with itself");
      else if (hint) r.at(fieldSource(spec, "conflicts", docs), path, `conflicts with unknown extension '${c.extension}'${hint}`);
    });
  }
  // requires cycles: depth-first search over the known names.
  const state = new Map<string, "open" | "done">();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "open") {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const spec = byName.get(name)!;
      r.at(fieldSource(spec, "requires", docs), ["requires"], `requires cycle: ${cycle.join(" -> ")}`);
      return;
    }
    state.set(name, "open");
    for (const req of byName.get(name)?.requires ?? []) if (byName.has(req)) visit(req, [...trail, name]);
    state.set(name, "done");
  };
  for (const name of [...known].sort()) visit(name, []);
  return r.errors;
}

export function checkConfig(config: ProjectConfig, src: SourceDoc, catalog: ExtensionSpec[], alsoKnown: string[] = []): InputError[] {
  const r = new Reporter();
  const known = catalog.map((e) => e.name);
  const has = new Set([...known, ...alsoKnown]);
  for (const flavor of config.flavors)
    flavor.extensions.forEach((ext, i) => {
      if (!has.has(ext)) r.at(src, ["flavors", flavor.name, "extensions", i], `unknown extension '${ext}'${didYouMean(ext, [...has])}`);
    });
  for (const type of config.types)
    type.extensions.forEach((ext, i) => {
      if (!has.has(ext)) r.at(src, ["types", type.name, "extensions", i], `unknown extension '${ext}'${didYouMean(ext, [...has])}`);
    });
  // No flavors at all is a project of extension images only (CloudNativePG's extensions containers).
  if (config.flavors.length > 0 && config.types.length === 0) r.at(src, ["flavors"], "flavors make operand images, which need at least one entry under types", true);
  if (config.flavors.length > 0 && !config.flavors.some((f) => f.name === config.default_flavor))
    r.at(
      src,
      ["default_flavor"],
      `unknown flavor '${config.default_flavor}'${didYouMean(
        config.default_flavor,
        config.flavors.map((f) => f.name),
      )}`,
    );
  // A major may be listed twice only as a preview next to its stable release (the plan drops the preview).
  const majors = new Map<number, boolean[]>();
  config.postgres.forEach((pg, i) => {
    const seen = majors.get(pg.major) ?? [];
    if (seen.includes(pg.preview)) r.at(src, ["postgres", i, "major"], `PG ${pg.major} is listed twice`);
    majors.set(pg.major, [...seen, pg.preview]);
    if (!pg.version.startsWith(String(pg.major))) r.at(src, ["postgres", i, "version"], `version ${pg.version} is not of major ${pg.major}`);
  });
  config.platforms.forEach((p, i) => {
    if (!config.bases.some((b) => !b.platforms || b.platforms.includes(p))) r.at(src, ["platforms", i], `no base supports platform ${p}`);
  });
  for (const base of config.bases)
    base.majors?.forEach((m, i) => {
      if (!majors.has(m)) r.at(src, ["bases", base.name, "majors", i], `PG ${m} is not in the project's postgres list`);
    });
  for (const base of config.bases)
    base.platforms?.forEach((p, i) => {
      if (!config.platforms.includes(p)) r.at(src, ["bases", base.name, "platforms", i], `platform ${p} is not in the project's platforms`);
    });
  const checkTags = (kind: "operand" | "extension", keys: string[]): void =>
    config.tags[kind].forEach((t, i) => {
      for (const m of t.matchAll(/\{([^}]*)\}/g)) if (!keys.includes(m[1]!)) r.at(src, ["tags", kind, i], `unknown placeholder {${m[1]}}${placeholderHint(m[1]!, keys)}`);
    });
  checkTags("operand", operandTagKeys);
  checkTags("extension", extensionTagKeys);

  const tooMany = matrixTooLarge(config, catalog);
  if (tooMany) r.at(src, [], tooMany);
  return r.errors;
}

/** Why a pattern is no JavaScript regular expression, if it is none. */
function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
