// How lean the build graph is: extension build steps in the generated graph (each extension
// image target once per platform, shared by every operand that copies it) against a per-image
// build, where every operand image installs or compiles its own non-contrib extensions.
import type { Plan } from "../src/model/types.js";

export interface GraphCounts {
  /** Extension image targets × their platforms: what `docker buildx bake` builds. */
  sharedSteps: number;
  /** The same, only for extension images some operand uses (the default group builds all). */
  sharedStepsUsed: number;
  /** Σ over operands of kept non-contrib extensions × platforms. */
  perImageSteps: number;
  /** Compiling steps only (kind source/tool), the expensive ones. */
  sharedCompileSteps: number;
  perImageCompileSteps: number;
  ratio: number;
  compileRatio: number;
}

export function graphCounts(plan: Plan): GraphCounts {
  const used = new Set(plan.operands.flatMap((o) => o.kept.flatMap((k) => (k.imageTarget ? [k.imageTarget] : []))));
  const compiled = (kind: string): boolean => kind === "source" || kind === "tool";
  let sharedSteps = 0;
  let sharedStepsUsed = 0;
  let sharedCompileSteps = 0;
  for (const t of plan.extensionImages) {
    sharedSteps += t.platforms.length;
    if (used.has(t.name)) sharedStepsUsed += t.platforms.length;
    if (compiled(t.extensionKind)) sharedCompileSteps += t.platforms.length;
  }
  let perImageSteps = 0;
  let perImageCompileSteps = 0;
  for (const op of plan.operands)
    for (const k of op.kept) {
      if (k.kind === "contrib") continue;
      perImageSteps += op.platforms.length;
      if (compiled(k.kind)) perImageCompileSteps += op.platforms.length;
    }
  return {
    sharedSteps,
    sharedStepsUsed,
    perImageSteps,
    sharedCompileSteps,
    perImageCompileSteps,
    ratio: perImageSteps / sharedSteps,
    compileRatio: perImageCompileSteps / Math.max(1, sharedCompileSteps),
  };
}
