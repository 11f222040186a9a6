// Checks on a parsed YAML document before any schema work, in one linear pass: no mapping or
// list beyond MAX_ENTRIES (so a file of 100,000 keys is refused at once instead of being
// validated key by key), and no key twice in a mapping (yaml's own check compares each key with
// every earlier one: quadratic, minutes on 100,000 keys), and no YAML tag beyond the plain
// types (`!!binary` would reach the schema as bytes, `!!timestamp` as a date: both "a mapping").
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import { InputError, visible } from "../model/errors.js";

/** Far beyond any real config or catalog (the largest mapping in the examples has a few dozen entries). */
export const MAX_ENTRIES = 10_000;

const keyText = (key: unknown): string => (isScalar(key) ? String(key.value) : String(key));

/** The tags of what a config or catalog holds: strings, numbers, booleans, null, mappings, lists. */
const plainTags = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));
const shownTag = (tag: string): string => tag.replace(/^tag:yaml\.org,2002:/, "!!");

export function checkStructure(file: string, doc: Document.Parsed, lines: LineCounter): InputError[] {
  const errors: InputError[] = [];
  const at = (node: Node | undefined, message: string): void => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    errors.push(new InputError(file, pos.line, pos.col, "", message));
  };
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0 && errors.length < 20) {
    const node = stack.pop();
    const tag = (node as { tag?: string } | null)?.tag;
    if (tag !== undefined && !plainTags.has(tag)) {
      at(node as Node, `invalid YAML: the tag ${visible(shownTag(tag)).slice(0, 60)} is not read here; write the value as a plain string, number, list or mapping`);
      continue;
    }
    if (isMap(node)) {
      if (node.items.length > MAX_ENTRIES) {
        at(node, `a mapping of ${node.items.length} entries; pgbake reads at most ${MAX_ENTRIES} in one mapping`);
        continue;
      }
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        const first = seen.get(key);
        if (first) at(pair.key as Node, `invalid YAML: duplicate key '${key}' (first on line ${lines.linePos(first.range?.[0] ?? 0).line})`);
        else seen.set(key, pair.key as Node);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      if (node.items.length > MAX_ENTRIES) {
        at(node, `a list of ${node.items.length} items; pgbake reads at most ${MAX_ENTRIES} in one list`);
        continue;
      }
      stack.push(...node.items);
    }
  }
  return errors;
}
