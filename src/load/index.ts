// Stage 1: read the config and catalog files into YAML documents that keep source positions,
// so that every later error can name file, line and column.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import { InputError, InputErrors } from "../model/errors.js";

export interface SourceDoc {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain JS data. */
  data: unknown;
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

export function parseYamlFile(file: string, text: string): SourceDoc {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems = [...doc.errors];
  if (problems.length > 0) {
    throw new InputErrors(
      problems.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return new InputError(file, pos.line, pos.col, "", `invalid YAML: ${yamlMessage(e.code, e.message)}`);
      }),
    );
  }
  try {
    return { file, doc, lines, data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    // yaml refuses documents whose aliases expand without bound (a "billion laughs" file).
    if (err instanceof ReferenceError)
      throw new InputErrors([new InputError(file, 1, 1, "", "invalid YAML: aliases expand too far (more than 100 uses)")]);
    throw err;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new InputErrors([new InputError(file, 0, 0, "", `cannot read file (${code})`)]);
  }
}

/** Extension files in name order, so the result never depends on the order on disk. */
export function listExtensionFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    names = readdirSync(dir);
  } catch {
    throw new InputErrors([new InputError(dir, 0, 0, "", "extensions directory not found")]);
  }
  const files = names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(dir, n));
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
