// `pgbake add NAME --package PKG | --git URL --ref REF --build SYSTEM`: scaffolds a catalog entry
// in the project's own catalog directory. Facts pgbake knows about NAME come from the reference
// data shipped in the package (data/reference-extensions.json, derived by
// scripts/reference-data.mjs from Pigsty's Apache-2.0 extension catalog); each pre-filled field
// says so in a comment. The entry is checked against the schema before it is written.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { LineCounter, parse, parseDocument, stringify } from "yaml";
import { readInputText } from "../load/text.js";
import { packageRoot } from "../model/paths.js";
import { InputErrors } from "../model/errors.js";
import type { SourceBuild } from "../model/types.js";
import { checkSchema } from "../validate/schema.js";
import { UsageError } from "./usage.js";

const SOURCE_BUILDS: SourceBuild[] = ["pgxs", "configure", "cmake", "meson", "pgrx", "go"];

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

/** The project's own catalog: the first directory in the config's `catalogs:`, else ./extensions. */
function localCatalog(configPath: string): string {
  // Read as every input is (a regular file, bounded): a FIFO here would wait forever.
  const catalogs = existsSync(configPath) ? (parse(readInputText(configPath)) as { catalogs?: unknown } | null)?.catalogs : undefined;
  const dir = Array.isArray(catalogs) ? catalogs.find((c): c is string => typeof c === "string" && /^(\.{1,2}\/|\/)/.test(c)) : undefined;
  return resolve(dirname(configPath), dir ?? "./extensions");
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
  if (kind === "source") {
    const build = opt("build");
    if (!opt("ref") || !build) throw new UsageError("--git needs --ref (a full 40-hex commit for releases) and --build");
    if (!SOURCE_BUILDS.includes(build as never)) throw new UsageError(`--build takes ${SOURCE_BUILDS.join(", ")}, not '${build}'`);
    fields.push(["source", { git, ref: opt("ref"), build }]);
  }
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
  summary: "scaffold a catalog entry in the project's own catalog, pre-filled from the reference data pgbake ships",
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
    const dir = v.dir ? resolve(v.dir as string) : localCatalog(resolve((v.config as string | undefined) ?? "pgbake.yaml"));
    const file = join(dir, `${name}.yaml`);
    if (existsSync(file) && !v.force) throw new UsageError(`${file} exists: nothing written (--force replaces it)`);
    const text = entryText(scaffold(name, v, referenceData()));
    // The schema decides, as for any hand-written entry (file:line:column on a bad value).
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    const errors = checkSchema({ file, doc, lines, text, data: doc.toJS() }, "extension");
    if (errors.length > 0) throw new InputErrors(errors);
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.pgbake-add.tmp`, text);
    renameSync(`${file}.pgbake-add.tmp`, file);
    print(`${file}: ${name} (${String((doc.toJS() as { kind: string }).kind)}); add it to a flavor in pgbake.yaml, then pgbake generate`);
    return 0;
  },
};
