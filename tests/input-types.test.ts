// src/model/input.generated.ts, the TypeScript shape of the YAML input, is what the generator
// makes from the schemas now (run `npm run schema-types` after changing a schema), and the
// generator turns no part of a schema it does not understand into a wrong type.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inputTypesSource } from "../src/validate/input-types.js";
import { readSchema, type SchemaName } from "../src/validate/validators.js";
import { repoRoot } from "./helpers/workspace.js";

/** The schemas with `change` applied to a copy of one of them. */
const changed =
  (which: SchemaName, change: (schema: Record<string, any>) => void) =>
  (name: SchemaName): object => {
    const schema = readSchema(name) as Record<string, any>;
    if (name === which) change(schema);
    return schema;
  };

describe("src/model/input.generated.ts", () => {
  it("is what the generator writes now (run `npm run schema-types` after changing a schema)", () => {
    expect(readFileSync(join(repoRoot, "src/model/input.generated.ts"), "utf8")).toBe(inputTypesSource());
  });

  it("follows a schema's enum: a value added there is in the constant and its type", () => {
    const out = inputTypesSource(changed("extension", (s) => s.properties.source.properties.build.enum.push("cargo")));
    expect(out).toContain('export const SOURCE_BUILDS = ["pgxs", "configure", "cmake", "meson", "pgrx", "go", "cargo"] as const;');
  });

  it("makes a field required where the schema requires it, for a whole entry also unless `override: true`", () => {
    const out = inputTypesSource();
    expect(out).toMatch(/export interface ConfigInput \{[^]*\n {2}postgres: \{[^]*\n {2}types\?: Record<string, \{\n {4}description: string;/);
    expect(out).toMatch(/export interface ExtensionInput \{\n {2}name: string;\n {2}sql_names\?: string\[\];\n {2}description: string;/);
  });

  it("refuses an enum it has no name for, and a keyword that would change the shape", () => {
    expect(() => inputTypesSource(changed("config", (s) => (s.properties.output = { enum: ["a", "b"], description: "d" })))).toThrow(
      "schemas/config.schema.json output: an enum without a name in enumNames",
    );
    expect(() => inputTypesSource(changed("extension", (s) => (s.properties.notes = { anyOf: [{ type: "string" }, { type: "integer" }] })))).toThrow(
      "schemas/extension.schema.json notes: anyOf is not turned into a type",
    );
  });
});
