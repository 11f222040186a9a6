// A formula (src/model/formula.ts) as the HCL expression buildx evaluates to the same value.
// Text parts go through the escaper; only names and operators pgbake writes itself are code.
import type { Formula, FormulaFunction } from "../model/formula.js";
import { hclString, hclText } from "./escape.js";
import { block, attr, code, type Block } from "./hcl.js";

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const key = (k: string): string => (identifier.test(k) ? k : hclString(k));

/** The template body of `parts` (no quotes): text escaped, everything else interpolated. */
function templateBody(parts: Formula[]): string {
  let out = "";
  parts.forEach((p, i) => {
    if (p.op === "concat") {
      out += templateBody(p.parts);
      return;
    }
    if (p.op !== "text") {
      out += `\${${printFormula(p)}}`;
      return;
    }
    let t = hclText(p.text);
    // A literal `$` or `%` just before an interpolation would turn it into an escape (`$${`).
    const next = parts[i + 1];
    if (next && next.op !== "text" && /[$%]$/.test(t)) t = `${t.slice(0, -1)}\${"${t.slice(-1)}"}`;
    out += t;
  });
  return out;
}

/** Operands of `==`, `+`, `?:` are wrapped when they are themselves operators. */
const operand = (f: Formula): string => (["eq", "ne", "gt", "add", "and", "if"].includes(f.op) ? `(${printFormula(f)})` : printFormula(f));

export function printFormula(f: Formula): string {
  switch (f.op) {
    case "text":
      return hclString(f.text);
    case "bool":
      return String(f.value);
    case "null":
      return "null";
    case "name":
      return f.name;
    case "get":
      if (typeof f.key === "string") return identifier.test(f.key) ? `${printFormula(f.of)}.${f.key}` : `${printFormula(f.of)}[${hclString(f.key)}]`;
      return `${printFormula(f.of)}[${printFormula(f.key)}]`;
    case "concat":
      return f.parts.length === 1 && f.parts[0]!.op === "text" ? printFormula(f.parts[0]!) : `"${templateBody(f.parts)}"`;
    case "if":
      return `${operand(f.test)} ? ${operand(f.yes)} : ${operand(f.no)}`;
    case "eq":
      return `${operand(f.a)} == ${operand(f.b)}`;
    case "ne":
      return `${operand(f.a)} != ${operand(f.b)}`;
    case "gt":
      return `${operand(f.a)} > ${f.b}`;
    case "add":
      return `${operand(f.a)} + ${operand(f.b)}`;
    case "and":
      return `${operand(f.a)} && ${operand(f.b)}`;
    case "call":
      return `${f.fn}(${f.args.map(printFormula).join(", ")})`;
    case "list":
      return `[${f.items.map(printFormula).join(", ")}]`;
    case "object":
      if (f.entries.length === 0) return "{}";
      return `{ ${f.entries.map(([k, v]) => `${typeof k === "string" ? key(k) : `(${printFormula(k)})`} = ${printFormula(v)}`).join(", ")} }`;
    case "for": {
      const vars = typeof f.as === "string" ? f.as : f.as.join(", ");
      const cond = f.when ? ` if ${printFormula(f.when)}` : "";
      if (f.key === undefined) return `[for ${vars} in ${printFormula(f.of)} : ${printFormula(f.value)}${cond}]`;
      return `{ for ${vars} in ${printFormula(f.of)} : ${printFormula(f.key)} => ${printFormula(f.value)}${cond} }`;
    }
    case "apply":
      return `${f.fn.name}(${f.args.map(printFormula).join(", ")})`;
  }
}

/** Every named function `formulas` use (and those they use), once each, in first-use order. */
export function functionsOf(formulas: Formula[]): FormulaFunction[] {
  const found = new Map<string, FormulaFunction>();
  const visit = (f: Formula): void => {
    switch (f.op) {
      case "get":
        visit(f.of);
        if (typeof f.key !== "string") visit(f.key);
        return;
      case "concat":
        return f.parts.forEach(visit);
      case "if":
        return [f.test, f.yes, f.no].forEach(visit);
      case "eq":
      case "ne":
      case "add":
      case "and":
        return [f.a, f.b].forEach(visit);
      case "gt":
        return visit(f.a);
      case "call":
        return f.args.forEach(visit);
      case "list":
        return f.items.forEach(visit);
      case "object":
        return f.entries.forEach(([k, v]) => (typeof k === "string" ? visit(v) : [k, v].forEach(visit)));
      case "for":
        return [f.of, f.value, ...(f.key ? [f.key] : []), ...(f.when ? [f.when] : [])].forEach(visit);
      case "apply":
        f.args.forEach(visit);
        if (found.has(f.fn.name)) {
          if (found.get(f.fn.name) !== f.fn) throw new Error(`two formula functions named ${f.fn.name}`);
          return;
        }
        visit(f.fn.body);
        found.set(f.fn.name, f.fn);
        return;
      default:
        return;
    }
  };
  formulas.forEach(visit);
  return [...found.values()];
}

/** A named function as its HCL `function` block. */
export const functionBlock = (f: FormulaFunction, comment?: string): Block =>
  block("function", [f.name], [attr("params", code(`[${f.params.join(", ")}]`)), attr("result", code(printResult(f.body, "  ")))], comment);

/** A result that is an object (or merges objects) one entry a line, for a reader. */
function printResult(f: Formula, indent: string): string {
  const entries = (o: Extract<Formula, { op: "object" }>): string =>
    `{\n${o.entries.map(([k, v]) => `${indent}  ${typeof k === "string" ? key(k) : `(${printFormula(k)})`} = ${printFormula(v)}\n`).join("")}${indent}}`;
  if (f.op === "object" && f.entries.length > 2) return entries(f);
  if (f.op === "call" && f.fn === "merge") return `merge(${f.args.map((a) => (a.op === "object" && a.entries.length > 2 ? entries(a) : printFormula(a))).join(", ")})`;
  return printFormula(f);
}
