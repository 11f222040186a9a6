// The one escaping helper: every value that reaches HCL or a shell line passes through here.
// HCL: quoted strings with `${` and `%{` doubled so that no value is ever evaluated as a template.
// Shell: single-quoted words. Dockerfile comments: one line, no control characters.
// buildx's HCL parser normalizes every string to Unicode NFC, escaped or not: text that must come
// back byte for byte must be NFC already (tests/property.test.ts shows the rest comes back exactly).

const hclEscapes: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };
/** Text that needs no escaping at all: most names, versions and package lists. */
// eslint-disable-next-line no-control-regex
const needsEscaping = /[\u0000-\u001f\u007f"\\]|[$%]\{/;

/** The body of a quoted HCL string holding `value` literally (no interpolation, no directive). */
export function hclText(value: string): string {
  if (!needsEscaping.test(value)) return value;
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

/** `value` as a quoted HCL string literal. */
export function hclString(value: string): string {
  return `"${hclText(value)}"`;
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
