// Where the last successful `pgbake bake --push` pushed, kept beside the generated files: `pgbake
// test` pulls from there, so testing what was just pushed to another registry (`--registry
// localhost:5000`, or the bake variable `registry` in the environment) needs no second
// --registry. Not a generated file: `generate` neither lists nor removes it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileWhole } from "../write/whole.js";

export const LAST_PUSH = ".pgbake-last-push.json";

export interface LastPush {
  registry: string;
  /** When the push ended (ISO 8601, UTC). */
  at: string;
}

export function recordPush(outDir: string, registry: string): void {
  const file = join(outDir, LAST_PUSH);
  const record: LastPush = { registry, at: new Date().toISOString() };
  writeFileWhole(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** The record, if there is a readable one. */
export function lastPush(outDir: string): LastPush | undefined {
  try {
    const data = JSON.parse(readFileSync(join(outDir, LAST_PUSH), "utf8")) as Partial<LastPush>;
    return typeof data.registry === "string" && data.registry !== "" ? { registry: data.registry, at: String(data.at ?? "") } : undefined;
  } catch {
    return undefined;
  }
}

/** The registry `pgbake test` pulls from, and why that one (printed before the first pull). */
export function testRegistry(given: string | undefined, outDir: string, configured: string): { registry: string; why: string } {
  if (given !== undefined) return { registry: given, why: "--registry" };
  const pushed = lastPush(outDir);
  if (pushed) return { registry: pushed.registry, why: `where the last pgbake bake --push pushed, ${pushed.at}; --registry for another` };
  return { registry: configured, why: "the config's registry; --registry for another" };
}
