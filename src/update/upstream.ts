// Values that come from upstream (a version an apt index lists, a tag a remote has) are held to
// the same rules as values a user writes: the schema's pattern and length for the field they go
// into. One that does not fit is skipped with a note naming it, never written into a file where
// validation would then blame a line the user did not write.
import { readSchema, type SchemaName } from "../validate/validators.js";
import { visible } from "../model/errors.js";

interface StringRule {
  pattern?: string;
  maxLength?: number;
}

function ruleAt(schema: SchemaName, path: string[]): StringRule {
  const root = readSchema(schema) as Record<string, unknown>;
  let node = root;
  const deref = (n: Record<string, unknown>): Record<string, unknown> => {
    let cur = n;
    while (typeof cur.$ref === "string") {
      const target = cur.$ref
        .replace(/^#\//, "")
        .split("/")
        .reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, root);
      cur = { ...target, ...Object.fromEntries(Object.entries(cur).filter(([k]) => k !== "$ref")) };
    }
    return cur;
  };
  for (const key of path) node = deref(node)[key] as Record<string, unknown>;
  node = deref(node);
  return { pattern: node.pattern as string | undefined, maxLength: node.maxLength as number | undefined };
}

/** A check of an upstream value against the field it goes into: why it does not fit, or undefined. */
export function upstreamCheck(schema: SchemaName, path: string[]): (value: string) => string | undefined {
  const rule = ruleAt(schema, path);
  const re = rule.pattern ? new RegExp(rule.pattern, "u") : undefined;
  return (value) => {
    if (rule.maxLength !== undefined && value.length > rule.maxLength) return `${value.length} characters, more than the ${rule.maxLength} the field allows`;
    if (re && !re.test(value)) return `not of the form the field allows (${rule.pattern})`;
    return undefined;
  };
}

/** An upstream value as a note shows it: escaped, and cut when long. */
export const shownValue = (value: string): string => {
  const cut = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  return `'${visible(cut)}'`;
};

export const pgVersionFits = (): ((value: string) => string | undefined) => upstreamCheck("config", ["properties", "postgres", "items", "properties", "version"]);
export const extensionVersionFits = (): ((value: string) => string | undefined) => upstreamCheck("extension", ["properties", "version"]);
export const sourceTagFits = (): ((value: string) => string | undefined) => upstreamCheck("extension", ["properties", "source", "properties", "tag"]);
