// Stage 1: read the config and catalog files into YAML documents that keep source positions,
// so that every later error can name file, line and column.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { LineCounter, parseDocument, type Document, type YAMLError } from "yaml";
import { InputError, InputErrors } from "../model/errors.js";
import { checkStructure } from "./structure.js";
import { readInputText } from "./text.js";

export interface SourceDoc {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain JS data. */
  data: unknown;
  /** The file's text (UTF-8, NFC), for messages that quote what was written. */
  text: string;
}

export interface LoadedInputs {
  config: SourceDoc;
  extensions: SourceDoc[];
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
        out.push(new InputError(file, line, column, "", `invalid YAML: indented deeper than the key on line ${above}, so it reads as part of that key's value; indent it as the key above, or nest it under a key of its own`));
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
    if (err instanceof ReferenceError)
      throw new InputErrors([new InputError(file, 1, 1, "", "invalid YAML: aliases expand too far (more than 100 uses)")]);
    throw err;
  }
}

const readText = readInputText;

/** Extension files in name order, so the result never depends on the order on disk. */
export function listExtensionFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    names = readdirSync(dir);
  } catch {
    throw new InputErrors([new InputError(dir, 0, 0, "", "extensions directory not found")]);
  }
  // Editors' lock, swap and backup files (`.#x.yaml`, `.x.yaml.swp`, `x.yaml~`, `#x.yaml#`) are not the catalog's.
  const files = names.filter((n) => /\.ya?ml$/.test(n) && !/^[.#]/.test(n)).sort().map((n) => join(dir, n));
  if (files.length === 0) {
    throw new InputErrors([new InputError(dir, 0, 0, "", "extensions directory holds no .yaml files")]);
  }
  return files;
}

export function loadInputs(configPath: string, extensionsDir: string): LoadedInputs {
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
  const files = collect(() => listExtensionFiles(resolve(extensionsDir))) ?? [];
  const extensions = files
    .map((f) => collect(() => parseYamlFile(f, readText(f))))
    .filter((d): d is SourceDoc => d !== undefined);
  if (errors.length > 0 || !config) throw new InputErrors(errors);
  return { config, extensions };
}
