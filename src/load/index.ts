// Stage 1: read the config and catalog files into YAML documents that keep source positions,
// so that every later error can name file, line and column.
import { readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LineCounter, parseDocument, type YAMLError } from "yaml";
import { InputError, InputErrors } from "../model/errors.js";
import type { CatalogLayer } from "../model/types.js";
import { positionOf, type SourceDoc } from "./position.js";
import { catalogLayers } from "./catalogs.js";
import { checkStructure } from "./structure.js";
import { readInputText } from "./text.js";

export type { SourceDoc } from "./position.js";

export interface LoadedInputs {
  config: SourceDoc;
  /** Every extension file of every catalog layer, in layer order (then name order). */
  extensions: SourceDoc[];
  /** The catalog layers, in order, and which layer each file belongs to (see load/catalogs.ts). */
  layers?: CatalogLayer[];
  layerOf?: Map<string, CatalogLayer>;
  /** True when the config names its catalogs (`catalogs:`): layering and selection apply. */
  layered?: boolean;
}

/** yaml's message, minus advice meant for programmers using the library. */
function yamlMessage(code: string, message: string): string {
  if (code === "MULTIPLE_DOCS") return "a file holds one YAML document, this one has several ('---')";
  return message.split("\n")[0]!;
}

/**
 * A line indented deeper than the key before it reads, to yaml, as a second line of that key's
 * value, and yaml reports two errors at the key above. One error, on the line that is off.
 */
function yamlErrors(file: string, text: string, lines: LineCounter, errors: YAMLError[]): InputError[] {
  const multiline = errors.find((e) => e.code === "MULTILINE_IMPLICIT_KEY");
  const out: InputError[] = [];
  for (const e of errors) {
    if (e.code === "BLOCK_AS_IMPLICIT_KEY" && multiline && multiline.pos[0] === e.pos[0]) continue;
    if (e === multiline) {
      const above = lines.linePos(e.pos[0]).line;
      const { line } = lines.linePos(e.pos[1]);
      const lineText = text.split("\n", line)[line - 1] ?? "";
      const column = lineText.length - lineText.trimStart().length + 1;
      if (line > above) {
        out.push(
          new InputError(
            file,
            line,
            column,
            "",
            `invalid YAML: indented deeper than the key on line ${above}, so it reads as part of that key's value; indent it as the key above, or nest it under a key of its own`,
          ),
        );
        continue;
      }
    }
    const pos = lines.linePos(e.pos[0]);
    out.push(new InputError(file, pos.line, pos.col, "", `invalid YAML: ${yamlMessage(e.code, e.message)}`));
  }
  return out;
}

export function parseYamlFile(file: string, text: string): SourceDoc {
  const lines = new LineCounter();
  // Duplicate keys: checkStructure, in linear time (yaml's uniqueKeys is quadratic).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) throw new InputErrors(yamlErrors(file, text, lines, doc.errors));
  const structural = checkStructure(file, doc, lines);
  if (structural.length > 0) throw new InputErrors(structural);
  try {
    return { file, doc, lines, text, data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    // yaml refuses documents whose aliases expand without bound (a "billion laughs" file).
    if (err instanceof ReferenceError) throw new InputErrors([new InputError(file, 1, 1, "", "invalid YAML: aliases expand too far (more than 100 uses)")]);
    throw err;
  }
}

const readText = readInputText;

/** Extension files in name order, so the result never depends on the order on disk. */
export function listExtensionFiles(dir: string, allowEmpty = false): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    names = readdirSync(dir);
  } catch {
    throw new InputErrors([new InputError(dir, 0, 0, "", "extensions directory not found")]);
  }
  // Editors' lock, swap and backup files (`.#x.yaml`, `.x.yaml.swp`, `x.yaml~`, `#x.yaml#`) are not the catalog's.
  const files = names
    .filter((n) => /\.ya?ml$/.test(n) && !/^[.#]/.test(n))
    .sort()
    .map((n) => join(dir, n));
  if (files.length === 0 && !allowEmpty) {
    throw new InputErrors([new InputError(dir, 0, 0, "", "extensions directory holds no .yaml files")]);
  }
  return files;
}

/**
 * `extensions`: the command line's catalog directories (none: the config's `catalogs:`, or the
 * built-in catalog). A config that names its catalogs gets them layered (load/catalogs.ts).
 */
export function loadInputs(configPath: string, extensions: string | string[] = []): LoadedInputs {
  const errors: InputError[] = [];
  const collect = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof InputErrors) errors.push(...err.errors);
      else throw err;
      return undefined;
    }
  };
  const configFile = resolve(configPath);
  const config = collect(() => parseYamlFile(configFile, readText(configFile)));
  const named = (config?.data as { catalogs?: unknown } | null | undefined)?.catalogs;
  // A wrong type is the schema's to report; layering starts once it is a list of strings.
  const specs = Array.isArray(named) && named.every((c) => typeof c === "string") ? (named as string[]) : undefined;
  const { layers, problems } = catalogLayers(specs, dirname(configFile), typeof extensions === "string" ? [extensions] : extensions);
  for (const p of problems) {
    const pos = config ? positionOf(config, ["catalogs", p.index]) : { line: 0, column: 0 };
    errors.push(new InputError(configFile, pos.line, pos.column, `catalogs[${p.index}]`, p.message));
  }
  const layerOf = new Map<string, CatalogLayer>();
  const docs: SourceDoc[] = [];
  for (const layer of layers) {
    const files = collect(() => listExtensionFiles(layer.dir, specs !== undefined)) ?? [];
    for (const f of files) {
      layerOf.set(f, layer);
      const doc = collect(() => parseYamlFile(f, readText(f)));
      if (doc) docs.push(doc);
    }
  }
  if (errors.length > 0 || !config) throw new InputErrors(errors);
  return { config, extensions: docs, layers, layerOf, layered: specs !== undefined };
}
