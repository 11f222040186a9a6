// Splitting the bake graph into self-contained parts (per PG major, base, or both). The cuts are
// closed under `contexts`: an operand only uses the runtime and extension images of its own
// major and base, so every part file resolves on its own. buildx reads a bake file in time that
// grows faster than linearly with its size, so one part is far quicker to read than the whole.
import type { BakeFilesMode, Plan } from "../model/types.js";
import { majorGroupName } from "../model/naming.js";
import { allTargets } from "../model/targets.js";

/** The part a target belongs to: `pg17` per major, `bookworm` per base, `pg17-bookworm` per both. */
export function partOf(mode: Exclude<BakeFilesMode, "single">, target: { major: number; base: string }): string {
  if (mode === "per-major") return majorGroupName(target.major);
  if (mode === "per-base") return target.base;
  return `${majorGroupName(target.major)}-${target.base}`;
}

export const partBakeFile = (part: string): string => `docker-bake.${part}.hcl`;

/** part -> the names of its targets, in plan order; empty for `single`. */
export function partitionTargets(plan: Plan, mode: BakeFilesMode): Map<string, string[]> {
  const parts = new Map<string, string[]>();
  if (mode === "single") return parts;
  for (const t of allTargets(plan)) {
    const part = partOf(mode, t);
    parts.set(part, [...(parts.get(part) ?? []), t.name]);
  }
  return parts;
}

/**
 * The smallest generated bake file that defines every requested target and group: a part file
 * when they all fall in one part, else the full docker-bake.hcl (also for no names = everything,
 * and for unknown names, which buildx then reports).
 */
export function bakeFileFor(plan: Plan, mode: BakeFilesMode, names: string[]): string {
  const full = "docker-bake.hcl";
  if (mode === "single" || names.length === 0) return full;
  const partByTarget = new Map<string, string>();
  for (const [part, targets] of partitionTargets(plan, mode)) for (const t of targets) partByTarget.set(t, part);
  const groups = new Map(plan.groups.map((g) => [g.name, g.targets]));
  const parts = new Set<string>();
  for (const name of names) {
    const members = partByTarget.has(name) ? [name] : groups.get(name);
    if (!members) return full;
    for (const t of members) parts.add(partByTarget.get(t)!);
  }
  return parts.size === 1 ? partBakeFile([...parts][0]!) : full;
}
