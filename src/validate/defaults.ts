// Defaults of optional fields come from the schemas (`default`), the one place they are written:
// convert.ts fills them in through schemaDefault, and tests/input-shape.test.ts holds the two together.
import { readSchema, type SchemaName } from "./validators.js";

type Node = { $ref?: string; default?: unknown; description?: string; properties?: Record<string, Node>; additionalProperties?: Node | boolean; items?: Node; definitions?: Record<string, Node> };

const schemas = new Map<SchemaName, Node>();
const schema = (name: SchemaName): Node => {
  let s = schemas.get(name);
  if (!s) schemas.set(name, (s = readSchema(name) as Node));
  return s;
};

function resolve(root: Node, node: Node): Node {
  const ref = node.$ref && /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1];
  return ref ? { ...root.definitions![ref]!, ...node, $ref: undefined } : node;
}

/** The schema node at `path`: property names, `*` for a map entry or a list item. */
export function schemaNode(name: SchemaName, path: string[]): Node | undefined {
  const root = schema(name);
  let node: Node | undefined = root;
  for (const seg of path) {
    if (!node) return undefined;
    node = resolve(root, node);
    if (seg === "*") node = node.items ?? (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
    else node = node.properties?.[seg];
  }
  return node && resolve(root, node);
}

/** The `default` the schema gives the field at `path`; throws when it gives none (a bug here). */
export function schemaDefault<T>(name: SchemaName, path: string[]): T {
  const node = schemaNode(name, path);
  if (!node || !("default" in node)) throw new Error(`schemas/${name}.schema.json has no default for ${path.join(".")}`);
  return structuredClone(node.default) as T;
}
