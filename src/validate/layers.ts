// Catalog layering: the entries of several catalogs (load/catalogs.ts) become one catalog.
// - An entry whose name an earlier catalog has replaces that entry whole.
// - An entry with `override: true` changes the earlier entry field by field: it holds `name` and
//   the top-level fields it sets (a list or mapping is replaced, not merged). The result is
//   checked against the schema again, reported at the override's file.
// - Two entries of one name in the same catalog stay a duplicate (cross.ts reports it).
// Which entries are built (selection): in a project that names its catalogs, every entry its own
// directories define or change, the `extension_images` of the config, and what its flavors and
// types use (with what those require); entries of library catalogs (builtin, packages) that
// nothing asks for stay known but make no image. Without `catalogs:` every entry is built.
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { LoadedInputs, SourceDoc } from "../load/index.js";
import { displayPath, InputError } from "../model/errors.js";
import type { CatalogLayer, ExtensionOrigin, ExtensionSpec, ProjectConfig } from "../model/types.js";
import { isGitUrl } from "../model/naming.js";
import { formatPath, positionOf } from "./position.js";
import { checkSchema } from "./schema.js";
import { didYouMean } from "./suggest.js";
import { withRequirements } from "../model/compat.js";

type Obj = Record<string, unknown>;

export interface LayeredEntry {
  data: Obj;
  /** The file of the entry as defined (positions of its fields, unless an override set them). */
  src: SourceDoc;
  layer: CatalogLayer;
  origin: ExtensionOrigin;
  /** Set when an override changed it: the merged data is checked again at this file. */
  overriddenBy?: SourceDoc;
  /** An override from one of the project's own directories (not a library) changed it. */
  changedByProject?: boolean;
}

const unknownLayer: CatalogLayer = { name: "", dir: "", library: false, fromConfig: false };

/**
 * A local `source.git` path is relative to the file that names it; moved into an entry defined
 * elsewhere, it is rewritten relative to that entry's file.
 */
function rebase(field: string, value: unknown, from: string, to: string): unknown {
  if (field !== "source" || !value || typeof value !== "object") return value;
  const git = (value as Obj).git;
  if (typeof git !== "string" || isGitUrl(git) || isAbsolute(git)) return value;
  const moved = relative(dirname(to), resolve(dirname(from), git)) || ".";
  return { ...(value as Obj), git: moved.startsWith(".") ? moved : `./${moved}` };
}

/** `valid`: the extension documents that passed the schema, in layer order. */
export function mergeLayers(inputs: LoadedInputs, valid: SourceDoc[]): { entries: LayeredEntry[]; errors: InputError[] } {
  const errors: InputError[] = [];
  const entries: LayeredEntry[] = [];
  const byName = new Map<string, LayeredEntry>();
  for (const src of valid) {
    const data = src.data as Obj;
    const name = String(data.name);
    const layer = inputs.layerOf?.get(src.file) ?? unknownLayer;
    const prev = byName.get(name);
    if (data.override === true) {
      const at = positionOf(src, ["override"]);
      if (!prev || prev.layer === layer) {
        const why = prev ? "an override changes an entry of an earlier catalog, not one of its own" : `no earlier catalog has an entry '${name}'${didYouMean(name, [...byName.keys()])}`;
        errors.push(new InputError(src.file, at.line, at.column, "override", why));
        continue;
      }
      for (const [field, value] of Object.entries(data)) {
        if (field === "name" || field === "override") continue;
        prev.data = { ...prev.data, [field]: rebase(field, value, src.file, prev.src.file) };
        prev.origin.fields[field] = { file: src.file, layer: layer.name };
      }
      prev.overriddenBy = src;
      if (!layer.library) prev.changedByProject = true;
      continue;
    }
    const entry: LayeredEntry = { data, src, layer, origin: { layer: layer.name, replaced: [], fields: {} } };
    if (prev && prev.layer !== layer) {
      entry.origin.replaced = [...prev.origin.replaced, { file: prev.src.file, layer: prev.layer.name }];
      entries[entries.indexOf(prev)] = entry;
    } else entries.push(entry);
    byName.set(name, entry);
  }
  // An override can leave an entry the schema refuses (kind: package without a package, ...).
  for (const e of entries) {
    if (!e.overriddenBy) continue;
    const merged = { ...e.data };
    delete merged.override;
    e.data = merged;
    for (const err of checkSchema({ ...e.overriddenBy, data: merged }, "extension"))
      errors.push(new InputError(err.file, err.line, err.column, err.path, `${err.message} (after applying this override to ${displayPath(e.src.file)})`));
  }
  // Name order (code points, as one directory's files are listed) whatever catalog an entry came from.
  const key = (e: LayeredEntry): string => String(e.data.name);
  if ((inputs.layers?.length ?? 1) > 1) entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { entries, errors };
}

/** The names a project builds (see the header); `undefined` selects everything. */
export function projectExtensions(
  config: ProjectConfig,
  configSrc: SourceDoc,
  specs: ExtensionSpec[],
  entries: LayeredEntry[],
  layered: boolean,
): { selected: Set<string> | undefined; errors: InputError[] } {
  const errors: InputError[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  config.extension_images.forEach((name, i) => {
    if (byName.has(name)) return;
    const pos = positionOf(configSrc, ["extension_images", i]);
    errors.push(new InputError(configSrc.file, pos.line, pos.column, formatPath(["extension_images", i]), `unknown extension '${name}'${didYouMean(name, [...byName.keys()])}`));
  });
  if (!layered) return { selected: undefined, errors };
  const own = entries.filter((e) => !e.layer.library || e.changedByProject);
  const wanted = [...own.map((e) => String(e.data.name)), ...config.extension_images, ...config.flavors.flatMap((f) => f.extensions), ...config.types.flatMap((t) => t.extensions)];
  return { selected: new Set(withRequirements(wanted, byName).map((e) => e.name)), errors };
}
