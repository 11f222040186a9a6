// `pgbake outdated`: which pushed images lack what their repositories serve now (a report; exit 1
// when any does), and the selection `pgbake bake --outdated` builds from the same reading.
import type { Planned } from "../pipeline/index.js";
import { visible } from "../model/errors.js";
import { DEFAULT_DEADLINE_SECONDS, DEFAULT_REQUEST_SECONDS, type NetworkBudget } from "../update/http.js";
import { findOutdated, isBehind, refreshSelection, type FreshnessReport, type ImageFreshness } from "../freshness/outdated.js";
import { parseSeconds } from "./update.js";

export interface OutdatedFlags {
  registry?: string;
  keyrings?: string[];
  json?: boolean;
  timeout?: string;
  deadline?: string;
}

export function readFreshness(planned: Planned, flags: OutdatedFlags, progress: (line: string) => void): Promise<FreshnessReport> {
  const budget: NetworkBudget = {
    requestMs: parseSeconds("timeout", flags.timeout, DEFAULT_REQUEST_SECONDS),
    deadlineMs: parseSeconds("deadline", flags.deadline, DEFAULT_DEADLINE_SECONDS),
    started: Date.now(),
    progress: (line) => progress(visible(line)),
  };
  return findOutdated(planned.config, planned.plan, { registry: flags.registry, keyrings: flags.keyrings ?? [], budget, progress });
}

/** How long ago an RFC 2822 date was, in the largest whole unit. */
function age(date: string | undefined, now: number): string {
  const t = date ? Date.parse(date) : NaN;
  if (Number.isNaN(t)) return "";
  const min = Math.max(0, Math.round((now - t) / 60_000));
  const span = min < 120 ? `${min} min` : min < 2880 ? `${Math.round(min / 60)} h` : `${Math.round(min / 1440)} days`;
  return ` (available for ${span})`;
}

function imageLines(i: ImageFreshness, now: number): string[] {
  const lines = [`${i.target} ${i.image}`];
  for (const p of i.packages) lines.push(`  ${p.name} ${p.installed} -> ${p.available} from ${p.from}${p.security ? " [security]" : ""}${age(p.since, now)}`);
  for (const p of i.pins) lines.push(`  pin ${p.name}=${p.pin}: ${p.newest} is out of it (run 'pgbake update')`);
  if (i.baseMoved) lines.push(`  base ${i.baseMoved} moved: its layers are no longer this image's first layers`);
  return lines;
}

export async function runOutdated(planned: Planned, flags: OutdatedFlags, print: (s: string) => void, progress: (line: string) => void): Promise<number> {
  const report = await readFreshness(planned, flags, progress);
  const stale = report.images.filter(isBehind);
  // rebuild: what `bake --outdated` builds from this reading (a pin alone rebuilds nothing).
  if (flags.json) print(JSON.stringify({ ...report, outdated: stale.map((i) => i.target), rebuild: refreshSelection(planned.plan, report).build }, null, 2));
  else {
    for (const note of report.notes) print(`note: ${note}`);
    if (report.absent.length > 0) print(`not in the registry: ${report.absent.join(", ")}`);
    const now = Date.now();
    for (const i of stale) print(imageLines(i, now).join("\n"));
    print(stale.length === 0 ? `all ${report.images.length} images current` : `${stale.length} of ${report.images.length} images outdated (pgbake bake --outdated rebuilds them)`);
  }
  return stale.length > 0 ? 1 : 0;
}

/** `bake --outdated`: the targets to build and the `--set` that refreshes their apt steps. */
export async function outdatedBake(planned: Planned, flags: OutdatedFlags, print: (s: string) => void, progress: (line: string) => void): Promise<{ targets: string[]; set: string[] }> {
  const report = await readFreshness(planned, flags, progress);
  const { refresh, build } = refreshSelection(planned.plan, report);
  if (report.absent.length > 0) print(`note: not in the registry, not built by --outdated: ${report.absent.join(", ")}`);
  if (build.length > 0) print(`outdated: rebuilding ${build.join(", ")} (apt steps refreshed in ${[...refresh.keys()].join(", ")})`);
  return { targets: build, set: [...refresh].map(([t, token]) => `${t}.args.APT_REFRESH=${token}`) };
}
