// Maps a field path inside a parsed YAML document back to its line and column: load needs it for
// its own messages (a catalog that cannot be read), validate for every other.
import { isMap, isSeq, isScalar, type Document, type LineCounter, type Node } from "yaml";

/** A parsed input file, with what messages need to point into it. */
export interface SourceDoc {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain JS data. */
  data: unknown;
  /** The file's text (UTF-8, NFC), for messages that quote what was written. */
  text: string;
}

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
