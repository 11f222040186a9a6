// `npm run docs`: writes docs/reference.md from the schemas and the tag placeholders (after
// `npm run build`, like build-validators.mjs it runs the compiled generator in dist/).
// tests/reference-docs.test.ts fails when the committed page differs from this output.
import { writeFileSync } from "node:fs";
import { referenceMarkdown } from "../dist/src/docs/reference.js";

writeFileSync(new URL("../docs/reference.md", import.meta.url), referenceMarkdown());
