// The schema validators. `npm run build` compiles the schemas once into standalone validator
// code next to this module (scripts/build-validators.mjs), so a run of the CLI loads them instead
// of compiling the schemas again; from the TypeScript sources (tests) they are compiled here.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Options, ValidateFunction } from "ajv";
import { packageRoot } from "../model/paths.js";

export type SchemaName = "config" | "extension";
export const schemaNames: SchemaName[] = ["config", "extension"];

// verbose: errors carry the offending value, so messages can say what was found.
export const ajvOptions: Options = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true };

const require = createRequire(import.meta.url);
const compiled = new Map<SchemaName, ValidateFunction>();

/** Where the build puts the standalone validator of `name`. */
export const standalonePath = (name: SchemaName): string => join(fileURLToPath(new URL(".", import.meta.url)), "validators", `${name}.cjs`);

export const readSchema = (name: SchemaName): object => JSON.parse(readFileSync(join(packageRoot(), "schemas", `${name}.schema.json`), "utf8")) as object;

export function schemaValidator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    const standalone = standalonePath(name);
    if (existsSync(standalone)) {
      fn = require(standalone) as ValidateFunction;
    } else {
      const { Ajv } = require("ajv") as typeof import("ajv");
      fn = new Ajv(ajvOptions).compile(readSchema(name));
    }
    compiled.set(name, fn);
  }
  return fn;
}
