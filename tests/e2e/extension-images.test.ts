// Every extension image of the e2e config, proven by `pgbake test` the way CloudNativePG runs it:
// the plain minimal operand image of the same major and base started with the extension image
// (and those of what it requires) mounted read-only at /extensions/<name>, extension_control_path,
// dynamic_library_path and LD_LIBRARY_PATH set as CloudNativePG sets them (src/verify/cnpg.ts).
// PostgreSQL 15 and 17 have no extension_control_path: there the files are copied in instead.
// Then the same checks with the settings broken, so that the checks are seen to fail.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { imageVolumeRun, type ExtensionConfiguration } from "../../src/verify/cnpg.js";
import { runTests, subjectsFor } from "../../src/verify/index.js";
import { e2ePlan, pgbakeTest, registry, type TestReport } from "../helpers/e2e.js";
import { tempDir } from "../helpers/workspace.js";

const { plan, catalog } = e2ePlan();
const specs = new Map(catalog.extensions.map((e) => [e.name, e]));
const work = tempDir("pgbake-e2e-extensions-");
let report: TestReport;
let output: string;
let exitCode: number;

beforeAll(async () => {
  const bake = inject("e2eBake");
  expect(bake.exitCode, bake.output.slice(-4000)).toBe(0);
  ({ report, output, exitCode } = await pgbakeTest(
    plan.extensionImages.map((t) => t.name),
    work.dir,
  ));
  const t = report.totals;
  console.log(`pgbake test (extension images): ${t.images} images, ${t.extensions} extensions, ${t.checks} checks in ${t.seconds.toFixed(0)} s`);
});
afterAll(() => work.cleanup());

const subject = (target: string) => report.subjects.find((s) => s.target === target)!;

describe("pgbake test on every extension image", () => {
  it("passes for each extension image of the plan", () => {
    expect(exitCode, output.slice(-6000)).toBe(0);
    expect(report.subjects.map((s) => s.target).sort()).toEqual(plan.extensionImages.map((t) => t.name).sort());
  });

  describe.each(plan.extensionImages.map((t) => [t.name, t] as const))("%s", (_name, target) => {
    const spec = specs.get(target.extension)!;
    it(target.major >= 18 ? "is mounted as an image volume and works" : "is copied into the operand (no extension_control_path before 18) and works", () => {
      const s = subject(target.name);
      expect(s.mode).toBe(target.major >= 18 ? "image-volume" : "copy");
      expect(s.checks.find((c) => c.name === `${target.extension} image layout`)?.status).toBe("passed");
      for (const n of spec.sql_names) expect(s.checks.find((c) => c.name === `CREATE EXTENSION ${n}`)?.status, n).toBe("passed");
      if (spec.smoke_test) expect(s.checks.find((c) => c.name === `smoke test ${spec.name}`)?.status).toBe("passed");
      expect(
        s.checks.every((c) => c.status === "passed"),
        JSON.stringify(s.checks, null, 1),
      ).toBe(true);
      expect(s.extensionsChecked).toBe(spec.sql_names.length);
    });
  });

  it("covers every PG 18 extension image through the mount, h3 and its /system library included", () => {
    const pg18 = plan.extensionImages.filter((t) => t.major === 18).map((t) => t.name);
    expect(pg18).toContain("h3-18-sid");
    for (const t of pg18) expect(subject(t).mode, t).toBe("image-volume");
    expect(specs.get("h3")!.runtime_packages).toEqual(["libh3-1"]);
  });
});

describe("the image-volume checks fail when the settings are wrong", () => {
  // The same module `pgbake test` runs, with one setting of CloudNativePG's left out.
  const only = (target: string) => subjectsFor(plan, catalog.extensions, [target], { registry });
  const without = (entries: ExtensionConfiguration[], setting: string) => {
    const r = imageVolumeRun(entries);
    return { ...r, settings: Object.fromEntries(Object.entries(r.settings).filter(([k]) => k !== setting)) };
  };

  it("passes with CloudNativePG's settings and fails CREATE EXTENSION when extension_control_path is left unset", async () => {
    const good = await runTests(only("pgvector-18-sid"), { log: () => {} });
    expect(good.subjects[0]!.checks.find((c) => c.name === "CREATE EXTENSION vector")?.status).toBe("passed");
    const run = await runTests(only("pgvector-18-sid"), { imageVolume: (e) => without(e, "extension_control_path"), log: () => {} });
    const create = run.subjects[0]!.checks.find((c) => c.name === "CREATE EXTENSION vector")!;
    expect(create.status).toBe("failed");
    expect(create.detail).toMatch(/extension "vector" is not available|could not open extension control file/);
  });

  it("fails to load h3 when its /system directory is not on LD_LIBRARY_PATH", async () => {
    const run = await runTests(only("h3-18-sid"), {
      imageVolume: (entries) => imageVolumeRun(entries.map((e) => ({ ...e, ld_library_path: undefined }))),
      log: () => {},
    });
    const create = run.subjects[0]!.checks.find((c) => c.name === "CREATE EXTENSION h3")!;
    expect(create.status).toBe("failed");
    expect(create.detail).toMatch(/libh3\.so[.0-9]*: cannot open shared object file/);
  });
});
