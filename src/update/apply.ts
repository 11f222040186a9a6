// Applies pin edits: every edited file is planned and rendered in memory first (a bad result is
// refused before anything is written), then the YAML files are replaced (write + rename), then
// the outputs are regenerated through the same writer as `pgbake generate`.
import { readFileSync, renameSync, writeFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { loadInputs, parseYamlFile, type LoadedInputs } from "../load/index.js";
import { inputFiles, planLoaded, renderFrom, type InputPaths, type Planned } from "../pipeline/index.js";
import { writeOutputs } from "../write/index.js";
import type { FileEdits } from "./pins.js";
import { applyEdits } from "./yaml-edit.js";

export interface Applied {
  /** file -> new text, for the files an edit changed. */
  texts: Map<string, string>;
  planned: Planned;
}

/** The edited texts and the plan they make; nothing is written. */
export function editedInputs(paths: InputPaths, edits: FileEdits[]): Applied {
  const { configPath, extensionsDir } = inputFiles(paths);
  const loaded = loadInputs(configPath, extensionsDir);
  const texts = new Map<string, string>();
  for (const { file, edits: list } of edits) texts.set(file, applyEdits(readFileSync(file, "utf8"), list));
  const reparse = (doc: LoadedInputs["config"]): LoadedInputs["config"] => (texts.has(doc.file) ? parseYamlFile(doc.file, texts.get(doc.file)!) : doc);
  const edited: LoadedInputs = { config: reparse(loaded.config), extensions: loaded.extensions.map(reparse) };
  return { texts, planned: planLoaded(edited, paths) };
}

/** Writes the edited YAML files, then regenerates the outputs. */
export function writeApplied(applied: Applied): { yaml: string[]; outputs: { written: string[]; removed: string[] } } {
  const renamed: [string, string][] = [];
  for (const [file, text] of applied.texts) {
    const tmp = `${file}.pgbake-update.tmp`;
    writeFileSync(tmp, text, { mode: statSync(file).mode & 0o777 });
    renamed.push([tmp, file]);
  }
  for (const [tmp, file] of renamed) renameSync(tmp, file);
  const p = applied.planned;
  const inputs = [p.config.file, ...p.catalog.extensions.flatMap((e) => [e.file, dirname(e.file)])];
  const outputs = writeOutputs(p.outDir, renderFrom(p).files, { inputs });
  return { yaml: [...applied.texts.keys()], outputs };
}
