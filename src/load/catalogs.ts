// Where a project's extension catalogs are: the config's `catalogs:` list, in order (later ones
// override earlier ones), followed by each `--extensions DIR` of the command line.
//   builtin              the catalog inside the installed pgbake package
//   ./dir, ../dir, /dir  a directory, relative to the config file
//   some-package/sub     the directory `sub` of an npm package installed for the project (resolved
//                        from the config file's directory as Node resolves imports)
// Without `catalogs:` the command line's directories alone are the catalog (the built-in one
// when there are none), as before layering existed.
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { existsSync, statSync } from "node:fs";
import { defaultExtensionsDir } from "../model/paths.js";
import type { CatalogLayer } from "../model/types.js";

export const builtinCatalog = "builtin";

/** Resolves one `catalogs:` entry; undefined with a reason when it names nothing usable. */
export function resolveCatalog(spec: string, configDir: string): { dir: string; library: boolean } | { problem: string } {
  if (spec === builtinCatalog) return { dir: defaultExtensionsDir(), library: true };
  if (spec.startsWith("./") || spec.startsWith("../") || isAbsolute(spec) || spec === ".")
    return isDir(resolve(configDir, spec)) ? { dir: resolve(configDir, spec), library: false } : { problem: `directory ${resolve(configDir, spec)} not found` };
  // An npm package: `name/sub/dir` or `@scope/name/sub/dir`.
  const parts = spec.split("/");
  const nameLength = spec.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const sub = parts.slice(nameLength).join("/");
  let root: string;
  try {
    root = dirname(createRequire(join(configDir, "pgbake.yaml")).resolve(`${name}/package.json`));
  } catch {
    return { problem: `package '${name}' is not installed where ${configDir} can import it (npm install ${name})` };
  }
  const dir = join(root, sub);
  return isDir(dir) ? { dir, library: true } : { problem: `package '${name}' has no directory '${sub || "."}'` };
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** The layers for a config whose `catalogs` value is `specs` (undefined: not given) and the command line's directories. */
export function catalogLayers(specs: string[] | undefined, configDir: string, cliDirs: string[]): { layers: CatalogLayer[]; problems: { index: number; message: string }[] } {
  const layers: CatalogLayer[] = [];
  const problems: { index: number; message: string }[] = [];
  const add = (layer: CatalogLayer): void => {
    // The same directory named twice (config and command line) is one layer.
    if (!layers.some((l) => l.dir === layer.dir)) layers.push(layer);
  };
  if (specs === undefined) {
    if (cliDirs.length === 0) add({ name: builtinCatalog, dir: defaultExtensionsDir(), library: false, fromConfig: false });
    for (const d of cliDirs) add({ name: d, dir: resolve(d), library: false, fromConfig: false });
    return { layers, problems };
  }
  specs.forEach((spec, index) => {
    const found = resolveCatalog(spec, configDir);
    if ("problem" in found) problems.push({ index, message: `catalog '${spec}': ${found.problem}` });
    else add({ name: spec, dir: found.dir, library: found.library, fromConfig: true });
  });
  for (const d of cliDirs) add({ name: d, dir: resolve(d), library: false, fromConfig: false });
  return { layers, problems };
}
