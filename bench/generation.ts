// Sections 1 and 2: whole-process `pgbake generate` time and memory, buildx's time to read the
// same output, and single-target `--print` time on the full file against a part file.
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { BakeFilesMode, Plan } from "../src/model/types.js";
import { bakeFileFor, partitionTargets } from "../src/plan/partition.js";
import { planFrom } from "../src/pipeline/index.js";
import { buildxPrint, measure, measureAlternating, runOnce, type Measured } from "./measure.js";

export interface BenchCase {
  name: string;
  config: string;
  extensions: string;
  /** Runs per measurement: fewer for the slow large cases. */
  runs: number;
}

export interface GenerationResult {
  case: string;
  operands: number;
  extensionImages: number;
  runtimes: number;
  targets: number;
  bakeFileBytes: number;
  /** bakeFileBytes / targets (goal on the default config: at most 100). */
  bytesPerTarget: number;
  generate: Measured;
  buildxRead?: Measured;
  /** generate median / buildx read median, wall time. */
  ratio?: number;
  /** The same for CPU time (user + system). */
  cpuRatio?: number;
}

export interface SplitResult {
  case: string;
  mode: BakeFilesMode;
  target: string;
  file: string;
  fileTargets: number;
  generate: Measured;
  printSingle: Measured;
}

const cli = (root: string): string => join(root, "dist/src/cli/main.js");

function generateSample(root: string, c: BenchCase, out: string, mode: BakeFilesMode = "single") {
  return () => {
    // A fresh output directory every run: the full write, not the unchanged-file shortcut.
    rmSync(out, { recursive: true, force: true });
    return runOnce("node", [cli(root), "generate", "--config", c.config, "--extensions", c.extensions, "--out", out, "--bake-files", mode]);
  };
}

/** Targets the bake file `file` (docker-bake.hcl, or a part's) defines, from the plan. */
function countTargets(plan: Plan, mode: BakeFilesMode, file: string): number {
  if (file === "docker-bake.hcl") return plan.runtimes.length + plan.extensionImages.length + plan.operands.length;
  return partitionTargets(plan, mode).get(file.replace(/^docker-bake\.(.+)\.hcl$/, "$1"))?.length ?? 0;
}

export function measureGeneration(root: string, c: BenchCase, out: string, buildx: boolean): GenerationResult {
  const { plan } = planFrom({ config: c.config, extensions: c.extensions });
  const gen = generateSample(root, c, out);
  const [generate, buildxRead] = buildx ? measureAlternating(c.runs, gen, () => buildxPrint(out, "docker-bake.hcl")) : [measure(c.runs, gen), undefined];
  const targets = plan.operands.length + plan.extensionImages.length + plan.runtimes.length;
  const bakeFileBytes = statSync(join(out, "docker-bake.hcl")).size;
  return {
    case: c.name,
    operands: plan.operands.length,
    extensionImages: plan.extensionImages.length,
    runtimes: plan.runtimes.length,
    targets,
    bakeFileBytes,
    bytesPerTarget: bakeFileBytes / targets,
    generate,
    buildxRead,
    ratio: buildxRead ? generate.median / buildxRead.median : undefined,
    cpuRatio: buildxRead?.cpuMedian && generate.cpuMedian !== undefined ? generate.cpuMedian / buildxRead.cpuMedian : undefined,
  };
}

/** One operand of PG 17 if there is one: the image a user would print or build. */
function sampleTarget(plan: Plan): string {
  return (plan.operands.find((o) => o.major === 17) ?? plan.operands[0]!).name;
}

/** Single-target print on the full file (`out` from measureGeneration) and on each mode's part. */
export function measureSplit(root: string, c: BenchCase, out: string, modes: BakeFilesMode[], fullGenerate: Measured): SplitResult[] {
  const { plan } = planFrom({ config: c.config, extensions: c.extensions });
  const target = sampleTarget(plan);
  const results: SplitResult[] = [
    {
      case: c.name,
      mode: "single",
      target,
      file: "docker-bake.hcl",
      fileTargets: countTargets(plan, "single", "docker-bake.hcl"),
      generate: fullGenerate,
      printSingle: measure(c.runs, () => buildxPrint(out, "docker-bake.hcl", [target])),
    },
  ];
  for (const mode of modes) {
    const dir = `${out}-${mode}`;
    const generate = measure(c.runs, generateSample(root, c, dir, mode));
    const file = bakeFileFor(plan, mode, [target]);
    results.push({
      case: c.name,
      mode,
      target,
      file,
      fileTargets: countTargets(plan, mode, file),
      generate,
      printSingle: measure(Math.max(c.runs, 3), () => buildxPrint(dir, file, [target])),
    });
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
