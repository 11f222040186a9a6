// An extension image must cover every platform of the operand images that use it (a bake
// `target:` context cannot be narrower than its user, docker/buildx#2486). The plan drops an
// extension from an image whose platforms it lacks, with the reason, like any incompatibility.
// Read from the plan's decisions: when the plan kept the extension in no image at all and dropped
// it somewhere for its platforms alone, the flavor or type could never hold what it asks for, and
// that is a mistake in the input: the error names the extension's `platforms` line.
import type { SourceDoc } from "../load/index.js";
import { platformExclusion, withRequirements } from "../model/compat.js";
import { InputError } from "../model/errors.js";
import type { Catalog, OperandTargetPlan, Plan, ProjectConfig } from "../model/types.js";
import { fieldSource, positionOf } from "../validate/position.js";

interface Shortfall {
  missing: Set<string>;
  bases: Set<string>;
  users: Set<string>;
}

export function checkPlatformCoverage(config: ProjectConfig, catalog: Catalog, plan: Plan, docs: Map<string, SourceDoc>): InputError[] {
  const byName = new Map(catalog.extensions.map((e) => [e.name, e]));
  const keptSomewhere = new Set(plan.operands.flatMap((t) => t.kept.map((k) => k.name)));
  const short = new Map<string, Shortfall>();
  for (const t of plan.operands)
    for (const x of t.excluded) {
      const ext = byName.get(x.name);
      if (!ext?.platforms || ext.kind === "contrib" || keptSomewhere.has(x.name)) continue;
      const missing = t.platforms.filter((p) => !ext.platforms!.includes(p));
      // Dropped for its platforms alone: compat.ts asks about platforms after every other reason.
      if (missing.length === 0 || x.excludedBecause !== platformExclusion(missing)) continue;
      const s = short.get(x.name) ?? { missing: new Set(), bases: new Set(), users: new Set() };
      for (const p of missing) s.missing.add(p);
      s.bases.add(t.base);
      for (const user of usersAsking(config, byName, t, x.name)) s.users.add(user);
      short.set(x.name, s);
    }
  const errors: InputError[] = [];
  for (const [name, s] of short) {
    const ext = byName.get(name)!;
    const src = fieldSource(ext, "platforms", docs);
    const pos = positionOf(src, ["platforms"]);
    errors.push(
      new InputError(
        src.file,
        pos.line,
        pos.column,
        "platforms",
        `${ext.platforms!.join(", ")} does not cover ${[...s.missing].sort().join(", ")}, which ${[...s.users].sort().join(", ")} ` +
          `build${s.users.size === 1 ? "s" : ""} on base ${[...s.bases].sort().join(", ")}; add the platform here or narrow the base's platforms in the config`,
      ),
    );
  }
  return errors;
}

/** The flavor and the type of `t` that ask for `name`, each with the extension it came through when required. */
function usersAsking(config: ProjectConfig, byName: Map<string, { requires: string[] }>, t: OperandTargetPlan, name: string): string[] {
  const users = [
    { label: `flavor '${t.flavor}'`, extensions: config.flavors.find((f) => f.name === t.flavor)?.extensions ?? [] },
    { label: `type '${t.type}'`, extensions: config.types.find((ty) => ty.name === t.type)?.extensions ?? [] },
  ];
  return users.flatMap((user) => {
    const order = withRequirements(user.extensions, byName);
    const requiredBy = new Map(order.map((e) => [e.name, e.requiredBy]));
    if (!requiredBy.has(name)) return [];
    let via = name;
    while (requiredBy.get(via) !== undefined) via = requiredBy.get(via)!;
    return [via === name ? user.label : `${user.label} (through ${via})`];
  });
}
