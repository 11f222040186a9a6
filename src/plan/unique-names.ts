// Every target and group name of the bake file is claimed once. The names are the plan's own
// (model/naming.js applied by the planner); a name two different inputs make is an input error at
// the config key of the later one. Claimed in the order of the inputs' precedence, so a clash
// names the same pair and is reported at the same key whichever input came first in the file:
// groups of extensions, bases, types and majors, then each flavor's group and targets, then each
// runtime with the extension images built on it.
import type { SourceDoc } from "../load/index.js";
import { InputError } from "../model/errors.js";
import type { ExtensionTargetPlan, GroupOwner, OperandTargetPlan, Plan } from "../model/types.js";
import { formatPath, positionOf, type PathSegment } from "../validate/position.js";

export function checkUniqueNames(plan: Plan, configDoc: SourceDoc): InputError[] {
  const errors: InputError[] = [];
  const owners = new Map<string, string>();
  const claim = (name: string, what: string, path: PathSegment[]): void => {
    const prev = owners.get(name);
    if (prev === undefined) owners.set(name, what);
    else if (prev !== what) {
      const pos = positionOf(configDoc, path);
      errors.push(new InputError(configDoc.file, pos.line, pos.column, formatPath(path), `name '${name}' is used twice in the bake file: ${prev} and ${what}`));
    }
  };
  const groupsOf = (kind: GroupOwner["kind"]) => plan.groups.filter((g) => g.of?.kind === kind);
  for (const g of plan.groups) if (!g.of) claim(g.name, `the ${g.name} group`, []);
  // An extension's name lives in its own file: a clash is reported at the config's `flavors`.
  for (const g of groupsOf("extension")) claim(g.name, `group of extension ${g.of!.name}`, ["flavors"]);
  for (const g of groupsOf("base")) claim(g.name, `group of base ${g.of!.name}`, ["bases", g.of!.name]);
  for (const g of groupsOf("type")) claim(g.name, `group of type ${g.of!.name}`, ["types", g.of!.name]);
  for (const g of groupsOf("major")) claim(g.name, `group of PG ${g.of!.name}`, ["postgres"]);
  const byFlavor = groupBy(plan.operands, (t) => t.flavor);
  for (const g of groupsOf("flavor")) {
    const flavor = g.of!.name;
    claim(g.name, `group of flavor ${flavor}`, ["flavors", flavor]);
    for (const t of byFlavor.get(flavor) ?? []) claim(t.name, `target of flavor ${flavor}`, ["flavors", flavor]);
  }
  const slot = (t: { major: number; base: string }): string => `${t.major}/${t.base}`;
  const byRuntime = groupBy(plan.extensionImages, slot);
  for (const r of plan.runtimes) {
    claim(r.name, "runtime target", ["bases", r.base]);
    for (const t of byRuntime.get(slot(r)) ?? []) claim(t.name, `image target of ${t.extension}`, ["bases", t.base]);
  }
  return errors;
}

function groupBy<T extends OperandTargetPlan | ExtensionTargetPlan>(targets: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of targets) {
    const list = out.get(key(t));
    if (list) list.push(t);
    else out.set(key(t), [t]);
  }
  return out;
}
