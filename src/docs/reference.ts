// docs/reference.md, generated from the schemas (every field's type, default, whether it is
// required, and its `description`) and from the tag placeholders the planner fills
// (src/model/naming.ts). `npm run docs` writes it; tests/reference-docs.test.ts fails when the
// committed page differs from this output, or when a field or placeholder has no description.
import { extensionTagPlaceholders, operandTagPlaceholders, packagePlaceholders, packageVersionPlaceholders } from "../model/naming.js";
import { markdownCell } from "../model/markdown.js";
import { readSchema, type SchemaName } from "../validate/validators.js";

export type SchemaNode = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  minimum?: number;
  maximum?: number;
  allOf?: SchemaNode[];
  if?: SchemaNode;
  then?: SchemaNode;
  not?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
  title?: string;
};

/** A field of a schema: where it is (`bases.<base>.apt.distro[].uri`) and its node. */
export interface SchemaField {
  path: string;
  node: SchemaNode;
  /** Its own node, before a `$ref` is followed: the description must be its own. */
  own: SchemaNode;
  /** The name of the field itself, or of the map or list it is an entry of. */
  field: string;
  required?: string;
}

/** How a map's keys are written in a field path, by the map's field name. */
const keyNames: Record<string, string> = { bases: "<base>", types: "<type>", flavors: "<flavor>", versions: "<major>", runtime_packages_by_base: "<base>" };

const definitionName = (node: SchemaNode): string | undefined => (node.$ref ? /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1] : undefined);

function resolved(root: SchemaNode, node: SchemaNode): SchemaNode {
  const name = definitionName(node);
  return name ? { ...root.definitions![name]!, ...node, $ref: node.$ref } : node;
}

const isObjectNode = (n: SchemaNode): boolean => n.type === "object" || n.properties !== undefined;

type Condition = { when: string[]; unless: string[] };

/** `kind: package`, `override: true`: the condition of an `if` as a reader would say it. */
function condition(node: SchemaNode | undefined, base: Condition): Condition {
  if (!node) return base;
  const negated = node.not !== undefined;
  const [key, prop] = Object.entries((negated ? node.not! : node).properties ?? {})[0] ?? [];
  if (!key || !prop) return base;
  const text = prop.const !== undefined ? `\`${key}: ${String(prop.const)}\`` : `\`${key}\` is ${(prop.enum ?? []).map(String).join(" or ")}`;
  return negated ? { ...base, unless: [...base.unless, text] } : { ...base, when: [...base.when, text] };
}

const sayCondition = (c: Condition): string => [c.when.length > 0 ? `when ${c.when.join(" and ")}` : "", c.unless.length > 0 ? `unless ${c.unless.join(" or ")}` : ""].filter(Boolean).join(", ");

/** Field name -> "when ..., unless ..." from `allOf: [{if, then: {required}}]` (nested ifs combined). */
function conditionalRequired(node: SchemaNode, base: Condition = { when: [], unless: [] }, out = new Map<string, string[]>()): Map<string, string[]> {
  for (const rule of node.allOf ?? []) {
    const here = condition(rule.if, base);
    for (const name of rule.then?.required ?? []) out.set(name, [...(out.get(name) ?? []), sayCondition(here)]);
    if (rule.then) conditionalRequired(rule.then, here, out);
  }
  return out;
}

/** Every field of a schema, depth first in the schema's order. */
export function schemaFields(name: SchemaName): SchemaField[] {
  const root = readSchema(name) as SchemaNode;
  const out: SchemaField[] = [];
  const walk = (node: SchemaNode, path: string, field: string): void => {
    const n = resolved(root, node);
    const conditional = conditionalRequired(n);
    for (const [key, own] of Object.entries(n.properties ?? {})) {
      const p = path ? `${path}.${key}` : key;
      const required = n.required?.includes(key) ? "yes" : conditional.has(key) ? conditional.get(key)!.join("; or ") : undefined;
      out.push({ path: p, node: resolved(root, own), own, field: key, required });
      walk(own, p, key);
    }
    const extra = n.additionalProperties;
    if (extra && typeof extra === "object") {
      const p = `${path}.${keyNames[field] ?? "<name>"}`;
      out.push({ path: p, node: resolved(root, extra), own: extra, field });
      walk(extra, p, field);
    }
    if (n.items) {
      const items = resolved(root, n.items);
      const p = `${path}[]`;
      // A list of plain values is described by its field; a list of objects (or an item with its own words) gets a row.
      if (isObjectNode(items) || n.items.description) out.push({ path: p, node: items, own: n.items, field });
      walk(n.items, p, field);
    }
  };
  walk(root, "", "");
  return out;
}

/** The nodes that must carry a `description` of their own: the root, every field, every definition. */
export function undescribed(name: SchemaName): string[] {
  const root = readSchema(name) as SchemaNode;
  const missing: string[] = [];
  const has = (n: SchemaNode | undefined): boolean => typeof n?.description === "string" && n.description.trim().length > 0;
  if (!has(root)) missing.push("(root)");
  for (const f of schemaFields(name)) if (!has(f.own)) missing.push(f.path);
  for (const [def, node] of Object.entries(root.definitions ?? {})) {
    if (!has(node)) missing.push(`definitions.${def}`);
    const fieldsOf = (n: SchemaNode, at: string): void => {
      for (const [k, v] of Object.entries(n.properties ?? {})) {
        if (!has(v)) missing.push(`definitions.${def}${at}.${k}`);
        fieldsOf(v, `${at}.${k}`);
        if (v.items && isObjectNode(v.items)) {
          if (!has(v.items)) missing.push(`definitions.${def}${at}.${k}[]`);
          fieldsOf(v.items, `${at}.${k}[]`);
        }
      }
    };
    fieldsOf(node, "");
  }
  return missing;
}

/** The placeholders of tag templates, by the tags they fill. */
export const tagPlaceholders = { operand: operandTagPlaceholders, extension: extensionTagPlaceholders };

/** The anchor of a value type: per schema, as both schemas have an `extName`. */
const anchor = (schema: SchemaName, def: string): string => `${schema}-${def.toLowerCase()}`;

function typeOf(schema: SchemaName, root: SchemaNode, own: SchemaNode, field: string): string {
  const def = definitionName(own);
  const node = resolved(root, own);
  if (node.enum) return `one of ${node.enum.map((v) => `\`${String(v)}\``).join(", ")}`;
  const kind = Array.isArray(node.type) ? node.type.join(" or ") : node.type;
  if (kind === "array") return `list of ${node.items ? typeOf(schema, root, node.items, field) : "values"}`;
  if (kind === "object" && !node.properties && typeof node.additionalProperties === "object")
    return `mapping of \`${keyNames[field] ?? "<name>"}\` to ${typeOf(schema, root, node.additionalProperties, field)}`;
  if (kind === "object") return "mapping";
  if (def) return `${kind ?? "value"} ([${def}](#${anchor(schema, def)}))`;
  if (kind === "integer" && node.minimum !== undefined && node.maximum !== undefined) return `integer, ${node.minimum} to ${node.maximum}`;
  return kind ?? "value";
}

const defaultOf = (node: SchemaNode): string => ("default" in node ? `\`${JSON.stringify(node.default)}\`` : "");

const documents: { name: SchemaName; file: string; heading: string }[] = [
  { name: "config", file: "schemas/config.schema.json", heading: "pgbake.yaml" },
  { name: "extension", file: "schemas/extension.schema.json", heading: "extensions/&lt;name&gt;.yaml" },
];

function schemaSection(doc: (typeof documents)[number]): string[] {
  const root = readSchema(doc.name) as SchemaNode;
  const lines = [`## ${doc.heading}`, "", `From \`${doc.file}\`. ${root.description ?? ""}`, ""];
  for (const f of schemaFields(doc.name)) {
    const facts = [`Type: ${typeOf(doc.name, root, f.own, f.field)}.`];
    if (f.required) facts.push(`Required${f.required === "yes" ? "" : ` ${f.required}`}.`);
    if ("default" in f.node) facts.push(`Default: ${defaultOf(f.node)}.`);
    lines.push(`### \`${f.path}\``, "", facts.join(" "), "", f.own.description ?? f.node.description ?? "", "");
  }
  lines.push("### Value types", "", "| name | type | meaning |", "| --- | --- | --- |");
  for (const [def, node] of Object.entries(root.definitions ?? {}))
    if (!isObjectNode(node)) lines.push(`| <a id="${anchor(doc.name, def)}"></a>\`${def}\` | ${node.type ?? "value"} | ${markdownCell(node.description ?? "")} |`);
  lines.push("");
  return lines;
}

/** The placeholders of an extension file's apt fields. */
export const extensionPlaceholders = { package: packagePlaceholders, package_version: packageVersionPlaceholders };

const placeholderTable = (placeholders: Readonly<Record<string, string>>): string[] => [
  "| placeholder | becomes |",
  "| --- | --- |",
  ...Object.entries(placeholders).map(([key, text]) => `| \`{${key}}\` | ${markdownCell(text)} |`),
  "",
];

function placeholderSection(): string[] {
  const lines = [
    "## Tag placeholders",
    "",
    "`tags.operand` and `tags.extension` of pgbake.yaml are templates: each `{name}` below is replaced per image,",
    "any other `{name}` is an error. Listed in `src/model/naming.ts`, which the validator and the planner use.",
    "",
  ];
  for (const [kind, placeholders] of Object.entries(tagPlaceholders)) lines.push(`### In \`tags.${kind}\``, "", ...placeholderTable(placeholders));
  lines.push("## Placeholders in an extension's apt fields", "", ...placeholderTable({ ...packagePlaceholders, ...packageVersionPlaceholders }));
  return lines;
}

/** The whole page, ending in one newline. */
export function referenceMarkdown(): string {
  const lines = [
    "# Reference: pgbake.yaml and extension files",
    "",
    "Generated by `npm run docs` from `schemas/*.schema.json` (the descriptions editors show) and the tag",
    "placeholders of `src/model/naming.ts`: do not edit (tests/reference-docs.test.ts compares it with the generator).",
    "Field paths: `.<base>`, `.<type>`, ... stand for a key of a mapping; `[]` for an entry of a list.",
    "",
    ...documents.flatMap(schemaSection),
    ...placeholderSection(),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}
