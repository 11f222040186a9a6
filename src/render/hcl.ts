// The one HCL printer: a small syntax tree (blocks, attributes, expressions) and its text.
// Literal text always goes through the escaper; only `code` holds expressions pgbake writes
// itself (references, function calls), never user text.
import { hclString, hclText } from "./escape.js";

export type Expr =
  | { kind: "string"; value: string }
  /** A quoted template: literal text (escaped) and `${code}` interpolations. */
  | { kind: "template"; parts: (string | { code: string })[] }
  | { kind: "code"; code: string }
  | { kind: "list"; items: Expr[]; multiline?: boolean }
  | { kind: "object"; entries: [key: string, value: Expr][]; multiline?: boolean };

export interface Attribute {
  kind: "attribute";
  name: string;
  value: Expr;
  comment?: string;
}

export interface Block {
  kind: "block";
  type: string;
  labels: string[];
  body: (Attribute | Block)[];
  comment?: string;
}

export interface HclFile {
  header: string[];
  body: (Attribute | Block)[];
}

export const str = (value: string): Expr => ({ kind: "string", value });
export const code = (text: string): Expr => ({ kind: "code", code: text });
export const template = (...parts: (string | { code: string })[]): Expr => ({ kind: "template", parts });
export const ref = (text: string): { code: string } => ({ code: text });
export const list = (items: Expr[], multiline = false): Expr => ({ kind: "list", items, multiline });
export const object = (entries: [string, Expr][], multiline = false): Expr => ({ kind: "object", entries, multiline });
export const strings = (values: string[]): Expr => list(values.map(str));
export const stringMap = (map: Record<string, string>, multiline = false): Expr =>
  object(
    Object.entries(map).map(([k, v]) => [k, str(v)]),
    multiline,
  );
export const attr = (name: string, value: Expr, comment?: string): Attribute => ({ kind: "attribute", name, value, comment });
export const block = (type: string, labels: string[], body: (Attribute | Block)[], comment?: string): Block => ({
  kind: "block",
  type,
  labels,
  body,
  comment,
});

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Object keys: bare when they are identifiers (HCL takes a bare key literally), quoted otherwise. */
const key = (k: string): string => (identifier.test(k) ? k : hclString(k));

function templateText(parts: (string | { code: string })[]): string {
  let out = "";
  parts.forEach((p, i) => {
    if (typeof p !== "string") {
      out += `\${${p.code}}`;
      return;
    }
    let text = hclText(p);
    // A literal `$` or `%` just before an interpolation would turn it into an escape (`$${`).
    if (typeof parts[i + 1] === "object" && /[$%]$/.test(text)) text = `${text.slice(0, -1)}\${"${text.slice(-1)}"}`;
    out += text;
  });
  return `"${out}"`;
}

export function printExpr(e: Expr, indent = ""): string {
  switch (e.kind) {
    case "string":
      return hclString(e.value);
    case "template":
      return templateText(e.parts);
    case "code":
      return e.code;
    case "list":
      if (!e.multiline || e.items.length === 0) return `[${e.items.map((i) => printExpr(i, indent)).join(", ")}]`;
      return `[\n${e.items.map((i) => `${indent}  ${printExpr(i, `${indent}  `)},\n`).join("")}${indent}]`;
    case "object":
      if (e.entries.length === 0) return "{}";
      if (!e.multiline) return `{ ${e.entries.map(([k, v]) => `${key(k)} = ${printExpr(v, indent)}`).join(", ")} }`;
      return `{\n${e.entries.map(([k, v]) => `${indent}  ${key(k)} = ${printExpr(v, `${indent}  `)}\n`).join("")}${indent}}`;
  }
}

const comment = (text: string | undefined, indent: string): string =>
  text === undefined
    ? ""
    : text
        .split("\n")
        .map((l) => `${indent}// ${l}\n`)
        .join("");

function printItem(item: Attribute | Block, indent: string): string {
  if (item.kind === "attribute") return `${comment(item.comment, indent)}${indent}${item.name} = ${printExpr(item.value, indent)}\n`;
  const labels = item.labels.map((l) => ` ${hclString(l)}`).join("");
  const body = item.body.map((i) => printItem(i, `${indent}  `)).join("");
  return `${comment(item.comment, indent)}${indent}${item.type}${labels} {\n${body}${indent}}\n`;
}

/** Top-level items are separated by a blank line; header lines are `//` comments. */
export function printHcl(file: HclFile): string {
  const header = file.header.map((l) => `// ${l}\n`).join("");
  return `${header}${header ? "\n" : ""}${file.body.map((i) => printItem(i, "")).join("\n")}`;
}
