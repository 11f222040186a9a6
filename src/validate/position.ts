// Maps a field path inside a parsed YAML document back to its line and column.
import { isMap, isSeq, isScalar, type Node } from "yaml";
import type { SourceDoc } from "../load/index.js";
import type { ExtensionSpec } from "../model/types.js";

export type PathSegment = string | number;

/** Line/column of the node at `path`, or of its nearest existing ancestor. With `key`, the key's position. */
export function positionOf(src: SourceDoc, path: PathSegment[], key = false): { line: number; column: number } {
  let node: unknown = src.doc.contents;
  let best: Node | undefined = node as Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      best = (key ? pair.key : (pair.value ?? pair.key)) as Node;
      node = pair.value;
      if (key && seg === path[path.length - 1]) break;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (!item) break;
      best = item as Node;
      node = item;
    } else break;
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = src.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

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
  return path
    .map((seg, i) =>
      typeof seg === "number" ? `[${seg}]` : !/^[A-Za-z0-9_-]+$/.test(seg) ? `[${JSON.stringify(seg)}]` : i === 0 ? seg : `.${seg}`,
    )
    .join("");
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
