// In-place edits of a YAML file that leave every other byte alone: a changed scalar is spliced
// into its own source range (keeping its quoting style and any comment after it), a new key is
// inserted as one line after its sibling. The `yaml` package finds the ranges; the text outside
// them is never re-serialised, so comments, key order, flow maps and line folding all survive.
import { isMap, isScalar, parse, parseDocument, Scalar, type YAMLMap } from "yaml";

export type YamlPath = (string | number)[];

/** A scalar, or a map of them (nested maps too: a new `suites.<suite>.<major>` entry). */
export type YamlValue = string | { [key: string]: YamlValue };

export interface YamlEdit {
  path: YamlPath;
  value: YamlValue;
  /** For a new key: put it after this sibling key (default: after the last one). */
  after?: string;
}

const plainSafe = (s: string): boolean => {
  // Plain unless YAML would read it otherwise: an indicator first, `: ` or ` #` inside, a flow
  // character (the value may sit in a flow map), edge spaces; the parse round trip catches the rest.
  if (s === "" || /^[-?:,[\]{}#&*!|>'"%@`\s]|\s$|:$|: | #|[{}[\],]/.test(s)) return false;
  try {
    return parse(`k: ${s}`)?.k === s;
  } catch {
    return false;
  }
};

/** A string value as YAML source text, in the quoting style `like` asks for when it can be. */
function scalarText(value: string, like: Scalar.Type | undefined): string {
  if (like === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (like === Scalar.QUOTE_DOUBLE || !plainSafe(value)) return JSON.stringify(value);
  return value;
}

const keyText = (key: string | number): string => (typeof key === "number" || !plainSafe(key) ? JSON.stringify(String(key)) : key);

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}
function lineEnd(text: string, offset: number): number {
  const n = text.indexOf("\n", offset);
  return n < 0 ? text.length : n;
}

/** The text with one edit applied. */
export function applyEdit(text: string, edit: YamlEdit): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new Error(`cannot edit invalid YAML: ${doc.errors[0]!.message}`);
  const node = doc.getIn(edit.path, true);
  if (node !== undefined) {
    if (!isScalar(node) || typeof edit.value !== "string" || !node.range) throw new Error(`cannot replace a non-scalar at ${edit.path.join(".")}`);
    const [start, end] = node.range;
    if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) throw new Error(`cannot splice a block scalar at ${edit.path.join(".")}`);
    return text.slice(0, start) + scalarText(edit.value, node.type) + text.slice(end);
  }
  const parentPath = edit.path.slice(0, -1);
  const key = edit.path.at(-1)!;
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (!isMap(parent) || !parent.range) {
    // The parent map is missing too: insert it (with this key inside) as a new key of its parent.
    if (parent === undefined && parentPath.length > 0) return applyEdit(text, { path: parentPath, value: { [String(key)]: edit.value }, after: edit.after });
    throw new Error(`no map at ${parentPath.join(".") || "the top"} to add ${String(key)} to`);
  }
  return insertPair(text, parent, key, edit.value, edit.after);
}

/** A map's pairs as block lines, each under `pad` (nested maps two spaces deeper). */
function blockLines(value: { [key: string]: YamlValue }, pad: string): string {
  return Object.entries(value)
    .map(([k, v]) => (typeof v === "string" ? `\n${pad}${keyText(k)}: ${scalarText(v, undefined)}` : `\n${pad}${keyText(k)}:${blockLines(v, `${pad}  `)}`))
    .join("");
}

function insertPair(text: string, map: YAMLMap, key: string | number, value: YamlValue, after?: string): string {
  const items = map.items;
  if (map.flow) {
    if (typeof value !== "string") throw new Error("cannot add a nested map to a flow map");
    const close = text.lastIndexOf("}", map.range![1]);
    const before = text.slice(0, close).replace(/\s*$/, "");
    const sep = items.length > 0 ? ", " : " ";
    return `${before}${sep}${keyText(key)}: ${scalarText(value, undefined)} ${text.slice(close)}`;
  }
  const first = items[0];
  const firstKey = first && isScalar(first.key) ? first.key : undefined;
  if (!firstKey?.range) throw new Error("cannot add to an empty block map");
  const indent = firstKey.range[0] - lineStart(text, firstKey.range[0]);
  const pad = " ".repeat(indent);
  const anchor = (after !== undefined ? items.find((p) => isScalar(p.key) && String(p.key.value) === after) : undefined) ?? items.at(-1)!;
  // The end of the anchor pair: its value's node end (comments on its last line included).
  const valueNode = anchor.value as { range?: [number, number, number] } | null;
  const keyNode = anchor.key as { range?: [number, number, number] };
  const endOffset = valueNode?.range ? valueNode.range[1] : keyNode.range![2];
  const at = lineEnd(text, Math.max(endOffset - 1, 0));
  let lines: string;
  if (typeof value === "string") lines = `\n${pad}${keyText(key)}: ${scalarText(value, undefined)}`;
  else lines = `\n${pad}${keyText(key)}:${blockLines(value, `${pad}  `)}`;
  return text.slice(0, at) + lines + text.slice(at);
}

/** Every edit in order; checks that the result reads back as the edits say. */
export function applyEdits(text: string, edits: YamlEdit[]): string {
  let out = text;
  for (const edit of edits) {
    out = applyEdit(out, edit);
    const back = parseDocument(out);
    if (back.errors.length > 0) throw new Error(`edit of ${edit.path.join(".")} made invalid YAML: ${back.errors[0]!.message}`);
    const got = back.getIn(edit.path);
    const want = edit.value;
    const same = typeof want === "string" ? got === want : JSON.stringify((got as { toJSON?: () => unknown })?.toJSON?.()) === JSON.stringify(want);
    if (!same) throw new Error(`edit of ${edit.path.join(".")} reads back as ${JSON.stringify(got)}`);
  }
  return out;
}
