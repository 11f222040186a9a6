// src/model/input.generated.ts, generated from the schemas: the TypeScript shape of the YAML input
// as the schemas accept it, and one constant per `enum`, so the types and lists the code uses are
// the schemas' own. `npm run schema-types` writes it; tests/input-types.test.ts fails when the
// committed file differs from this output. It covers the part of JSON Schema the two schemas use
// and refuses any other shape-giving keyword, so a schema change cannot slip past it.
import { readSchema, schemaNames, type SchemaName } from "./validators.js";

type Node = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  items?: Node;
  oneOf?: Node[];
  allOf?: { if?: { not?: unknown }; then?: { required?: string[] } }[];
  definitions?: Record<string, Node>;
};

/** The type each schema's root becomes. */
const rootNames: Record<SchemaName, string> = { config: "ConfigInput", extension: "ExtensionInput" };

/** Each `enum` by its place in its schema (`*`: a list item or map entry): its type's name and its constant's. */
const enumNames: Record<string, [type: string, constant: string]> = {
  "config:bake_files": ["BakeFilesMode", "BAKE_FILES_MODES"],
  "config:bases.*.postgres_from": ["PostgresFrom", "POSTGRES_SOURCES"],
  "extension:kind": ["ExtensionKind", "EXTENSION_KINDS"],
  "extension:source.build": ["SourceBuild", "SOURCE_BUILDS"],
  "extension:preload_position": ["PreloadPosition", "PRELOAD_POSITIONS"],
  "extension:startup_needs.*.kind": ["StartupNeedKind", "STARTUP_NEED_KINDS"],
};

/** Keywords that give a value its shape; the others (pattern, minLength, description, ...) only narrow or explain it. */
const shaping = ["allOf", "anyOf", "not", "if", "then", "else", "const", "patternProperties", "dependencies", "additionalItems", "contains"];

const key = (k: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k));

function generate(name: SchemaName, root: Node, enums: string[]): string {
  const typeOf = (node: Node, path: string[], indent: string): string => {
    const ref = node.$ref && /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1];
    const n: Node = ref ? { ...root.definitions![ref]!, ...node, $ref: undefined } : node;
    const where = `${name}:${path.join(".")}`;
    const odd = shaping.find((k) => k in n);
    if (odd) throw new Error(`schemas/${name}.schema.json ${path.join(".")}: ${odd} is not turned into a type (src/validate/input-types.ts)`);
    if (n.enum) {
      const names = enumNames[where];
      if (!names) throw new Error(`schemas/${name}.schema.json ${path.join(".")}: an enum without a name in enumNames (src/validate/input-types.ts)`);
      enums.push(`export const ${names[1]} = [${n.enum.map((v) => JSON.stringify(v)).join(", ")}] as const;\nexport type ${names[0]} = (typeof ${names[1]})[number];`);
      return names[0];
    }
    if (n.oneOf) return n.oneOf.map((m) => typeOf(m, path, indent)).join(" | ");
    switch (n.type) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "array":
        if (!n.items) throw new Error(`schemas/${name}.schema.json ${path.join(".")}: a list without items`);
        return `${wrap(typeOf(n.items, [...path, "*"], indent))}[]`;
      case "object":
        return objectType(n, path, indent);
      default:
        throw new Error(`schemas/${name}.schema.json ${path.join(".")}: type ${String(n.type)} is not turned into a type`);
    }
  };
  const wrap = (t: string): string => (t.includes(" ") && !t.startsWith("{") ? `(${t})` : t);
  const objectType = (n: Node, path: string[], indent: string, required = n.required ?? []): string => {
    const extra = typeof n.additionalProperties === "object" ? n.additionalProperties : undefined;
    if (!n.properties) return `Record<string, ${extra ? typeOf(extra, [...path, "*"], indent) : "unknown"}>`;
    if (extra) throw new Error(`schemas/${name}.schema.json ${path.join(".")}: both properties and additionalProperties`);
    const inner = `${indent}  `;
    const fields = Object.entries(n.properties).map(([k, v]) => `${inner}${key(k)}${required.includes(k) ? "" : "?"}: ${typeOf(v, [...path, k], inner)};`);
    return `{\n${fields.join("\n")}\n${indent}}`;
  };
  // An entry's fields required unless a condition holds (`if: { not: ... }`, the extension
  // schema's `override: true`): required here, as what reaches the typed input is a whole entry
  // (override entries are merged into the one they change first, src/validate/layers.ts).
  const whole = (root.allOf ?? []).flatMap((a) => (a.if && "not" in a.if ? (a.then?.required ?? []) : []));
  const required = [...new Set([...(root.required ?? []), ...whole])];
  return `export interface ${rootNames[name]} ${objectType(root, [], "", required)}`;
}

/** The generated file's text; `read` gives the schemas (tests hand it changed ones). */
export function inputTypesSource(read: (name: SchemaName) => object = readSchema): string {
  const enums: string[] = [];
  const roots = schemaNames.map((name) => generate(name, read(name) as Node, enums));
  return [
    "// Generated by `npm run schema-types` (src/validate/input-types.ts) from schemas/*.schema.json: do",
    "// not edit. The YAML input as the schemas accept it; the schemas say what each field means.",
    "",
    ...enums.map((e) => `${e}\n`),
    ...roots.map((r) => `${r}\n`),
  ].join("\n");
}
