// The end-to-end config (e2e/), built for real with pgbake and docker against the local registry
// that scripts/e2e/setup-env.sh runs on localhost:5000. Nothing here is simulated.
import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../../src/model/types.js";
import { planFrom } from "../../src/pipeline/index.js";
import { pgbake } from "./cli.js";
import { repoRoot } from "./workspace.js";

export const e2eConfig = join(repoRoot, "e2e/pgbake.yaml");
export const e2eMultiarchConfig = join(repoRoot, "e2e/multiarch.yaml");
export const e2eExtensions = join(repoRoot, "e2e/extensions");
export const registry = "localhost:5000";

export const e2ePlan = (config = e2eConfig) => planFrom({ config, extensions: e2eExtensions });

/** `<registry>/<repo>:<tag>` of a planned target's first tag (the main e2e config's registry by default). */
export const imageRef = (target: { tags: string[] }, inRegistry = registry): string => `${inRegistry}/${target.tags[0]}`;

export interface BakeRun {
  exitCode: number;
  output: string;
  seconds: number;
}

/** pgbake generate + pgbake bake (plain progress, so the steps can be counted). */
export async function generateAndBake(config: string, bakeArgs: string[], extensions = e2eExtensions): Promise<BakeRun> {
  const paths = ["--config", config, "--extensions", extensions];
  const gen = await pgbake(["generate", ...paths]);
  if (gen.exitCode !== 0) throw new Error(`pgbake generate failed:\n${gen.stdout}\n${gen.stderr}`);
  const started = Date.now();
  const r = await execa("node", [join(repoRoot, "dist/src/cli/main.js"), "bake", ...paths, ...bakeArgs], {
    cwd: repoRoot,
    reject: false,
    all: true,
    env: { BUILDKIT_PROGRESS: "plain" },
  });
  return { exitCode: r.exitCode ?? 1, output: r.all ?? "", seconds: (Date.now() - started) / 1000 };
}

export interface TestReport {
  totals: { images: number; extensions: number; checks: number; failedChecks: number; seconds: number };
  subjects: {
    target: string;
    image: string;
    mode: string;
    extensionsChecked: number;
    note?: string;
    logs?: string;
    versions?: { extension: string; sqlName: string; before?: string; after?: string }[];
    checks: { name: string; kind?: string; status: "passed" | "failed" | "skipped"; detail?: string }[];
  }[];
  /** Checks counted apart, per kind. */
  kinds: { kind: string; run: number; failed: number; skipped: number }[];
}

/** `pgbake test` through the built CLI, with its JSON report read back. */
export async function pgbakeTest(args: string[], reportDir: string, paths = ["--config", e2eConfig, "--extensions", e2eExtensions]): Promise<{ exitCode: number; output: string; report: TestReport }> {
  const r = await execa("node", [join(repoRoot, "dist/src/cli/main.js"), "test", ...paths, "--report", reportDir, ...args], {
    cwd: repoRoot,
    reject: false,
    all: true,
  });
  const output = r.all ?? "";
  const file = join(reportDir, "pgbake-test.json");
  if (!existsSync(file)) throw new Error(`pgbake test wrote no report (exit ${r.exitCode}):\n${output.slice(-4000)}`);
  return { exitCode: r.exitCode ?? 1, output, report: JSON.parse(readFileSync(file, "utf8")) as TestReport };
}

export interface Step {
  id: string;
  /** The target that BuildKit shows the step under (a shared step shows one of its users). */
  target: string;
  /** The Dockerfile instruction, e.g. "RUN set -eux; ...", "COPY --from=src . /src". */
  instruction: string;
  cached: boolean;
  done: boolean;
}

/** Dockerfile steps (`#N [target stage i/n] INSTRUCTION`) of a plain-progress log and their fate. */
export function parseSteps(log: string): Step[] {
  const steps = new Map<string, Step>();
  for (const line of log.split("\n")) {
    const head = /^#(\d+) \[([^\] ]+)(?: [^\]]*)? \d+\/\d+\] (.*)$/.exec(line);
    if (head) {
      if (!steps.has(head[1]!)) steps.set(head[1]!, { id: head[1]!, target: head[2]!, instruction: head[3]!, cached: false, done: false });
      continue;
    }
    const fate = /^#(\d+) (CACHED|DONE)\b/.exec(line);
    const step = fate && steps.get(fate[1]!);
    if (step) {
      if (fate[2] === "CACHED") step.cached = true;
      else step.done = true;
    }
  }
  return [...steps.values()];
}

/**
 * Steps that ran (finished without a cache hit). A FROM step is never a cache hit: BuildKit
 * resolves the image each time and reports DONE, and it builds nothing, so it is left out.
 */
export const executed = (steps: Step[]): Step[] => steps.filter((s) => s.done && !s.cached && !s.instruction.startsWith("FROM "));

export async function docker(args: string[], opts: { reject?: boolean; input?: string } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa("docker", args, { reject: opts.reject ?? true, input: opts.input });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export type { Plan };
