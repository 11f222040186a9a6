// Temporary working copies of configs and catalogs, so tests never write into the repository.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");
export const defaultConfig = join(repoRoot, "pgbake.yaml");
export const defaultExtensions = join(repoRoot, "extensions");

export function tempDir(prefix = "pgbake-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A copy of the default config and catalog in a temp dir (output goes there too). */
export function copyDefaults(): { dir: string; config: string; extensions: string; cleanup: () => void } {
  const t = tempDir();
  cpSync(defaultConfig, join(t.dir, "pgbake.yaml"));
  cpSync(defaultExtensions, join(t.dir, "extensions"), { recursive: true });
  return { ...t, config: join(t.dir, "pgbake.yaml"), extensions: join(t.dir, "extensions") };
}
