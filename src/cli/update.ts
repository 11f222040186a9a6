// `pgbake update`: moves every pin to what its source serves now (src/update), prints the change
// table (Markdown, so the weekly workflow can make it a pull request's body) and regenerates, the
// edited inputs and the outputs committed as one set. Every network read is announced on stderr
// and bounded in time (--timeout per request, --deadline for the run).
import { planFrom, type InputPaths, type Planned } from "../pipeline/index.js";
import { displayPath, visible } from "../model/errors.js";
import { markdownCell } from "../model/markdown.js";
import { inputsOf } from "../pipeline/index.js";
import { editedInputs, writeApplied } from "../update/apply.js";
import { DEFAULT_DEADLINE_SECONDS, DEFAULT_REQUEST_SECONDS, type NetworkBudget } from "../update/http.js";
import { findPinChanges, UPDATE_KINDS, type PinChange, type UpdateKind } from "../update/pins.js";
import { didYouMean } from "../validate/suggest.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { JOURNAL, recoverInterrupted, STAGING_DIR } from "../write/index.js";
import { absentReason, missingAdvice, type MissingPackage } from "../update/suites.js";

export interface UpdateFlags {
  check?: boolean;
  dryRun?: boolean;
  only?: string;
  keyrings?: string[];
  /** Seconds each network request may take. */
  timeout?: string;
  /** Seconds the whole update may take. */
  deadline?: string;
  /** Only this base's repositories and image. */
  base?: string;
  /** Write each package a suite lacks as the fact `suites.<suite>.<major>.absent`. */
  excludeMissing?: boolean;
}

import { UsageError } from "./usage.js";

export class UpdateUsageError extends UsageError {}

export function parseOnly(only: string | undefined): Set<UpdateKind> {
  if (only === undefined) return new Set(UPDATE_KINDS);
  const kinds = only
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = kinds.filter((k) => !(UPDATE_KINDS as readonly string[]).includes(k));
  if (bad.length > 0 || kinds.length === 0) throw new UpdateUsageError(`--only takes a comma-separated list of ${UPDATE_KINDS.join(", ")}, not '${only}'`);
  return new Set(kinds as UpdateKind[]);
}

/** A number of seconds from the command line (`--timeout 5`, `--deadline 0.5`). */
export function parseSeconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback * 1000;
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !(n > 0) || n > 86_400) throw new UpdateUsageError(`--${flag} takes a number of seconds (at most 86400), not '${value}'`);
  return n * 1000;
}

function checkBase(planned: Planned, base: string | undefined): void {
  if (base === undefined) return;
  const names = planned.config.bases.map((b) => b.name);
  if (!names.includes(base)) throw new UpdateUsageError(`--base: no base '${base}' in ${displayPath(planned.config.file)}${didYouMean(base, names) || ` (bases: ${names.join(", ")})`}`);
}

/** The change table, one row per pin, Markdown. */
export function changeTable(changes: PinChange[]): string {
  const rows = changes.map((c) => `| ${markdownCell(c.pin)} | ${markdownCell(displayPath(c.file))} | ${markdownCell(c.old)} | ${markdownCell(c.new)} | ${c.rebuilds} |`);
  return ["| pin | file | old | new | targets rebuilt |", "| --- | --- | --- | --- | ---: |", ...rows].join("\n");
}

/** Every package a suite lacks, one table, with what to do about each. */
export function missingTable(missing: MissingPackage[]): string {
  const rows = missing.map(
    (m) => `| ${markdownCell(m.extension)} | ${m.major} | ${markdownCell(m.suite)} | ${markdownCell(m.package)} | ${markdownCell(m.archs.join(", "))} | ${markdownCell(missingAdvice(m))} |`,
  );
  return ["| extension | PG | suite | package | missing for | what to do |", "| --- | ---: | --- | --- | --- | --- |", ...rows].join("\n");
}

/** The facts `--exclude-missing` would write, as YAML a reader can paste. */
function offeredFacts(missing: MissingPackage[]): string {
  return missing.map((m) => `${displayPath(m.file)}:\n  suites:\n    ${m.suite}:\n      "${m.major}": { absent: ${JSON.stringify(absentReason(m))} }`).join("\n");
}

export async function runUpdate(paths: InputPaths, flags: UpdateFlags, print: (s: string) => void, progress: (line: string) => void = () => undefined): Promise<number> {
  const only = parseOnly(flags.only);
  const budget: NetworkBudget = {
    requestMs: parseSeconds("timeout", flags.timeout, DEFAULT_REQUEST_SECONDS),
    deadlineMs: parseSeconds("deadline", flags.deadline, DEFAULT_DEADLINE_SECONDS),
    started: Date.now(),
    progress: (line) => progress(visible(line)),
  };
  let planned = planFrom(paths);
  checkBase(planned, flags.base);
  // An update a crash interrupted is finished first: its inputs are what this one starts from.
  if ([JOURNAL, STAGING_DIR].some((f) => existsSync(join(planned.outDir, f)))) {
    if (flags.check || flags.dryRun) print(`note: a write to ${displayPath(planned.outDir)} was interrupted; the next \`pgbake generate\` or \`pgbake update\` finishes it`);
    else {
      recoverInterrupted(planned.outDir, undefined, inputsOf(planned));
      planned = planFrom(paths);
    }
  }
  const result = await findPinChanges(planned.config, planned.catalog.extensions, planned.plan, {
    only,
    keyrings: flags.keyrings ?? [],
    budget,
    base: flags.base,
    excludeMissing: flags.excludeMissing,
  });
  if (flags.base !== undefined) result.notes.unshift(`only base ${flags.base} was read (--base): the other bases were not checked`);
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
    print(`${table}\n\ndry run: ${result.changes.length} pin(s) would change in ${applied.edits.length} file(s); nothing written`);
    return 0;
  }
  const written = writeApplied(applied, (m) => progress(m));
  print(
    `${table}\n\n${result.changes.length} pin(s) changed in ${written.yaml.map((f) => displayPath(f)).join(", ")}; ` +
      `regenerated: ${written.outputs.written.length} files written, ${written.outputs.removed.length} removed in ${displayPath(applied.planned.outDir)}`,
  );
  return 0;
}
