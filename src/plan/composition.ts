// The post-plan refusal of images that cannot start: two entries of one operand image that
// cannot share a server (a declared conflict, or two entries that must both be loaded first).
// It runs on every plan, so `generate`, `bake` and `test` stop here, before any build.
import type { SourceDoc } from "../load/index.js";
import { conflictsAmong } from "../model/compat.js";
import { displayPath, InputError } from "../model/errors.js";
import type { Catalog, OperandTargetPlan, Plan, ProjectConfig } from "../model/types.js";
import { formatPath, positionOf, type PathSegment } from "../validate/position.js";

/** Where the config asks for `name` in an operand: its flavor's list, else its type's (following `requiredBy` to what was asked for). */
function askedAt(config: ProjectConfig, op: OperandTargetPlan, name: string): PathSegment[] {
  let asked = name;
  for (let k = op.kept.find((x) => x.name === asked); k?.requiredBy; k = op.kept.find((x) => x.name === asked)) asked = k.requiredBy;
  const flavor = config.flavors.find((f) => f.name === op.flavor)!;
  const i = flavor.extensions.indexOf(asked);
  if (i >= 0) return ["flavors", flavor.name, "extensions", i];
  const type = config.types.find((t) => t.name === op.type)!;
  return ["types", type.name, "extensions", type.extensions.indexOf(asked)];
}

export function checkComposition(config: ProjectConfig, catalog: Catalog, plan: Plan, configDoc: SourceDoc): InputError[] {
  const byName = new Map(catalog.extensions.map((e) => [e.name, e]));
  const errors = new Map<string, InputError>();
  for (const op of plan.operands) {
    const specs = op.kept.map((k) => byName.get(k.name)!);
    for (const c of conflictsAmong(specs)) {
      // At the later of the two in the config (the one whose addition breaks the image).
      const path = askedAt(config, op, c.second);
      const [a, b] = [byName.get(c.first)!, byName.get(c.second)!];
      const message =
        `${c.first} and ${c.second} cannot share a server (image ${op.name}${plan.operands.some((o) => o !== op && o.flavor === op.flavor) ? " and others of this flavor" : ""}): ${c.reason} ` +
        `(${displayPath(a.file)}, ${displayPath(b.file)})`;
      const pos = positionOf(configDoc, path);
      const key = `${formatPath(path)}|${c.first}|${c.second}`;
      if (!errors.has(key)) errors.set(key, new InputError(configDoc.file, pos.line, pos.column, formatPath(path), message));
    }
  }
  return [...errors.values()];
}
