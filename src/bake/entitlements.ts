// Bake's filesystem entitlements: buildx refuses to read a local context outside the bake file's
// directory unless told `--allow=fs.read=DIR`. Local source directories (a spec's `source.git`
// path, or a user's `--set <target>.contexts.<name>=DIR`) are the project's own choice, so pgbake
// grants exactly those, and nothing else.
import { isAbsolute, relative, resolve } from "node:path";
import { isLocalPath } from "../model/references.js";
import { usesHostNetwork } from "../model/targets.js";
import type { Plan } from "../model/types.js";

/** `--allow=fs.read=DIR` for each local context outside `outDir` that the bake would read. */
export function fsReadAllowances(plan: Plan, outDir: string, set: string[]): string[] {
  const values = plan.extensionImages.flatMap((t) => (t.sourceContext ? [t.sourceContext.value] : []));
  for (const s of set) {
    const m = /^[^=]*\.contexts\.[^=]+=(.+)$/.exec(s);
    if (m) values.push(m[1]!);
  }
  const dirs = new Set<string>();
  for (const v of values.filter(isLocalPath)) {
    const dir = resolve(outDir, v);
    const rel = relative(outDir, dir);
    if (rel.startsWith("..") || isAbsolute(rel)) dirs.add(dir);
  }
  return [...dirs].sort().map((d) => `--allow=fs.read=${d}`);
}

/** `--allow=network.host` when a target of the plan builds in the host's network (a loopback apt mirror). */
export function networkAllowances(plan: Plan): string[] {
  return usesHostNetwork(plan) ? ["--allow=network.host"] : [];
}
