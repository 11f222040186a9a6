// Where a field of the input was written: its line and column (load/position.ts), and which
// catalog layer wrote a field of an extension.
import { isMap, isSeq, isScalar } from "yaml";
import type { SourceDoc } from "../load/index.js";
import type { PathSegment } from "../load/position.js";
import type { ExtensionSpec } from "../model/types.js";

export { positionOf, type PathSegment } from "../load/position.js";

/**
 * The document that wrote `field` of an extension: the `override: true` entry of the later
 * catalog that set it (validate/layers.ts), else the entry's own file. A message about a field
 * points where the user wrote it, not at the entry it changed. `docs` holds every catalog file.
 */
export function fieldSource(spec: ExtensionSpec, field: PathSegment | undefined, docs: Map<string, SourceDoc>): SourceDoc {
  const setBy = field === undefined ? undefined : spec.origin?.fields[String(field)]?.file;
  return (setBy && docs.get(setBy)) || docs.get(spec.file)!;
}

/** The text a scalar at `path` was written as (`1.10`, not the number 1.1), if the path reaches one. */
export function sourceTextAt(src: SourceDoc, path: PathSegment[]): string | undefined {
  let node: unknown = src.doc.contents;
  for (const seg of path) {
    if (isMap(node)) node = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg))?.value;
    else if (isSeq(node) && typeof seg === "number") node = node.items[seg];
    else return undefined;
  }
  if (!isScalar(node) || !node.range || src.text === undefined) return undefined;
  return src.text.slice(node.range[0], node.range[1]).trim();
}

/** `flavors.full.extensions[2]`; a key that is no plain word is quoted: `bases["a b"]`. */
export function formatPath(path: PathSegment[]): string {
  return path.map((seg, i) => (typeof seg === "number" ? `[${seg}]` : !/^[A-Za-z0-9_-]+$/.test(seg) ? `[${JSON.stringify(seg)}]` : i === 0 ? seg : `.${seg}`)).join("");
}

/** Ajv's instancePath (`/flavors/full/extensions/2`) as segments. */
export function parsePointer(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) return [];
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const asIndex = Array.isArray(cur) ? Number(seg) : NaN;
    out.push(Number.isInteger(asIndex) ? asIndex : seg);
    cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}
