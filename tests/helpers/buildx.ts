// Runs the real docker buildx on generated files. No mocks: tests that use this fail when
// buildx is missing (`.ci/run` installs it; see scripts/e2e/setup-env.sh).
import { execa } from "execa";
import { toHclJson } from "./hostile.js";

export interface BakePrint {
  group?: Record<string, { targets: string[] }>;
  target: Record<
    string,
    {
      context?: string;
      dockerfile?: string;
      contexts?: Record<string, string>;
      args?: Record<string, string>;
      tags?: string[];
      platforms?: string[];
      labels?: Record<string, string>;
      annotations?: string[];
      attest?: unknown[];
      "cache-from"?: unknown[];
      "cache-to"?: unknown[];
      output?: unknown[];
      network?: string;
    }
  >;
}

export async function bakePrint(cwd: string, targets: string[] = [], env: Record<string, string> = {}, file = "docker-bake.hcl"): Promise<BakePrint> {
  const { stdout } = await execa("docker", ["buildx", "bake", "--file", file, "--print", ...targets], {
    cwd,
    env: { ...env, BUILDX_BAKE_ENTITLEMENTS_FS: "0" },
  });
  return JSON.parse(stdout) as BakePrint;
}

export async function bakeCheck(cwd: string, targets: string[], set: string[] = []): Promise<{ exitCode: number; output: string }> {
  const args = ["buildx", "bake", "--file", "docker-bake.hcl", "--check", ...set.flatMap((s) => ["--set", s]), ...targets];
  const r = await execa("docker", args, { cwd, reject: false, all: true, env: { BUILDX_BAKE_ENTITLEMENTS_FS: "0" } });
  return { exitCode: r.exitCode ?? 1, output: r.all ?? "" };
}

/** A definition as buildx prints it: values (not keys) with literal `${` and `%{` escaped. */
export function asPrinted<T>(value: T): T {
  if (typeof value === "string") return toHclJson(value) as T;
  if (Array.isArray(value)) return value.map(asPrinted) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPrinted(v)])) as T;
  return value;
}

/** Annotations as a set: the bake file derives them from a label map, which HCL iterates by key. */
export function sortedAnnotations<T extends { target: Record<string, { annotations?: string[] }> }>(d: T): T {
  const copy = structuredClone(d);
  for (const t of Object.values(copy.target)) if (t.annotations) t.annotations = [...t.annotations].sort();
  return copy;
}

/** Group members as a set: a matrix target's expansions and a group's expression come in buildx's order. */
export function sortedGroups<T extends { group?: Record<string, { targets: string[] }> }>(d: T): T {
  const copy = structuredClone(d);
  for (const g of Object.values(copy.group ?? {})) g.targets = [...g.targets].sort();
  return copy;
}

/**
 * `docker buildx bake --print` of `file` in `cwd` for every group at once (buildx then lists the
 * requested names as its own `default` group, which is left out) and of the default group alone.
 */
export async function printAll(cwd: string, groups: string[], env: Record<string, string>, file = "docker-bake.hcl"): Promise<{ all: BakePrint; plain: BakePrint }> {
  const all = await bakePrint(cwd, groups, env, file);
  delete all.group?.default;
  const plain = await bakePrint(cwd, [], env, file);
  return { all, plain };
}
