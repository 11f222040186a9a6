// The bake file's groups. An extension's images and a flavor's operand images are each one matrix
// target, which buildx treats as the group of its expansions; the other groups of the plan
// (default, per major, base and type) select rows by a fact, as expressions over the row tables.
import { allTargets } from "../model/targets.js";
import { flavorGroupName } from "../model/naming.js";
import type { Plan } from "../model/types.js";
import { hclString } from "./escape.js";

export interface BakeGroup {
  name: string;
  description: string;
  /** The targets as buildx prints the group: matrix targets by their own name in `default`. */
  targets: string[];
  /** A matrix target, not a group block. */
  matrix: boolean;
  /** The HCL expression of a group block's targets. */
  expression?: string;
}

/** The matrix targets of a bake file holding `wanted`: extensions with images, flavors with operands. */
export function matrixTargets(plan: Plan, wanted: Set<string>): { extensions: string[]; flavors: string[] } {
  const inFile = allTargets(plan).filter((t) => wanted.has(t.name));
  const extensions = [...new Set(inFile.flatMap((t) => (t.kind === "extension" ? [t.extension] : [])))].sort();
  const flavors = [...new Set(inFile.flatMap((t) => (t.kind === "operand" ? [flavorGroupName(t.image)] : [])))].sort();
  return { extensions, flavors };
}

export function bakeGroups(plan: Plan, wanted: Set<string>): BakeGroup[] {
  const { extensions, flavors } = matrixTargets(plan, wanted);
  const matrix = new Set([...extensions, ...flavors]);
  const out: BakeGroup[] = [];
  for (const g of plan.groups) {
    const targets = g.targets.filter((t) => wanted.has(t));
    if (targets.length === 0) continue;
    if (matrix.has(g.name)) out.push({ name: g.name, description: g.description, targets, matrix: true });
    else if (g.name === "default")
      out.push({ name: g.name, description: g.description, targets: [...extensions, ...flavors], matrix: false, expression: "concat(keys(extension_images), keys(operand_images))" });
    else {
      // A major's, base's or type's group selects the rows holding that fact (the plan records whose group it is).
      const of = g.of;
      if (!of || (of.kind !== "major" && of.kind !== "base" && of.kind !== "type")) throw new Error(`group ${g.name} is neither a matrix target nor selected by a fact`);
      out.push({ name: g.name, description: g.description, targets, matrix: false, expression: `names_where(${hclString(of.kind)}, ${hclString(of.name)})` });
    }
  }
  return out;
}
