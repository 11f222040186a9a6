// Section 7: `pgbake generate` at 10,000, 30,000 and 100,000 operand targets (issue 21: it was
// quadratic in them). The synthetic project of synthetic.ts at 1× catalog, eight bases, and as
// many flavors as make the operand count: 4 majors × 8 bases × 2 types × flavors, 64 a flavor.
// The largest stays under the validator's 100,000-target bound with the 3,672 other targets (96,320 operands).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { planFrom } from "../src/pipeline/index.js";
import { measure, runOnce, type Measured } from "./measure.js";
import { writeSynthetic } from "./synthetic.js";

export interface OperandScaleResult {
  /** The operand count asked for; `operands` is what the plan holds. */
  wanted: number;
  operands: number;
  targets: number;
  generate: Measured;
}

const perFlavor = 4 * 8 * 2;
const bound = 100_000;
/** Other targets of this shape (extension images and runtimes of the 1× catalog on 8 bases), kept under the bound. */
const others = 3_672;

export function measureOperandScale(root: string, work: string, wanted: number, runs: number): OperandScaleResult {
  const flavors = Math.floor(Math.min(wanted, bound - others) / perFlavor) || 1;
  const inputs = writeSynthetic(join(work, `operands-${wanted}`), { factor: 1, bases: 8, flavors });
  const { plan } = planFrom({ config: inputs.config, extensions: inputs.extensions });
  const out = join(work, `operands-out-${wanted}`);
  const generate = measure(runs, () => {
    // A fresh output directory every run: the full write, not the unchanged-file shortcut.
    rmSync(out, { recursive: true, force: true });
    return runOnce("node", [join(root, "dist/src/cli/main.js"), "generate", "--config", inputs.config, "--extensions", inputs.extensions, "--out", out]);
  });
  rmSync(out, { recursive: true, force: true });
  rmSync(inputs.dir, { recursive: true, force: true });
  return { wanted, operands: plan.operands.length, targets: plan.operands.length + plan.extensionImages.length + plan.runtimes.length, generate };
}
