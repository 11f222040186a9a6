// Formulas: the small expression language every derived target value is written in once
// (src/plan/definitions.ts). A formula is data, so it has two readings that cannot disagree:
// `evaluate` computes it in TypeScript (the plan, `pgbake test`, the bake definition tests hold
// buildx against), and render/formula-hcl.ts prints it as the HCL expression buildx computes.
// Only what bake's HCL can say is here: text, names, lookups, templates, conditionals, a few
// functions, list and map comprehensions, and named functions (printed as `function` blocks).

/** `null` only stands for a fact that is absent (a row's way to undo a default). */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** A named function: printed once as an HCL `function` block, evaluated by binding its params. */
export interface FormulaFunction {
  name: string;
  params: string[];
  body: Formula;
}

export type Builtin = "join" | "length" | "distinct" | "replace" | "merge" | "lookup" | "concat" | "keys" | "upper";

export type Formula =
  | { op: "text"; text: string }
  | { op: "bool"; value: boolean }
  | { op: "null" }
  /** A name in scope: a function parameter or loop variable, else a bake variable or top-level attribute. */
  | { op: "name"; name: string }
  /** `of.key` (a fixed key) or `of[key]` (a computed one). */
  | { op: "get"; of: Formula; key: string | Formula }
  /** A quoted template: its parts' text joined. */
  | { op: "concat"; parts: Formula[] }
  | { op: "if"; test: Formula; yes: Formula; no: Formula }
  | { op: "eq" | "ne"; a: Formula; b: Formula }
  | { op: "gt"; a: Formula; b: number }
  | { op: "add" | "and"; a: Formula; b: Formula }
  | { op: "call"; fn: Builtin; args: Formula[] }
  | { op: "list"; items: Formula[] }
  | { op: "object"; entries: [key: string | Formula, value: Formula][] }
  /** `[for as in of : value if when]`, or with `key` the map `{ for as in of : key => value if when }`; over a map `as` is [k, v]. */
  | { op: "for"; of: Formula; as: string | [string, string]; key?: Formula; value: Formula; when?: Formula }
  | { op: "apply"; fn: FormulaFunction; args: Formula[] };

// ---- Builders: what src/plan/definitions.ts writes formulas with ------------------------------

export const text = (s: string): Formula => ({ op: "text", text: s });
export const bool = (value: boolean): Formula => ({ op: "bool", value });
export const nothing: Formula = { op: "null" };
export const name = (n: string): Formula => ({ op: "name", name: n });
export const get = (of: Formula, ...keys: (string | Formula)[]): Formula => keys.reduce<Formula>((f, key) => ({ op: "get", of: f, key }), of);
const part = (p: Formula | string): Formula => (typeof p === "string" ? text(p) : p);
export const concat = (...parts: (Formula | string)[]): Formula => ({ op: "concat", parts: parts.map(part) });
/** A template as a tagged template literal: tpl`PostgreSQL ${version} on ${base}`. */
export function tpl(strings: TemplateStringsArray, ...values: Formula[]): Formula {
  const parts: Formula[] = [];
  strings.forEach((s, i) => {
    if (s) parts.push(text(s));
    if (i < values.length) parts.push(values[i]!);
  });
  return { op: "concat", parts };
}
export const when = (test: Formula, yes: Formula | string, otherwise: Formula | string = ""): Formula => ({ op: "if", test, yes: part(yes), no: part(otherwise) });
export const eq = (a: Formula, b: Formula | string): Formula => ({ op: "eq", a, b: part(b) });
export const ne = (a: Formula, b: Formula | string): Formula => ({ op: "ne", a, b: part(b) });
export const gt = (a: Formula, b: number): Formula => ({ op: "gt", a, b });
export const add = (a: Formula, b: Formula): Formula => ({ op: "add", a, b });
export const and = (a: Formula, b: Formula): Formula => ({ op: "and", a, b });
export const call = (fn: Builtin, ...args: (Formula | string)[]): Formula => ({ op: "call", fn, args: args.map(part) });
export const list = (...items: (Formula | string)[]): Formula => ({ op: "list", items: items.map(part) });
export const object = (entries: [string | Formula, Formula | string][]): Formula => ({ op: "object", entries: entries.map(([k, v]) => [k, part(v)]) });
export const forList = (of: Formula, as: string | [string, string], value: Formula, whenTrue?: Formula): Formula => ({ op: "for", of, as, value, when: whenTrue });
export const forMap = (of: Formula, as: string | [string, string], key: Formula, value: Formula, whenTrue?: Formula): Formula => ({ op: "for", of, as, key, value, when: whenTrue });
/** Entries kept only when their value is not empty text. */
export const nonEmpty = (entries: [string, Formula][]): Formula => forMap(object(entries), ["k", "v"], name("k"), name("v"), ne(name("v"), ""));
export const fn = (fnName: string, params: string[], body: (...p: Formula[]) => Formula): FormulaFunction => ({ name: fnName, params, body: body(...params.map(name)) });
export const apply = (f: FormulaFunction, ...args: Formula[]): Formula => ({ op: "apply", fn: f, args });

// ---- Evaluation -------------------------------------------------------------------------------

export type Scope = Record<string, Value>;

const asText = (v: Value): string => {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new Error(`formula: ${JSON.stringify(v)} is not text`);
};
const asList = (v: Value): Value[] => {
  if (!Array.isArray(v)) throw new Error(`formula: ${JSON.stringify(v)} is not a list`);
  return v;
};
const asMap = (v: Value): Record<string, Value> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`formula: ${JSON.stringify(v)} is not a map`);
  return v;
};
/** HCL compares a number and its text as equal in templates; `==` on two texts is what definitions use. */
const same = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);

function builtin(fn: Builtin, args: Value[]): Value {
  switch (fn) {
    case "join":
      return asList(args[1]!).map(asText).join(asText(args[0]!));
    case "length":
      return Array.isArray(args[0]) ? args[0].length : Object.keys(asMap(args[0]!)).length;
    case "distinct":
      return asList(args[0]!).filter((v, i, all) => all.findIndex((w) => same(v, w)) === i);
    case "replace":
      return asText(args[0]!).split(asText(args[1]!)).join(asText(args[2]!));
    case "merge":
      return Object.assign({}, ...args.map(asMap)) as Value;
    case "lookup": {
      const map = asMap(args[0]!);
      const key = asText(args[1]!);
      return key in map ? map[key]! : args[2]!;
    }
    case "concat":
      return args.flatMap(asList);
    case "keys":
      return Object.keys(asMap(args[0]!)).sort();
    case "upper":
      return asText(args[0]!).toUpperCase();
  }
}

/**
 * Names bound inside a formula (loop variables, function parameters), innermost first, in front of
 * the scope: binding one never copies the scope, which holds every lookup table and was copied for
 * each row of a `for` and each call (most of generate's time at 30,000 targets).
 */
interface Frame {
  name: string;
  value: Value;
  next: Frame | undefined;
}

/** The value of `f` with `scope` (row facts, bake variables, lookup tables) in scope. */
export const evaluate = (f: Formula, scope: Scope): Value => evaluateIn(f, scope, undefined);

function evaluateIn(f: Formula, scope: Scope, frame: Frame | undefined): Value {
  const ev = (g: Formula): Value => evaluateIn(g, scope, frame);
  switch (f.op) {
    case "text":
      return f.text;
    case "bool":
      return f.value;
    case "null":
      return null;
    case "name":
      for (let b = frame; b; b = b.next) if (b.name === f.name) return b.value;
      if (!(f.name in scope)) throw new Error(`formula: ${f.name} is not in scope`);
      return scope[f.name]!;
    case "get": {
      const of = ev(f.of);
      const key = typeof f.key === "string" ? f.key : asText(ev(f.key));
      const value = Array.isArray(of) ? of[Number(key)] : asMap(of)[key];
      if (value === undefined) throw new Error(`formula: no ${key} in ${JSON.stringify(of).slice(0, 200)}`);
      return value;
    }
    case "concat":
      return f.parts.map((p) => asText(ev(p))).join("");
    case "if":
      return ev(f.test) === true ? ev(f.yes) : ev(f.no);
    case "eq":
      return same(ev(f.a), ev(f.b));
    case "ne":
      return !same(ev(f.a), ev(f.b));
    case "gt":
      return (ev(f.a) as number) > f.b;
    case "add":
      return (ev(f.a) as number) + (ev(f.b) as number);
    case "and":
      return ev(f.a) === true && ev(f.b) === true;
    case "call":
      return builtin(f.fn, f.args.map(ev));
    case "list":
      return f.items.map(ev);
    case "object":
      return Object.fromEntries(f.entries.map(([k, v]) => [typeof k === "string" ? k : asText(ev(k)), ev(v)]));
    case "for": {
      const of = ev(f.of);
      // HCL iterates a map in key order.
      const items: [Value, Value][] = Array.isArray(of)
        ? of.map((v, i) => [i, v])
        : Object.keys(asMap(of))
            .sort()
            .map((k) => [k, asMap(of)[k]!]);
      const bind = ([k, v]: [Value, Value]): Frame => (typeof f.as === "string" ? { name: f.as, value: v, next: frame } : { name: f.as[1], value: v, next: { name: f.as[0], value: k, next: frame } });
      const kept = items.map(bind).filter((b) => f.when === undefined || evaluateIn(f.when, scope, b) === true);
      if (f.key === undefined) return kept.map((b) => evaluateIn(f.value, scope, b));
      return Object.fromEntries(kept.map((b) => [asText(evaluateIn(f.key!, scope, b)), evaluateIn(f.value, scope, b)]));
    }
    case "apply": {
      let inner = frame;
      f.fn.params.forEach((p, i) => (inner = { name: p, value: ev(f.args[i]!), next: inner }));
      return evaluateIn(f.fn.body, scope, inner);
    }
  }
}

export const evaluateText = (f: Formula, scope: Scope): string => asText(evaluate(f, scope));
