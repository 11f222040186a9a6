// The round trip of `import bake`: the source's `--print` against the `--print` of what pgbake
// generates from the imported config, target by target: names, tags, platforms, build args.
// Every difference is a report line. Pure.
import type { BakePrint } from "./bake-config.js";
import type { ReportItem } from "./cnpg-extensions.js";

export function compareBakePrints(source: BakePrint, pgbake: BakePrint, made: Map<string, string>): ReportItem[] {
  const out: ReportItem[] = [];
  const diff = (subject: string, field: string, reason: string): void => void out.push({ subject: subject, field, reason });
  const sorted = (xs: string[] | undefined): string[] => [...(xs ?? [])].sort();
  const madeBy = new Map([...made].map(([s, p]) => [p, s]));
  for (const name of Object.keys(pgbake.target).sort()) if (!madeBy.has(name)) diff(name, "(target)", "made by pgbake, not in the source");
  const argsOnlyInSource = new Map<string, number>();
  const argsOnlyInPgbake = new Map<string, number>();
  for (const [src, dst] of [...made].sort()) {
    const s = source.target[src]!;
    const p = pgbake.target[dst];
    if (!p) {
      diff(src, "(target)", `pgbake's file has no target ${dst}`);
      continue;
    }
    if (src !== dst) diff(src, "(name)", `pgbake's target is ${dst}`);
    const [st, pt] = [sorted(s.tags), sorted(p.tags)];
    const onlyS = st.filter((t) => !pt.includes(t));
    const onlyP = pt.filter((t) => !st.includes(t));
    if (onlyS.length + onlyP.length > 0) diff(src, "tags", [...onlyS.map((t) => `only in the source: ${t}`), ...onlyP.map((t) => `only in pgbake's: ${t}`)].join("; "));
    if (JSON.stringify(sorted(s.platforms)) !== JSON.stringify(sorted(p.platforms))) diff(src, "platforms", `source ${sorted(s.platforms).join(", ")}; pgbake ${sorted(p.platforms).join(", ")}`);
    const [sa, pa] = [s.args ?? {}, p.args ?? {}];
    for (const [k, v] of Object.entries(sa)) {
      if (!(k in pa)) argsOnlyInSource.set(k, (argsOnlyInSource.get(k) ?? 0) + 1);
      else if (pa[k] !== v) diff(src, `args.${k}`, `source '${v}', pgbake '${pa[k]}'`);
    }
    for (const k of Object.keys(pa)) if (!(k in sa)) argsOnlyInPgbake.set(k, (argsOnlyInPgbake.get(k) ?? 0) + 1);
  }
  for (const [k, n] of argsOnlyInSource) diff(`args.${k}`, "(build arg)", `set by the source on ${n} target(s), not by pgbake: pgbake's Dockerfiles do not take it`);
  for (const [k, n] of argsOnlyInPgbake) diff(`args.${k}`, "(build arg)", `set by pgbake on ${n} target(s), not by the source: an input of pgbake's own Dockerfiles`);
  return out;
}
