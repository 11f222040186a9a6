// Part of `npm run build`: compiles schemas/*.schema.json with ajv, once, into standalone
// validator code (dist/src/validate/validators/NAME.cjs) that the CLI loads instead of compiling
// the schemas at every run. Same options as the run-time compile (src/validate/validators.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { ajvOptions, readSchema, schemaNames, standalonePath } from "../dist/src/validate/validators.js";

for (const name of schemaNames) {
  const ajv = new Ajv({ ...ajvOptions, code: { source: true } });
  const code = standaloneCode.default(ajv, ajv.compile(readSchema(name)));
  const file = standalonePath(name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, code);
}
