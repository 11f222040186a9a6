// Where the package's own files (schemas, templates, default catalog) live, whether running
// from src/ under vitest or from dist/ after tsc.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
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

/** The path with its links resolved, as far as it exists (the missing rest kept as written). */
export function realPath(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    return dirname(abs) === abs ? abs : join(realPath(dirname(abs)), basename(abs));
  }
}

/** `path` is `root` or inside it (both as given: resolve links first with realPath). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
