// Runs the real docker buildx on generated files. No mocks: tests that use this fail when
// buildx is missing (`.ci/run` installs it; see scripts/e2e/setup-env.sh).
import { execa } from "execa";

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
