// Hostile strings for the injection and property tests, and the one rule for reading them back.
import fc from "fast-check";

/** Fragments that mean something to HCL, a shell, a Dockerfile, YAML or a terminal. */
export const nastyFragments = [
  "${",
  "${registry}",
  "${jndi:ldap://x}",
  "%{",
  "%{if true}x%{endif}",
  "$${",
  "%%{",
  "$",
  "%",
  "}",
  "{",
  '"',
  "'",
  "`",
  "\\",
  "\\\\",
  "\\n",
  "\n",
  "\r",
  "\r\n",
  "\t",
  "\u0000",
  "\u0001",
  "\u001b[31m",
  "\u007f",
  "\u0085",
  "\u2028",
  "\u2029",
  "\ufeff",
  "$(touch /tmp/pwned)",
  "`id`",
  "; rm -rf /",
  "| sh",
  "&& id",
  "#",
  "<<EOF",
  "*",
  "?",
  "é",
  "😀",
  "ß",
  "\u202e",
  "RUN id",
  "\\\nRUN id",
  'target "x" {',
  "*/",
  "//",
  "/*",
  "-- ",
  "'; DROP TABLE x; --",
];

/** Any string a YAML file can hold: unicode, control characters and the fragments above. */
export const hostileString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: "binary", maxLength }),
    fc.array(fc.oneof(fc.constantFrom(...nastyFragments), fc.string({ maxLength: 3 })), { maxLength: 8 }).map((xs) => xs.join("")),
  );

/**
 * buildx bake --print and hcl2json print a literal `${` as `$${` and `%{` as `%%{` (HCL's escape,
 * so that the printed definition is valid input again, docker/buildx#3097). Undo exactly that.
 */
export function fromHclJson(printed: string): string {
  return printed.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** The other way: how buildx prints a value holding a literal `${` or `%{`. */
export function toHclJson(value: string): string {
  return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
