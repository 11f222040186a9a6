// generate's work grows linearly with operand targets (issue 21: a name sort per target in
// operandDockerfiles, and a scan of the flavors, bases or catalog per target, made 96,000 targets
// take more than 600 s). Time is the bench's to measure (npm run bench, "operand targets"); this
// counts work instead: the elements every array scan visits and every string comparison, for a
// plan and its render at n, 2n and 4n operand targets. What the second n targets add over the
// first is the fixed cost gone: linear work adds 2n's worth from 2n to 4n (twice that), work
// that scans the flavors per target adds four times that.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSynthetic } from "../bench/synthetic.js";
import { planFrom, renderFrom } from "../src/pipeline/index.js";
import { tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-scale-");
afterAll(() => work.cleanup());

type Scan = "find" | "filter" | "some" | "every" | "includes" | "indexOf" | "findIndex";
const scans: Scan[] = ["find", "filter", "some", "every", "includes", "indexOf", "findIndex"];

/** Array elements scanned and strings compared while `fn` runs. */
function counted(fn: () => void): number {
  let units = 0;
  const originals = scans.map((name) => [name, Array.prototype[name]] as const);
  const compare = String.prototype.localeCompare;
  try {
    for (const [name, original] of originals)
      (Array.prototype as unknown as Record<string, unknown>)[name] = function (this: unknown[], ...args: unknown[]) {
        units += this.length;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      };
    String.prototype.localeCompare = function (this: string, ...args: Parameters<typeof compare>) {
      units++;
      return compare.apply(this, args);
    };
    fn();
  } finally {
    for (const [name, original] of originals) (Array.prototype as unknown as Record<string, unknown>)[name] = original;
    String.prototype.localeCompare = compare;
  }
  return units;
}

function workAt(flavors: number): { operands: number; units: number } {
  const inputs = writeSynthetic(join(work.dir, `f${flavors}-${Math.random().toString(36).slice(2)}`), { factor: 1, bases: 2, flavors });
  let operands = 0;
  const units = counted(() => {
    const planned = planFrom({ config: inputs.config, extensions: inputs.extensions });
    operands = planned.plan.operands.length;
    renderFrom(planned);
  });
  return { operands, units };
}

describe("generate's work is linear in operand targets", () => {
  it("from 2n to 4n operand targets (many flavors sharing Dockerfiles) adds about twice what n to 2n added", () => {
    workAt(15); // first use: templates compiled, modules loaded
    const [n, twice, four] = [workAt(30), workAt(60), workAt(120)];
    expect([twice.operands, four.operands]).toEqual([2 * n.operands, 4 * n.operands]);
    const growth = (four.units - twice.units) / (twice.units - n.units);
    expect(growth, JSON.stringify({ n, twice, four })).toBeLessThan(2.5);
  });
});
