// One file of the user's (a config, a catalog entry, a record) written whole: beside itself first,
// then renamed into place, so a reader, or a crash, sees the old file or the new one, never part
// of one. The generated output has its own journal (index.ts); this is for single files.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function writeFileWhole(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.pgbake-${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
