// The one escaping helper: every value that reaches HCL or a shell line passes through here.
// HCL: quoted strings with `${` and `%{` doubled so that no value is ever evaluated as a template.
// Shell: single-quoted words. Dockerfile comments: one line, no control characters.
// buildx's HCL parser normalizes every string to Unicode NFC, escaped or not: text that must come
// back byte for byte must be NFC already (tests/property.test.ts shows the rest comes back exactly).

declare const hclBrand: unique symbol;
/** A ready-to-print HCL expression. Only this module makes them. */
export type Hcl = string & { readonly [hclBrand]: true };

const hclEscapes: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeHclChars(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (hclEscapes[ch]) out += hclEscapes[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  // Doubling the sigil makes HCL print it literally. (A function, not a replacement string: in one
  // "$$" means a single "$", which left "${" unescaped.)
  return out.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

export function hclString(value: string): Hcl {
  return `"${escapeHclChars(value)}"` as Hcl;
}

/**
 * The bake variables and globals a generated value may refer to; nothing else is ever
 * interpolated. `registry`, `timestamp`, `revision`, `annotation_levels`, `cache_scope` and
 * `bake_dir` are variables (overridable from the environment), `created` is a global derived
 * from `timestamp`.
 */
export const bakeReferences = ["registry", "timestamp", "revision", "created", "annotation_levels", "cache_scope", "bake_dir"] as const;
export type BakeReference = (typeof bakeReferences)[number];
/** A reference to a known bake variable inside a template; literal text is a plain string. */
export interface BakeRef {
  readonly bakeRef: BakeReference;
}
export const bakeRef = (name: BakeReference): BakeRef => ({ bakeRef: name });

/** A quoted HCL template: literal text (escaped) and `${name}` references to known bake variables. */
export function hclTemplate(parts: (string | BakeRef)[]): Hcl {
  const body = parts.map((p) => (typeof p === "string" ? escapeHclChars(p) : `\${${p.bakeRef}}`)).join("");
  return `"${body}"` as Hcl;
}

/** A bare reference to a known bake variable, as an expression. */
export function hclReference(name: BakeReference): Hcl {
  return name as Hcl;
}

/** A call of a bake (HCL stdlib) function on ready expressions. */
export function hclCall(fn: "formatdate" | "timestamp" | "can" | "regex" | "regex_replace", args: Hcl[]): Hcl {
  return `${fn}(${args.join(", ")})` as Hcl;
}

/** `[a, b]`; with `indent`, one item per line (long lists such as annotations stay readable). */
export function hclList(values: Hcl[], indent?: string): Hcl {
  if (indent === undefined || values.length === 0) return `[${values.join(", ")}]` as Hcl;
  return `[\n${values.map((v) => `${indent}  ${v},\n`).join("")}${indent}]` as Hcl;
}

export interface HclEntry {
  key: Hcl;
  value: Hcl;
}

export function hclEntries(map: Record<string, string>): HclEntry[] {
  return Object.keys(map)
    .sort()
    .map((k) => ({ key: hclString(k), value: hclString(map[k]!) }));
}

declare const shellBrand: unique symbol;
export type ShellWord = string & { readonly [shellBrand]: true };

export function shellWord(value: string): ShellWord {
  return (/^[A-Za-z0-9_./:=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`) as ShellWord;
}

/** Text for a `#` line in a Dockerfile: a newline there would start a new instruction. */
export function dockerComment(value: string): ShellWord {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ") as ShellWord;
}
