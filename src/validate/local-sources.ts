// A local source directory (a `source.git` that is no URL) is read by bake only with
// `--allow=fs.read=DIR`, which `pgbake bake` passes (src/bake/entitlements.ts). A catalog entry
// must not make it grant `/` or `/root`: the directory has to be inside the project or the
// catalog the entry comes from, links resolved. The project is the git work tree or npm package
// that holds the config file (the nearest directory up from it with a `.git` or a
// `package.json`), else the config file's directory; a catalog's, likewise from its directory
// (a library's: its npm package).
import { dirname, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import type { SourceDoc } from "../load/index.js";
import { InputError } from "../model/errors.js";
import { isInside, realPath } from "../model/paths.js";
import type { CatalogLayer, ExtensionSpec } from "../model/types.js";
import { fieldSource, positionOf } from "./position.js";

/** The nearest directory from `start` up that holds one of `marks`, else `start`. */
function enclosing(start: string, marks: string[]): string {
  for (let dir = start; dirname(dir) !== dir; dir = dirname(dir)) if (marks.some((m) => existsSync(join(dir, m)))) return dir;
  return start;
}

/** Where a catalog's own files end: a library's package; a directory's work tree or package. */
const catalogRoot = (layer: CatalogLayer): string => enclosing(layer.dir, layer.library ? ["package.json"] : [".git", "package.json"]);

export function checkLocalSources(specs: ExtensionSpec[], docs: Map<string, SourceDoc>, configFile: string, layerOf?: Map<string, CatalogLayer>): InputError[] {
  const errors: InputError[] = [];
  const project = realPath(enclosing(dirname(configFile), [".git", "package.json"]));
  for (const spec of specs) {
    const git = spec.source?.git;
    if (git === undefined || git.startsWith("https://")) continue;
    const src = fieldSource(spec, "source", docs);
    const dir = realPath(resolve(dirname(src.file), git));
    const layer = layerOf?.get(src.file);
    const catalog = layer ? realPath(catalogRoot(layer)) : undefined;
    if (isInside(dir, project) || (catalog && isInside(dir, catalog))) continue;
    const pos = positionOf(src, ["source", "git"]);
    errors.push(
      new InputError(
        src.file,
        pos.line,
        pos.column,
        "source.git",
        `the local directory ${dir} is outside the project${catalog && catalog !== project ? " and this entry's catalog" : ""}; bake may read local sources only inside them ` +
          "(each: the git work tree or npm package holding the config file or catalog directory, else that directory)",
      ),
    );
  }
  return errors;
}
