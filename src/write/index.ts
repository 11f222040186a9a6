// Stage 5: write the rendered files into the output directory. Deterministic and careful:
// unchanged files are left alone, changed ones replaced as one set (see journal.ts: a crash leaves
// the old set or the new one), files pgbake made earlier and no longer makes are removed, and files
// it never made are never touched.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RenderedFile } from "../model/files.js";
import { isOutputPath, recoverInterrupted, replaceSet, type WriteHooks } from "./journal.js";

export { recoverInterrupted, type WriteHooks } from "./journal.js";

export const MANIFEST = ".pgbake-manifest.json";

export interface Drift {
  changed: string[];
  missing: string[];
  stale: string[];
}

function readManifest(outDir: string): string[] {
  const file = join(outDir, MANIFEST);
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { files?: unknown };
    return Array.isArray(data.files) ? data.files.filter(isOutputPath) : [];
  } catch {
    return [];
  }
}

function manifestFile(files: RenderedFile[]): RenderedFile {
  const body = { generator: "pgbake", files: files.map((f) => f.path).sort() };
  return { path: MANIFEST, content: `${JSON.stringify(body, null, 2)}\n` };
}

function currentContent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** What `generate` would change; empty lists mean the committed output matches. */
export function checkOutputs(outDir: string, files: RenderedFile[]): Drift {
  const all = [...files, manifestFile(files)];
  const drift: Drift = { changed: [], missing: [], stale: [] };
  for (const f of all) {
    const now = currentContent(join(outDir, f.path));
    if (now === undefined) drift.missing.push(f.path);
    else if (now !== f.content) drift.changed.push(f.path);
  }
  const made = new Set(all.map((f) => f.path));
  drift.stale = readManifest(outDir).filter((p) => !made.has(p) && existsSync(join(outDir, p)));
  return drift;
}

export function writeOutputs(outDir: string, files: RenderedFile[], hooks: WriteHooks = {}): { written: string[]; removed: string[] } {
  mkdirSync(outDir, { recursive: true });
  recoverInterrupted(outDir);
  const all = [...files, manifestFile(files)];
  const previous = readManifest(outDir);
  const changed = all.filter((f) => currentContent(join(outDir, f.path)) !== f.content);
  const made = new Set(all.map((f) => f.path));
  const removed = previous.filter((p) => !made.has(p) && existsSync(join(outDir, p)));
  replaceSet(outDir, changed.map((f) => ({ path: f.path, content: f.content, mode: f.mode ?? 0o644 })), removed, hooks);
  return { written: changed.map((f) => f.path), removed };
}
