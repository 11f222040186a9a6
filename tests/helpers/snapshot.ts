// Every file under a directory with its bytes, mode and mtime: equal snapshots mean nothing was
// written, replaced, removed or even touched.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface FileState {
  content: string;
  mode: number;
  mtimeMs: number;
}

export function snapshotTree(dir: string, withTimes = true): Record<string, FileState | string> {
  const out: Record<string, FileState | string> = {};
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out[`${p}/`] = "dir";
        walk(p);
      } else {
        const st = statSync(join(dir, p));
        const content = readFileSync(join(dir, p)).toString("base64");
        out[p] = withTimes ? { content, mode: st.mode, mtimeMs: st.mtimeMs } : content;
      }
    }
  };
  walk("");
  return out;
}
