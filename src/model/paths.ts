// Where the package's own files (schemas, templates, default catalog) live, whether running
// from src/ under vitest or from dist/ after tsc.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "pgbake") return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("pgbake: cannot find the package root");
    dir = up;
  }
}

export const defaultConfigPath = (): string => join(packageRoot(), "pgbake.yaml");
export const defaultExtensionsDir = (): string => join(packageRoot(), "extensions");

/** The version in the package's own package.json. */
export const packageVersion = (): string => String(JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")).version);
