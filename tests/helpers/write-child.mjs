// A child process that writes a rendered set (a JSON file of {path, content, mode}) into a
// directory with pgbake's built writer: `node write-child.mjs OUT_DIR SET.json`.
import { readFileSync } from "node:fs";
import { writeOutputs } from "../../dist/src/write/index.js";

const [outDir, setFile] = process.argv.slice(2);
writeOutputs(outDir, JSON.parse(readFileSync(setFile, "utf8")));
