// Every operand image of the e2e config, built and pushed by `pgbake bake --push`, proven by
// `pgbake test` as a user runs it: pulled back from the registry and started, each extension the
// plan says it holds created and smoke tested, each one it dropped absent, the preload list as
// planned, the server as uid 26, no compiler left.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker, e2ePlan, executed, imageRef, parseSteps, pgbakeTest, type TestReport } from "../helpers/e2e.js";
import { tempDir } from "../helpers/workspace.js";

const { plan, catalog } = e2ePlan();
const specs = new Map(catalog.extensions.map((e) => [e.name, e]));
const work = tempDir("pgbake-e2e-operands-");
let report: TestReport;
let output: string;
let exitCode: number;

beforeAll(async () => {
  const run = inject("e2eBake");
  expect(run.exitCode, run.output.slice(-4000)).toBe(0);
  const steps = parseSteps(run.output);
  console.log(`e2e bake --push: ${run.seconds.toFixed(0)} s, ${steps.length} steps, ${executed(steps).length} executed`);
  // The groups of both flavors: every operand image of the config.
  ({ report, output, exitCode } = await pgbakeTest(["postgresql", "postgresql-full"], work.dir));
  const t = report.totals;
  console.log(`pgbake test (operands): ${t.images} images, ${t.extensions} extensions, ${t.checks} checks in ${t.seconds.toFixed(0)} s`);
});
afterAll(() => work.cleanup());

const subject = (target: string) => report.subjects.find((s) => s.target === target)!;
const check = (target: string, name: string) => subject(target).checks.find((c) => c.name === name);

describe("pgbake test on every operand image", () => {
  it("passes, and checks each operand target of the plan once", () => {
    expect(exitCode, output.slice(-6000)).toBe(0);
    expect(report.subjects.map((s) => s.target).sort()).toEqual(plan.operands.map((o) => o.name).sort());
    expect(output).toMatch(/^TARGET +MODE +CHECKS/m);
  });

  describe.each(plan.operands.map((op) => [op.name, op] as const))("%s", (_name, op) => {
    it("created and smoke tested every extension it holds", () => {
      for (const kept of op.kept) {
        const spec = specs.get(kept.name)!;
        for (const n of spec.sql_names) expect(check(op.name, `CREATE EXTENSION ${n}`)?.status, `${op.name}: ${n}`).toBe("passed");
        if (spec.smoke_test) expect(check(op.name, `smoke test ${kept.name}`)?.status, `${op.name}: ${kept.name}`).toBe("passed");
      }
      // What an extension requires is created before it (cube before earthdistance).
      const names = subject(op.name).checks.map((c) => c.name);
      if (op.kept.some((k) => k.name === "earthdistance")) expect(names.indexOf("CREATE EXTENSION cube")).toBeLessThan(names.indexOf("CREATE EXTENSION earthdistance"));
    });

    it("preloads what the plan says, runs as uid 26 and holds no compiler", () => {
      const preload = check(op.name, "shared_preload_libraries")!;
      expect(preload.status).toBe("passed");
      expect(preload.detail).toBe(op.sharedPreloadLibraries.join(",") || "(empty)");
      expect(check(op.name, "runs as uid 26")?.status).toBe("passed");
      expect(check(op.name, "no compiler")?.status).toBe("passed");
      expect(check(op.name, `PostgreSQL ${op.major}`)?.detail).toMatch(new RegExp(`^${op.major}\\.`));
    });

    it("holds none of the extensions it dropped", () => {
      for (const e of op.excluded) expect(check(op.name, `${e.name} absent`)?.status, `${op.name}: ${e.name}`).toBe("passed");
    });
  });
});

describe("layers shared across flavors", () => {
  it("gives every flavor the very layer its type adds (locales-all is stored once per major and base)", async () => {
    const layers = async (ref: string): Promise<string[]> => {
      await docker(["pull", "-q", ref]);
      return JSON.parse((await docker(["image", "inspect", "-f", "{{json .RootFS.Layers}}", ref])).stdout) as string[];
    };
    const standard = plan.operands.filter((o) => o.type === "standard" && o.flavor !== "base");
    expect(standard.length).toBeGreaterThan(0);
    for (const op of standard) {
      const sibling = (type: string) => plan.operands.find((o) => o.flavor === "base" && o.type === type && o.major === op.major && o.base === op.base)!;
      const minimal = new Set(await layers(imageRef(sibling("minimal"))));
      const typeLayers = (await layers(imageRef(sibling("standard")))).filter((l) => !minimal.has(l));
      expect(typeLayers.length, op.name).toBeGreaterThan(0);
      const own = new Set(await layers(imageRef(op)));
      for (const l of typeLayers) expect(own.has(l), `${op.name} lacks ${l}`).toBe(true);
    }
  });
});
