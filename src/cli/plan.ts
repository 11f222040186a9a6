// `pgbake plan`, `pgbake matrix` and `pgbake explain`: the plan read back, whole, as a table or for one name.
import { allTargets } from "../model/targets.js";
import { planFrom } from "../pipeline/index.js";
import { didYouMean } from "../validate/suggest.js";
import { command, pathsOf, print } from "./command.js";
import { visibleLines } from "./errors.js";
import { explainOrigin } from "./origin.js";
import { explain, matrixJson, matrixTable } from "./report.js";
import { UsageError } from "./usage.js";

export const planCommand = command({
  usage: "pgbake plan [--json]",
  summary: "print the plan: every target with the extensions it keeps and drops",
  options: { json: { type: "boolean" } },
  run(v) {
    const { plan } = planFrom(pathsOf(v));
    print(v.json ? JSON.stringify(plan, null, 2) : matrixTable(plan));
    return 0;
  },
});

export const matrixCommand = command({
  usage: "pgbake matrix [--json [--group NAME]]",
  summary: "a table of targets and their extensions (--json: target × platform entries for CI, --group: of one bake group)",
  options: { json: { type: "boolean" }, group: { type: "string" } },
  run(v) {
    const { plan } = planFrom(pathsOf(v));
    const group = v.group;
    if (group !== undefined && !plan.groups.some((g) => g.name === group))
      throw new UsageError(
        `no bake group '${group}'${didYouMean(
          group,
          plan.groups.map((g) => g.name),
        )}`,
      );
    print(v.json ? JSON.stringify(matrixJson(plan, group)) : matrixTable(plan));
    return 0;
  },
});

export const explainCommand = command({
  usage: "pgbake explain <target|extension|group>",
  summary: "why each extension is in or out of a target, or where an extension goes",
  options: {},
  run(v, pos) {
    if (pos.length !== 1) throw new UsageError("explain takes one name");
    const { plan, catalog } = planFrom(pathsOf(v));
    const origin = explainOrigin(catalog, pos[0]!);
    const found = explain(plan, pos[0]!);
    // An extension: where it goes (the plan), then where its entry came from (the catalogs).
    const text = origin ? [found ?? `${pos[0]!}:`, ...origin.lines].join("\n") : found;
    if (!text) {
      const names = [...allTargets(plan), ...plan.groups]
        .map((t) => t.name)
        .concat(
          catalog.extensions.map((e) => e.name),
          (catalog.unselected ?? []).map((e) => e.name),
        );
      process.stderr.write(`pgbake: '${visibleLines(pos[0]!)}' is no target, extension or group of this plan${visibleLines(didYouMean(pos[0]!, names))}\n`);
      return 2;
    }
    print(visibleLines(text));
    return 0;
  },
});
