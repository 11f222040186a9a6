// `pgbake explain NAME` for a catalog entry: which catalog and file defined it, which earlier
// entries it replaces, and which file set each field an `override: true` entry changed.
import type { Catalog, ExtensionSpec } from "../model/types.js";
import { displayPath } from "../model/errors.js";

function originLines(spec: ExtensionSpec): string[] {
  const o = spec.origin;
  if (!o) return [`  from ${displayPath(spec.file)}`];
  const lines = [`  from ${displayPath(spec.file)} (catalog ${o.layer})`];
  for (const r of o.replaced) lines.push(`  replaces ${displayPath(r.file)} (catalog ${r.layer}) whole`);
  const byFile = new Map<string, string[]>();
  for (const [field, from] of Object.entries(o.fields)) {
    const key = `${displayPath(from.file)} (catalog ${from.layer})`;
    byFile.set(key, [...(byFile.get(key) ?? []), field]);
  }
  for (const [file, fields] of byFile) lines.push(`  ${fields.sort().join(", ")}: overridden by ${file}`);
  return lines;
}

/** Lines on where the entry `name` came from; undefined when the catalog has no such entry. */
export function explainOrigin(catalog: Catalog, name: string): { lines: string[]; built: boolean } | undefined {
  const built = catalog.extensions.find((e) => e.name === name);
  if (built) return { lines: originLines(built), built: true };
  const known = catalog.unselected?.find((e) => e.name === name);
  if (!known) return undefined;
  return {
    lines: [...originLines(known), "  not built: no flavor, type or `extension_images` of the config asks for it"],
    built: false,
  };
}
