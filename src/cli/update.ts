// `pgbake update`: moves every pin to what its source serves now (src/update), prints the change
// table (Markdown, so the weekly workflow can make it a pull request's body) and regenerates.
import { planFrom, type InputPaths } from "../pipeline/index.js";
import { displayPath } from "../model/errors.js";
import { editedInputs, writeApplied } from "../update/apply.js";
import { findPinChanges, UPDATE_KINDS, type PinChange, type UpdateKind } from "../update/pins.js";
import { absentReason, missingAdvice, type MissingPackage } from "../update/suites.js";

export interface UpdateFlags {
  check?: boolean;
  dryRun?: boolean;
  only?: string;
  keyrings?: string[];
  /** Write each package a suite lacks as the fact `suites.<suite>.<major>.absent`. */
  excludeMissing?: boolean;
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

/** Every package a suite lacks, one table, with what to do about each. */
export function missingTable(missing: MissingPackage[]): string {
  const rows = missing.map((m) => `| ${cell(m.extension)} | ${m.major} | ${cell(m.suite)} | ${cell(m.package)} | ${cell(m.archs.join(", "))} | ${cell(missingAdvice(m))} |`);
  return ["| extension | PG | suite | package | missing for | what to do |", "| --- | ---: | --- | --- | --- | --- |", ...rows].join("\n");
}

/** The facts `--exclude-missing` would write, as YAML a reader can paste. */
function offeredFacts(missing: MissingPackage[]): string {
  return missing
    .map((m) => `${displayPath(m.file)}:\n  suites:\n    ${m.suite}:\n      "${m.major}": { absent: ${JSON.stringify(absentReason(m))} }`)
    .join("\n");
}

export async function runUpdate(paths: InputPaths, flags: UpdateFlags, print: (s: string) => void): Promise<number> {
  const only = parseOnly(flags.only);
  const planned = planFrom(paths);
  const result = await findPinChanges(planned.config, planned.catalog.extensions, planned.plan, { only, keyrings: flags.keyrings ?? [], excludeMissing: flags.excludeMissing });
  for (const note of result.notes) print(`note: ${note}`);
  if (result.missing.length > 0 && !flags.excludeMissing) {
    print(
      `${result.missing.length} package(s) missing from the suites the plan builds them for (nothing written):\n\n${missingTable(result.missing)}\n\n` +
        `Rerun with --exclude-missing to record each as a fact (images of that suite and major then leave the extension out with its reason):\n\n${offeredFacts(result.missing)}`,
    );
    return 1;
  }
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
