// `import bake`: the source printed by real buildx, the config made from the print, and the
// round trip (the config generated in a scratch directory and printed by buildx in turn).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { stringify } from "yaml";
import { InputError, InputErrors } from "../model/errors.js";
import { run } from "../model/process.js";
import { planFrom, renderFrom } from "../pipeline/index.js";
import { writeOutputs } from "../write/index.js";
import { compareBakePrints } from "./bake-compare.js";
import { configFromPrint, type BakeImport, type BakePrint } from "./bake-config.js";
import type { ReportItem } from "./cnpg-extensions.js";

/** `docker buildx bake --print`: buildx's own message (with file:line) when it refuses the file. */
export async function bakePrint(file: string, targets: string[] = [], env: Record<string, string> = {}): Promise<BakePrint> {
  const r = await run("docker", ["buildx", "bake", "--file", basename(file), "--print", ...targets], {
    cwd: dirname(file),
    env: { ...env, BUILDX_BAKE_ENTITLEMENTS_FS: "0" },
  });
  if (r.exitCode !== 0) {
    // buildx's last ERROR line, `docker-bake.hcl:17,1-7: message`, as file:line:column.
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    const last = lines.filter((l) => l.startsWith("ERROR:")).pop() ?? lines.pop() ?? "failed";
    const at = /^ERROR: (?:[^:\s]+):(\d+),(\d+)(?:-\d+(?:,\d+)?)?: (.*)$/.exec(last);
    throw new InputErrors([
      at
        ? new InputError(file, Number(at[1]), Number(at[2]), "", `docker buildx bake --print: ${at[3]!}`)
        : new InputError(file, 0, 0, "", `docker buildx bake --print refused it: ${last.replace(/^ERROR: /, "")}`),
    ]);
  }
  return JSON.parse(r.stdout) as BakePrint;
}

export function configYaml(config: [string, unknown][], header: string): string {
  const lines = [`# ${header}`, "# yaml-language-server: $schema=node_modules/pgbake/schemas/config.schema.json"];
  for (const [key, value] of config) lines.push(stringify({ [key]: value }, { lineWidth: 100 }).trimEnd());
  return `${lines.join("\n")}\n`;
}

/** The config from the file, and the differences between its --print and the generated file's. */
export async function importBake(file: string, header: string, vars: Record<string, string> = {}): Promise<BakeImport & { text: string; roundTrip: ReportItem[]; source: BakePrint }> {
  // Bake variables come from the environment, as for `NAME=VALUE docker buildx bake`.
  const source = await bakePrint(file, [], vars);
  const imported = configFromPrint(source, basename(file));
  if (imported.config.length === 0) return { ...imported, text: "", roundTrip: [], source };
  const text = configYaml(imported.config, header);
  const scratch = mkdtempSync(join(tmpdir(), "pgbake-import-bake-"));
  try {
    const config = join(scratch, "pgbake.yaml");
    writeFileSync(config, text.replace(/^output: \.$/m, "output: ./out"));
    const planned = planFrom({ config });
    writeOutputs(planned.outDir, renderFrom(planned).files);
    const names = planned.plan.operands.map((o) => o.name);
    const printed = await bakePrint(join(planned.outDir, "docker-bake.hcl"), names, imported.timestamp ? { timestamp: imported.timestamp } : {});
    const ours: BakePrint = { target: Object.fromEntries(Object.entries(printed.target).filter(([n]) => names.includes(n))) };
    return { ...imported, text, roundTrip: compareBakePrints(source, ours, imported.operands), source };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
