// How many plan targets a pin change rebuilds: the targets it touches directly, and every target
// built from one of those (extension images on a runtime, operands on a runtime or copying from
// an extension image).
import type { Plan } from "../model/types.js";

export interface Touched {
  major?: number;
  base?: string;
  extension?: string;
}

export function affectedTargets(plan: Plan, touched: Touched): number {
  const hit = (t: { major: number; base: string; extension?: string }): boolean =>
    (touched.major === undefined || t.major === touched.major) && (touched.base === undefined || t.base === touched.base) && (touched.extension === undefined || t.extension === touched.extension);
  const set = new Set<string>();
  if (touched.extension === undefined) for (const r of plan.runtimes) if (hit(r)) set.add(r.name);
  for (const e of plan.extensionImages) if (hit(e) || set.has(e.runtimeTarget)) set.add(e.name);
  for (const o of plan.operands) if ((touched.extension === undefined && hit(o)) || Object.values(o.contexts).some((c) => set.has(c.replace(/^target:/, "")))) set.add(o.name);
  return set.size;
}
