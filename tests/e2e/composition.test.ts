// Composition on a real server: pgaudit (which sets the executor and utility hooks) and
// pgbake_hookfirst (tests/fixtures/pgbake_hookfirst: like Citus, its _PG_init stops the server
// when the planner, utility or executor hook is already set) in one flavor, pgaudit asked for
// first. With the catalog's rule (preload_position: first) the plan puts the fixture first and
// the image starts and passes `pgbake test`; the same catalog without the rule bakes an image
// that preloads in the flavor's order, and `pgbake test` sees it refuse to start.
//
// Cost in CI: the runtime and the PGXS build stage are the shared e2e build's (sid, PG 18); what
// is new is pgaudit's image, the fixture's compile, two operand images and two server starts
// (measured: 110 s with warm caches, 9 minutes cold on a two-core machine shared by eight builds).
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFrom } from "../../src/pipeline/index.js";
import { generateAndBake, pgbakeTest, type TestReport } from "../helpers/e2e.js";
import { repoRoot, tempDir } from "../helpers/workspace.js";

const config = join(repoRoot, "e2e/compose.yaml");
const extensions = join(repoRoot, "e2e/compose");
const work = tempDir("pgbake-e2e-compose-");

/** The same project without the rule: the fixture's entry lacks preload_position, the image has another name. */
function withoutRule(): { config: string; extensions: string } {
  const catalog = join(work.dir, "catalog");
  cpSync(extensions, catalog, { recursive: true, dereference: true });
  const entry = join(catalog, "pgbake_hookfirst.yaml");
  const text = readFileSync(entry, "utf8");
  expect(text).toContain("\npreload_position: first\n");
  // The fixture's source comes along: a local source.git outside the project is refused.
  cpSync(join(repoRoot, "tests/fixtures/pgbake_hookfirst"), join(work.dir, "pgbake_hookfirst"), { recursive: true });
  writeFileSync(entry, text.replace("\npreload_position: first\n", "\n").replace("../../tests/fixtures/pgbake_hookfirst", "../pgbake_hookfirst"));
  const cfg = join(work.dir, "pgbake.yaml");
  writeFileSync(cfg, readFileSync(config, "utf8").replace("output: ../.e2e/compose", "output: out").replace("image: postgresql-hooks", "image: postgresql-hooks-norule"));
  return { config: cfg, extensions: catalog };
}

interface Run {
  exitCode: number;
  output: string;
  report: TestReport;
}
let withRuleRun: Run;
let withoutRuleRun: Run;
const norule = { config: "", extensions: "" };

beforeAll(async () => {
  Object.assign(norule, withoutRule());
  for (const [cfg, ext] of [
    [config, extensions],
    [norule.config, norule.extensions],
  ] as const) {
    const bake = await generateAndBake(cfg, ["--push"], ext);
    expect(bake.exitCode, bake.output.slice(-6000)).toBe(0);
    console.log(`composition: ${cfg === config ? "with" : "without"} the rule, bake --push in ${bake.seconds.toFixed(0)} s`);
  }
  withRuleRun = await pgbakeTest(["postgresql-hooks"], join(work.dir, "with"), ["--config", config, "--extensions", extensions]);
  withoutRuleRun = await pgbakeTest(["postgresql-hooks-norule"], join(work.dir, "without"), ["--config", norule.config, "--extensions", norule.extensions]);
  for (const r of [withRuleRun, withoutRuleRun]) console.log(`composition: pgbake test: ${r.report.totals.checks} checks in ${r.report.totals.seconds.toFixed(0)} s`);
});
afterAll(() => work.cleanup());

const checks = (run: Run) => run.report.subjects[0]!.checks;
const check = (run: Run, name: string) => checks(run).find((c) => c.name === name);

describe("an entry that must be loaded first, with pgaudit in one flavor", () => {
  it("with the rule: planned first, the image starts and pgbake test passes (the fixture's planner hook fires)", () => {
    const { plan } = planFrom({ config, extensions });
    expect(plan.operands.map((o) => [o.requested, o.sharedPreloadLibraries])).toEqual([
      [
        ["pgaudit", "pgbake_hookfirst"],
        ["pgbake_hookfirst", "pgaudit"],
      ],
    ]);
    expect(withRuleRun.exitCode, withRuleRun.output.slice(-4000)).toBe(0);
    expect(check(withRuleRun, "server accepts connections")?.status).toBe("passed");
    expect(check(withRuleRun, "shared_preload_libraries")?.detail).toBe("pgbake_hookfirst,pgaudit");
    expect(check(withRuleRun, "CREATE EXTENSION pgaudit")?.status).toBe("passed");
    expect(check(withRuleRun, "smoke test pgbake_hookfirst")).toMatchObject({ status: "passed", detail: "returned t" });
  });

  it("without the rule: preloaded in the flavor's order, the server refuses to start and pgbake test fails with its log", () => {
    const { plan } = planFrom(norule);
    expect(plan.operands[0]!.sharedPreloadLibraries).toEqual(["pgaudit", "pgbake_hookfirst"]);
    expect(withoutRuleRun.exitCode).toBe(1);
    expect(checks(withoutRuleRun).map((c) => [c.name, c.status])).toEqual([["server accepts connections", "failed"]]);
    expect(withoutRuleRun.report.subjects[0]!.logs).toContain("FATAL:  pgbake_hookfirst has to be loaded first");
    expect(withoutRuleRun.output).toContain("pgbake_hookfirst has to be loaded first");
  });
});
