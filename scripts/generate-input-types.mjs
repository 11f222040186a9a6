// `npm run schema-types`: writes src/model/input.generated.ts from the schemas (after `npm run
// build`, like generate-docs.mjs it runs the compiled generator in dist/).
// tests/input-types.test.ts fails when the committed file differs from this output.
import { writeFileSync } from "node:fs";
import { inputTypesSource } from "../dist/src/validate/input-types.js";

writeFileSync(new URL("../src/model/input.generated.ts", import.meta.url), inputTypesSource());
