// JSON Schema checks (ajv), reported with YAML source positions; all errors at once.
import type { ErrorObject } from "ajv";
import type { SourceDoc } from "../load/index.js";
import { InputError } from "../model/errors.js";
import { didYouMean } from "./suggest.js";
import { expectedForPattern, shown, typeName } from "./expected.js";
import { formatPath, parsePointer, positionOf, sourceTextAt } from "./position.js";

import { schemaValidator } from "./validators.js";

const MAX_REPORTED = 50;

export { schemaValidator };

/** Why a field is required only sometimes (the schema's if/then rules). */
const conditional: Record<string, string> = {
  package: " (kind package needs it)",
  source: " (kinds source and tool need it)",
  disabled_reason: " (disabled: true needs it)",
};

/** `source`: the value as written in the file, for numbers that YAML read differently (1.10 → 1.1, 1e400 → Infinity). */
function describe(err: ErrorObject, source?: string): { extraPath?: string; message: string } {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "additionalProperties": {
      const field = String(p.additionalProperty);
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = didYouMean(field, known) || (known.length > 0 && known.length <= 8 ? ` (expected one of ${known.join(", ")})` : "");
      return { extraPath: field, message: `unknown field${hint}` };
    }
    case "required": {
      const field = String(p.missingProperty);
      const why = err.schemaPath.includes("/then/") ? (conditional[field] ?? "") : "";
      return { message: `missing required field '${field}'${why}` };
    }
    case "enum":
      return { message: `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, got ${shown(err.data)}` };
    case "pattern":
      return { message: expectedForPattern(String(p.pattern), err.data) };
    case "type": {
      const want = String(p.type);
      // YAML reads 1.10 or yes as a number or boolean; the fix is quoting.
      const written = typeof err.data === "number" && source !== undefined && !/["'\n]/.test(source) ? source : undefined;
      let quote = want === "string" && (typeof err.data === "number" || typeof err.data === "boolean") ? ` (quote it: ${JSON.stringify(written ?? String(err.data))})` : "";
      if ((want === "integer" || want === "number") && typeof err.data === "string" && /^[0-9]+$/.test(err.data)) quote = " (write it without quotes)";
      if (typeof err.data === "number" && Number.isNaN(err.data)) quote = " (YAML's not-a-number)";
      else if (typeof err.data === "number" && !Number.isFinite(err.data)) quote = /^[-+]?\.inf$/i.test(written ?? "") ? " (YAML's infinity)" : " (too large for a number)";
      const got = written !== undefined ? `number ${written.length > 60 ? `${written.slice(0, 57)}...` : written}` : typeName(err.data);
      return { message: `expected ${want === "object" ? "a mapping" : want === "array" ? "a list" : want}, got ${got}${quote}` };
    }
    case "minItems":
      return { message: `expected at least ${String(p.limit)} item(s)` };
    case "minProperties":
      return { message: `expected at least ${String(p.limit)} entr${p.limit === 1 ? "y" : "ies"}` };
    case "uniqueItems":
      return { message: `items ${String(p.j)} and ${String(p.i)} are the same` };
    case "minimum":
    case "maximum":
      return { message: `expected a number ${err.keyword === "minimum" ? ">=" : "<="} ${String(p.limit)}, got ${source ?? shown(err.data)}` };
    case "minLength":
      return { message: `expected at least ${String(p.limit)} character(s)` };
    case "maxLength":
      return { message: `expected at most ${String(p.limit)} characters, got ${String((err.data as string).length)}` };
    default:
      return { message: err.message ?? err.keyword };
  }
}

export function checkSchema(src: SourceDoc, name: "config" | "extension"): InputError[] {
  const validate = schemaValidator(name);
  if (validate(src.data)) return [];
  const out: InputError[] = [];
  const seen = new Set<string>();
  // Enough to fix a file by; more would only cost time (each is placed by a walk of its mapping).
  const all = validate.errors ?? [];
  for (const err of all.slice(0, MAX_REPORTED)) {
    // `if/then` wrappers repeat the inner error; a propertyNames error wraps the pattern error
    // of the key, which is the one that says what was expected.
    if (err.keyword === "if" || err.keyword === "propertyNames") continue;
    const path = parsePointer(err.instancePath, src.data);
    const badKey = err.propertyName;
    const { extraPath, message } = badKey !== undefined ? { extraPath: badKey, message: `invalid name: ${describe({ ...err, data: badKey }).message}` } : describe(err, sourceTextAt(src, path));
    const full = extraPath !== undefined ? [...path, extraPath] : path;
    const pos = positionOf(src, full, extraPath !== undefined);
    const key = `${formatPath(full)}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(new InputError(src.file, pos.line, pos.column, formatPath(full), message));
  }
  if (all.length > MAX_REPORTED) out.push(new InputError(src.file, 0, 0, "", `and ${all.length - MAX_REPORTED} more problems in this file`));
  // A misspelt required field is one mistake: keep "unknown field (did you mean 'x'?)", drop "missing 'x'".
  const typos = new Set(out.map((e) => /did you mean '([^']+)'/.exec(e.message) && `${e.path.replace(/(\.|^)[^.[\]]+$/, "")}|${/did you mean '([^']+)'/.exec(e.message)![1]}`));
  return out.filter((e) => {
    const m = /^missing required field '([^']+)'/.exec(e.message);
    return !(m && typos.has(`${e.path}|${m[1]}`));
  });
}
