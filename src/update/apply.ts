// Applies pin edits as one transaction with `pgbake generate`: every edited file is planned and
// rendered in memory first (a bad result is refused before anything is written), then the edited
// input files and the regenerated outputs are committed together by the writer, under the output
// directory's lock and journal (src/write): a failure or a crash leaves both old or both new.
import { readFileSync } from "node:fs";
import { loadInputs, parseYamlFile, type LoadedInputs } from "../load/index.js";
import { inputFiles, inputsOf, planLoaded, renderFrom, type InputPaths, type Planned } from "../pipeline/index.js";
import { writeOutputs, type InputEdit } from "../write/index.js";
import type { FileEdits } from "./pins.js";
import { applyEdits } from "./yaml-edit.js";

export interface Applied {
  /** The edited input files: new text and the text they were read with. */
  edits: InputEdit[];
  planned: Planned;
}

/** The edited texts and the plan they make; nothing is written. */
export function editedInputs(paths: InputPaths, edits: FileEdits[]): Applied {
  const { configPath, extensionsDirs } = inputFiles(paths);
  const loaded = loadInputs(configPath, extensionsDirs);
  const texts = new Map<string, InputEdit>();
  for (const { file, edits: list } of edits) {
    const before = readFileSync(file, "utf8");
    texts.set(file, { path: file, before, content: applyEdits(before, list) });
  }
  const reparse = (doc: LoadedInputs["config"]): LoadedInputs["config"] => (texts.has(doc.file) ? parseYamlFile(doc.file, texts.get(doc.file)!.content) : doc);
  const edited: LoadedInputs = { config: reparse(loaded.config), extensions: loaded.extensions.map(reparse) };
  return { edits: [...texts.values()], planned: planLoaded(edited, paths) };
}

/** Commits the edited input files and the regenerated outputs as one set. */
export function writeApplied(applied: Applied, onWait?: (message: string) => void): { yaml: string[]; outputs: { written: string[]; removed: string[] } } {
  const p = applied.planned;
  const outputs = writeOutputs(p.outDir, renderFrom(p).files, { inputs: inputsOf(p), inputEdits: applied.edits, onWait });
  return { yaml: applied.edits.map((e) => e.path), outputs };
}
