// Every tag names one image of its repository. Two targets given the same tag would push in
// turn and the last one built would win, silently: a template that cannot tell the targets of
// one repository apart (`{major}-{base}` over several types, `latest`) is an input error at the
// template's line, naming two of the targets it gives one tag.
import type { SourceDoc } from "../load/index.js";
import { InputError } from "../model/errors.js";
import type { ExtensionTargetPlan, OperandTargetPlan, Plan, ProjectConfig } from "../model/types.js";
import { formatPath, positionOf } from "../validate/position.js";
import { definitions } from "./definitions.js";
import { planScope, tagsPerTemplate } from "./evaluation.js";

type Kind = "operand" | "extension";
interface Owner {
  target: string;
  kind: Kind;
  template: number;
}
interface Collision {
  tag: string;
  first: Owner;
  second: Owner;
  /** Further targets the same template gives a tag another target has. */
  more: number;
}

export function checkUniqueTags(config: ProjectConfig, plan: Plan, configDoc: SourceDoc): InputError[] {
  const defs = definitions(plan.shared, { cache: plan.build.cache, hostNetwork: false });
  const scope = planScope(plan, defs);
  const owners = new Map<string, Owner>();
  // One report per template: the first collision it makes, and how many more.
  const collisions = new Map<string, Collision>();
  const targets: (OperandTargetPlan | ExtensionTargetPlan)[] = [...plan.operands, ...plan.extensionImages];
  for (const t of targets) {
    const kind: Kind = t.kind;
    const own = new Set<string>();
    tagsPerTemplate(t, plan.shared, defs, scope).forEach((tag, index) => {
      if (own.has(tag)) return;
      own.add(tag);
      const first = owners.get(tag);
      const here: Owner = { target: t.name, kind, template: index };
      if (!first) {
        owners.set(tag, here);
        return;
      }
      const key = `${kind}:${index}`;
      const seen = collisions.get(key);
      if (seen) seen.more++;
      else collisions.set(key, { tag, first, second: here, more: 0 });
    });
  }
  return [...collisions.values()].map((c) => collisionError(c, config, configDoc));
}

function collisionError(c: Collision, config: ProjectConfig, src: SourceDoc): InputError {
  const { kind, template } = c.second;
  const path = ["tags", kind, template];
  const written = (src.data as { tags?: Record<string, unknown> } | null)?.tags?.[kind] !== undefined;
  const pos = positionOf(src, path);
  const quote = (k: Kind, i: number): string => `'${config.tags[k][i]}'${written ? "" : " (the default)"}`;
  const other = c.first.kind !== kind || c.first.template !== template ? ` (${c.first.target}'s from tags.${c.first.kind}[${c.first.template}] ${quote(c.first.kind, c.first.template)})` : "";
  const more = c.more > 0 ? `, and ${c.more} more tag${c.more === 1 ? "" : "s"} of other targets likewise` : "";
  return new InputError(
    src.file,
    pos.line,
    pos.column,
    formatPath(path),
    `template ${quote(kind, template)} gives ${c.second.target} the tag '${c.tag}' that ${c.first.target} has too${other}${more}: ` +
      `the last one pushed would replace the other; add a placeholder that tells them apart (${kind === "operand" ? "{type}, {flavor}, {base}, {major}" : "{major}, {base}, {ext_version}"}, ...)`,
  );
}
