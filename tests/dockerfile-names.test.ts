// Operand Dockerfile names stay under the file-name limit however many extensions a target drops
// (found by the benchmark: a synthetic flavor dropping 31 extensions made a 300-byte name).
import { describe, expect, it } from "vitest";
import type { OperandTargetPlan } from "../src/model/types.js";
import { planFrom } from "../src/pipeline/index.js";
import { operandDockerfileName } from "../src/render/dockerfiles.js";
import { defaultConfig, defaultExtensions } from "./helpers/workspace.js";

describe("operand Dockerfile names", () => {
  const op = planFrom({ config: defaultConfig, extensions: defaultExtensions }).plan.operands.find((o) => o.excluded.length > 0)!;

  it("list the dropped extensions while the name is short", () => {
    expect(operandDockerfileName(op)).toBe(`${op.image}-${op.type}-without-${op.excluded.map((e) => e.name).sort().join("-")}`);
  });

  it("turn a long drop list into its count and a hash, distinct per list", () => {
    const dropping = (n: number, from = 0): OperandTargetPlan => ({
      ...op,
      excluded: Array.from({ length: n }, (_, i) => ({ name: `synthetic_extension_${i + from}`, excludedBecause: "test" })),
    });
    const long = operandDockerfileName(dropping(40));
    expect(`${long}.Dockerfile.123456.pgbake-tmp`.length).toBeLessThan(255);
    expect(long).toMatch(new RegExp(`^${op.image}-${op.type}-without-40-[0-9a-f]{12}$`));
    expect(operandDockerfileName(dropping(40, 1))).not.toBe(long);
  });
});
