// Facts about a plan's targets taken together, asked by several stages (the CLI's name checks,
// bake's entitlements, the split into part files): one definition each.
import type { Plan, TargetPlan } from "./types.js";

/** Every target of the plan, runtimes first, then extension images, then operands. */
export const allTargets = (plan: Plan): TargetPlan[] => [...plan.runtimes, ...plan.extensionImages, ...plan.operands];

/** Whether any target builds in the host's network (a base whose apt mirror is on loopback). */
export const usesHostNetwork = (plan: Plan): boolean => allTargets(plan).some((t) => t.network === "host");
