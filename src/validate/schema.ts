// JSON Schema checks (ajv), reported with YAML source positions; all errors at once.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { SourceDoc } from "../load/index.js";
import { packageRoot } from "../model/paths.js";
import { InputError } from "./errors.js";
import { formatPath, parsePointer, positionOf } from "./position.js";

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const compiled = new Map<string, ValidateFunction>();

export function schemaValidator(name: "config" | "extension"): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), "schemas", `${name}.schema.json`), "utf8"));
    fn = ajv.compile(schema);
    compiled.set(name, fn);
  }
  return fn;
}

function describe(err: ErrorObject): { extraPath?: string; message: string } {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "additionalProperties":
      return { extraPath: String(p.additionalProperty), message: "unknown field" };
    case "required":
      return { message: `missing required field '${String(p.missingProperty)}'` };
    case "enum":
      return { message: `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "pattern":
      return { message: `does not match the expected form ${String(p.pattern)}` };
    case "type":
      return { message: `expected ${String(p.type)}` };
    case "propertyNames":
      return { message: `invalid name '${String(p.propertyName)}'` };
    default:
      return { message: err.message ?? err.keyword };
  }
}

export function checkSchema(src: SourceDoc, name: "config" | "extension"): InputError[] {
  const validate = schemaValidator(name);
  if (validate(src.data)) return [];
  const out: InputError[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    // `if/then` wrappers repeat the inner error; propertyNames repeats as pattern errors.
    if (err.keyword === "if") continue;
    const path = parsePointer(err.instancePath, src.data);
    const { extraPath, message } = describe(err);
    if (err.keyword === "pattern" && err.propertyName !== undefined) continue;
    const full = extraPath ? [...path, extraPath] : path;
    const pos = positionOf(src, full, extraPath !== undefined || err.keyword === "propertyNames");
    const key = `${formatPath(full)}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(new InputError(src.file, pos.line, pos.column, formatPath(full), message));
  }
  return out;
}
