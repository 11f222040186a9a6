// `pgbake update`: moves every pin to what its source serves now (src/update), prints the change
// table (Markdown, so the weekly workflow can make it a pull request's body) and regenerates.
import { planFrom, type InputPaths } from "../pipeline/index.js";
import { displayPath } from "../model/errors.js";
import { editedInputs, writeApplied } from "../update/apply.js";
import { findPinChanges, UPDATE_KINDS, type PinChange, type UpdateKind } from "../update/pins.js";

export interface UpdateFlags {
  check?: boolean;
  dryRun?: boolean;
  only?: string;
  keyrings?: string[];
}

import { UsageError } from "./usage.js";

export class UpdateUsageError extends UsageError {}

export function parseOnly(only: string | undefined): Set<UpdateKind> {
  if (only === undefined) return new Set(UPDATE_KINDS);
  const kinds = only.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = kinds.filter((k) => !(UPDATE_KINDS as readonly string[]).includes(k));
  if (bad.length > 0 || kinds.length === 0) throw new UpdateUsageError(`--only takes a comma-separated list of ${UPDATE_KINDS.join(", ")}, not '${only}'`);
  return new Set(kinds as UpdateKind[]);
}

const cell = (s: string): string => s.replace(/\|/g, "\\|");

/** The change table, one row per pin, Markdown. */
export function changeTable(changes: PinChange[]): string {
  const rows = changes.map((c) => `| ${cell(c.pin)} | ${cell(displayPath(c.file))} | ${cell(c.old)} | ${cell(c.new)} | ${c.rebuilds} |`);
  return ["| pin | file | old | new | targets rebuilt |", "| --- | --- | --- | --- | ---: |", ...rows].join("\n");
}

export async function runUpdate(paths: InputPaths, flags: UpdateFlags, print: (s: string) => void): Promise<number> {
  const only = parseOnly(flags.only);
  const planned = planFrom(paths);
  const result = await findPinChanges(planned.config, planned.catalog.extensions, planned.plan, { only, keyrings: flags.keyrings ?? [] });
  for (const note of result.notes) print(`note: ${note}`);
  const what = [...only].join(", ");
  if (result.changes.length === 0) {
    print(`all pins current (${what})`);
    return 0;
  }
  const table = changeTable(result.changes);
  if (flags.check) {
    print(`${result.changes.length} stale pin(s) (run 'pgbake update' to move them):\n\n${table}`);
    return 1;
  }
  // Edits are planned and rendered before anything is written, with --dry-run too: a dry run
  // that passes is one whose real run writes.
  const applied = editedInputs(paths, result.edits);
  if (flags.dryRun) {
    print(`${table}\n\ndry run: ${result.changes.length} pin(s) would change in ${applied.texts.size} file(s); nothing written`);
    return 0;
  }
  const written = writeApplied(applied);
  print(
    `${table}\n\n${result.changes.length} pin(s) changed in ${written.yaml.map((f) => displayPath(f)).join(", ")}; ` +
      `regenerated: ${written.outputs.written.length} files written, ${written.outputs.removed.length} removed in ${displayPath(applied.planned.outDir)}`,
  );
  return 0;
}
