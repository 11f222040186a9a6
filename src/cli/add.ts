// `pgbake add NAME --package PKG | --git URL --ref REF --build SYSTEM`: scaffolds a catalog entry
// in the project's own catalog directory. Facts pgbake knows about NAME come from the reference
// data shipped in the package (data/reference-extensions.json, derived by
// scripts/reference-data.mjs from Pigsty's Apache-2.0 extension catalog); each pre-filled field
// says so in a comment. The entry is checked against the schema before it is written.
// A name of the built-in catalog is never scaffolded: its entry is newer than the reference data
// (PGDG serves only the newest package, so an older pin cannot build) and has a smoke test. It
// needs only its name in a flavor; with fields given, `add` writes an `override: true` entry
// holding just those.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { LineCounter, parse, parseDocument, stringify } from "yaml";
import { readInputText } from "../load/text.js";
import { builtinCatalog } from "../load/catalogs.js";
import { listExtensionFiles, parseYamlFile, type SourceDoc } from "../load/index.js";
import { defaultExtensionsDir, packageRoot } from "../model/paths.js";
import { InputErrors, PgbakeError } from "../model/errors.js";
import type { CatalogLayer } from "../model/types.js";
import { SOURCE_BUILDS } from "../model/input.generated.js";
import { projectConfigPath } from "../pipeline/index.js";
import { mergeLayers } from "../validate/layers.js";
import { checkSchema } from "../validate/schema.js";
import { UsageError } from "./usage.js";
import { writeFileWhole } from "../write/whole.js";

interface Reference {
  version?: string;
  license?: string;
  homepage?: string;
  description?: string;
  majors?: number[];
  preload?: boolean;
  contrib?: boolean;
  requires?: string[];
  deb_package?: string;
  deb_repo?: string;
}
interface ReferenceData {
  source: { repository: string; path: string; commit: string; license: string };
  aliases: Record<string, string>;
  extensions: Record<string, Reference>;
}

export function referenceData(): ReferenceData {
  return JSON.parse(readFileSync(join(packageRoot(), "data", "reference-extensions.json"), "utf8")) as ReferenceData;
}

/** The config's `catalogs:` list (undefined when it has none). */
function catalogsOf(configPath: string): unknown[] | undefined {
  // Read as every input is (a regular file, bounded): a FIFO here would wait forever.
  const catalogs = existsSync(configPath) ? (parse(readInputText(configPath)) as { catalogs?: unknown } | null)?.catalogs : undefined;
  return Array.isArray(catalogs) ? catalogs : undefined;
}

/** The project's own catalog: the first directory in the config's `catalogs:`, else ./extensions. */
function localCatalog(configPath: string): string {
  const dir = catalogsOf(configPath)?.find((c): c is string => typeof c === "string" && /^(\.{1,2}\/|\/)/.test(c));
  return resolve(dirname(configPath), dir ?? "./extensions");
}

/** The built-in catalog's entry that `name` names (as its name, one of its SQL names, or a reference alias of one). */
export function builtinEntry(name: string, data: ReferenceData): SourceDoc | undefined {
  const wanted = new Set([name, data.aliases[name] ?? name]);
  for (const file of listExtensionFiles(defaultExtensionsDir())) {
    const doc = parseYamlFile(file, readFileSync(file, "utf8"));
    const entry = doc.data as { name?: unknown; sql_names?: unknown };
    const names = [entry.name, ...(Array.isArray(entry.sql_names) ? entry.sql_names : [])];
    if (names.some((n) => typeof n === "string" && wanted.has(n))) return doc;
  }
  return undefined;
}

/** The fields of an entry the command line can give (everything but --dir and --force). */
const entryFlags = ["package", "git", "ref", "build", "version", "license", "description", "homepage"] as const;

/** An `override: true` entry for the built-in `entry`: its name and only the fields given. */
export function overrideFields(entry: string, v: Record<string, unknown>): Field[] {
  const opt = (key: string): string | undefined => v[key] as string | undefined;
  const fields: Field[] = [
    ["name", entry],
    ["override", true],
  ];
  for (const key of ["description", "license", "homepage", "version"] as const) if (opt(key) !== undefined) fields.push([key, opt(key)]);
  if (opt("package") !== undefined) fields.push(["kind", "package"], ["package", opt("package")]);
  if (opt("git") !== undefined) fields.push(["kind", "source"], ["source", sourceOf(opt("git")!, opt("ref"), opt("build"))]);
  else if (opt("ref") !== undefined || opt("build") !== undefined) throw new UsageError("--ref and --build go with --git URL");
  return fields;
}

function sourceOf(git: string, ref: string | undefined, build: string | undefined): { git: string; ref: string; build: string } {
  if (!ref || !build) throw new UsageError("--git needs --ref (a full 40-hex commit for releases) and --build");
  if (!(SOURCE_BUILDS as readonly string[]).includes(build)) throw new UsageError(`--build takes ${SOURCE_BUILDS.join(", ")}, not '${build}'`);
  return { git, ref, build };
}

/** Why `add` writes nothing for a built-in name given without fields to change. */
function alreadyBuiltin(name: string, entry: SourceDoc): string {
  const e = entry.data as { name: string; version: string };
  const same = e.name === name ? `'${name}'` : `'${name}' (entry '${e.name}')`;
  return (
    `${same} is in pgbake's built-in catalog (version ${e.version}, ${entry.file}): nothing to add. ` +
    `Name '${e.name}' in a flavor's extensions in pgbake.yaml (flavors: NAME: extensions: [${e.name}]), then pgbake generate. ` +
    `To change some of its fields, give them (--version, --package, --git/--ref/--build, --license, --description, --homepage): ` +
    "add then writes an `override: true` entry holding only those."
  );
}

/** The built-in entry as this override leaves it, checked as generate checks it (validate/layers.ts). */
function checkOverride(builtin: SourceDoc, override: SourceDoc, dir: string): void {
  const layers: CatalogLayer[] = [
    { name: builtinCatalog, dir: defaultExtensionsDir(), library: true, fromConfig: true },
    { name: dir, dir, library: false, fromConfig: true },
  ];
  const loaded = {
    config: override,
    extensions: [builtin, override],
    layers,
    layerOf: new Map([
      [builtin.file, layers[0]!],
      [override.file, layers[1]!],
    ]),
  };
  const { errors } = mergeLayers(loaded, [builtin, override]);
  if (errors.length > 0) throw new InputErrors(errors);
}

type Field = [key: string, value: unknown, from?: string];

/** The entry's fields, each with where its value came from. */
export function scaffold(name: string, v: Record<string, unknown>, data: ReferenceData): Field[] {
  const sqlName = data.aliases[name] ?? name;
  const ref = data.extensions[sqlName];
  const cite = `reference data (${data.source.repository} ${data.source.path}, ${data.source.license})`;
  const opt = (key: string): string | undefined => v[key] as string | undefined;
  const pick = (key: string, given: string | undefined, known: string | undefined): Field => {
    if (given !== undefined) return [key, given];
    if (known !== undefined) return [key, known, cite];
    throw new UsageError(`pgbake knows no ${key} for '${name}': give --${key}`);
  };
  const git = opt("git");
  let kind: string;
  if (git) kind = "source";
  else if (opt("package")) kind = "package";
  else if (ref?.contrib) kind = "contrib";
  else if (ref?.deb_package && ref.deb_repo === "PGDG") kind = "package";
  else throw new UsageError(`say where '${name}' comes from: --package PKG (a Debian/PGDG package, {major} for the PG major) or --git URL --ref SHA --build SYSTEM`);
  const fields: Field[] = [["name", name]];
  if (sqlName !== name) fields.push(["sql_names", [sqlName], cite]);
  fields.push(
    pick("description", opt("description"), ref?.description),
    pick("license", opt("license"), ref?.license),
    pick("homepage", opt("homepage"), ref?.homepage ?? (git?.startsWith("https://") ? git : undefined)),
    ["kind", kind],
    pick("version", opt("version"), ref?.version),
  );
  if (kind === "package") fields.push(opt("package") ? ["package", opt("package")] : ["package", ref!.deb_package, cite]);
  if (kind === "source") fields.push(["source", sourceOf(git!, opt("ref"), opt("build"))]);
  if (ref?.majors?.length) {
    fields.push(["min_pg_version", ref.majors[0], cite]);
    fields.push(["max_pg_version", ref.majors[ref.majors.length - 1], cite]);
  }
  if (ref?.preload) fields.push(["shared_preload_libraries", [sqlName], cite]);
  if (ref?.requires?.length) fields.push(["requires", ref.requires, cite]);
  return fields;
}

/** YAML text of the entry, a comment on each field pgbake filled in itself. */
export function entryText(fields: Field[]): string {
  const lines = ["# yaml-language-server: $schema=../node_modules/pgbake/schemas/extension.schema.json", "# Scaffolded by `pgbake add`: check every value, then `pgbake generate`."];
  for (const [key, value, from] of fields) {
    if (from) lines.push(`# ${key}: from ${from}`);
    lines.push(stringify({ [key]: value }, { lineWidth: 0 }).trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

export const addCommand = {
  usage: "pgbake add NAME (--package PKG | --git URL --ref SHA --build pgxs|configure|cmake|meson|pgrx|go) [--version V] [--license SPDX] [--description TEXT] [--homepage URL] [--dir DIR] [--force]",
  summary: "scaffold a catalog entry in the project's own catalog, pre-filled from the reference data pgbake ships (a built-in name: an `override: true` entry with only the fields given)",
  options: {
    package: { type: "string" },
    git: { type: "string" },
    ref: { type: "string" },
    build: { type: "string" },
    version: { type: "string" },
    license: { type: "string" },
    description: { type: "string" },
    homepage: { type: "string" },
    dir: { type: "string" },
    force: { type: "boolean" },
  } satisfies NonNullable<ParseArgsConfig["options"]>,
  run(v: Record<string, unknown>, pos: string[], print: (s: string) => void): number {
    if (pos.length !== 1) throw new UsageError("add takes one extension name");
    const name = pos[0]!;
    const configPath = v.dir && v.config === undefined ? undefined : projectConfigPath(v.config as string | undefined);
    const dir = v.dir ? resolve(v.dir as string) : localCatalog(configPath!);
    const data = referenceData();
    const builtin = builtinEntry(name, data);
    const entryName = builtin ? String((builtin.data as { name: unknown }).name) : name;
    const file = join(dir, `${entryName}.yaml`);
    if (builtin && !entryFlags.some((f) => v[f] !== undefined)) throw new PgbakeError(alreadyBuiltin(name, builtin));
    if (builtin && configPath && !catalogsOf(configPath)?.includes(builtinCatalog))
      throw new PgbakeError(
        `'${entryName}' is a built-in entry and ${configPath} does not list \`${builtinCatalog}\` in \`catalogs:\`: an override changes nothing there (add \`${builtinCatalog}\` before your own catalog)`,
      );
    if (existsSync(file) && !v.force) throw new UsageError(`${file} exists: nothing written (--force replaces it)`);
    const text = entryText(builtin ? overrideFields(entryName, v) : scaffold(name, v, data));
    // The schema decides, as for any hand-written entry (file:line:column on a bad value).
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    const src: SourceDoc = { file, doc, lines, text, data: doc.toJS() };
    const errors = checkSchema(src, "extension");
    if (errors.length > 0) throw new InputErrors(errors);
    if (builtin) checkOverride(builtin, src, dir);
    writeFileWhole(file, text);
    if (builtin)
      print(
        `${file}: an override of the built-in ${entryName} (${Object.keys(src.data as object)
          .filter((k) => k !== "name" && k !== "override")
          .join(", ")}); add it to a flavor in pgbake.yaml if none names it yet, then pgbake generate`,
      );
    else print(`${file}: ${name} (${String((src.data as { kind: string }).kind)}); add it to a flavor in pgbake.yaml, then pgbake generate`);
    return 0;
  },
};
