// Caching: a second bake of the e2e config with nothing changed runs no Dockerfile step; a new
// version of the source-built fixture (fed through `--set <target>.contexts.src=DIR`, as a user
// overrides a pinned git source with a local checkout) rebuilds exactly the images that hold it.
import { cpSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { e2eConfig, e2ePlan, executed, generateAndBake, parseSteps } from "../helpers/e2e.js";
import { repoRoot, tempDir } from "../helpers/workspace.js";

const { plan } = e2ePlan();
const work = tempDir("pgbake-e2e-fixture-");
afterAll(() => work.cleanup());

describe("bake caching", () => {
  it("builds nothing the second time", async () => {
    const first = inject("e2eBake");
    expect(first.exitCode, first.output.slice(-4000)).toBe(0);
    const again = await generateAndBake(e2eConfig, ["--push"]);
    expect(again.exitCode, again.output.slice(-4000)).toBe(0);
    const steps = parseSteps(again.output);
    const ran = executed(steps);
    const cached = steps.filter((s) => s.cached);
    console.log(`warm bake --push: ${again.seconds.toFixed(0)} s, ${steps.length} steps, ${cached.length} cached, ${ran.length} executed`);
    // Every target's Dockerfile steps showed up, and each was a cache hit.
    expect(steps.length).toBeGreaterThan(plan.operands.length + plan.extensionImages.length);
    expect(ran.map((s) => `${s.target}: ${s.instruction.slice(0, 80)}`)).toEqual([]);
    const runs = steps.filter((s) => s.instruction.startsWith("RUN "));
    console.log(`warm bake: RUN steps ${runs.length}, cached ${runs.filter((s) => s.cached).length}`);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((s) => s.cached)).toBe(true);
  });

  it("rebuilds only the images that hold an extension whose version changed", async () => {
    // Version 1.1 of the fixture, in a directory of its own.
    const dir = join(work.dir, "pgbake_fixture");
    cpSync(join(repoRoot, "tests/fixtures/pgbake_fixture"), dir, { recursive: true });
    const edit = (file: string, from: string, to: string): void => writeFileSync(join(dir, file), readFileSync(join(dir, file), "utf8").replace(from, to));
    // The build cache keeps earlier runs' 1.1: a token of this run makes the change new each time.
    edit("pgbake_fixture.c", '"1.0"', `"1.1 (test run ${process.pid}-${Date.now()})"`);
    edit("pgbake_fixture.control", "'1.0'", "'1.1'");
    edit("Makefile", "pgbake_fixture--1.0.sql", "pgbake_fixture--1.1.sql");
    renameSync(join(dir, "pgbake_fixture--1.0.sql"), join(dir, "pgbake_fixture--1.1.sql"));

    // Nothing is exported, so the pushed images stay as the other tests expect them.
    const run = await generateAndBake(e2eConfig, ["--set", `pgbake_fixture-*.contexts.src=${dir}`, "--set", "*.output=type=cacheonly"]);
    expect(run.exitCode, run.output.slice(-4000)).toBe(0);
    const ran = executed(parseSteps(run.output));
    // BuildKit shows a step shared by several targets under one of them (an extension image's
    // steps often under the operand that uses it), so steps are matched to targets by what they do.
    const rebuilt = new Set(ran.map((s) => s.target));
    const fixtureImages = plan.extensionImages.filter((t) => t.extension === "pgbake_fixture").map((t) => t.name);
    const holders = plan.operands.filter((o) => o.kept.some((k) => k.name === "pgbake_fixture")).map((o) => o.name);
    console.log(`fixture 1.0 -> 1.1: ${run.seconds.toFixed(0)} s, ${ran.length} steps executed in ${[...rebuilt].sort().join(", ")}`);
    expect([...rebuilt].filter((t) => !fixtureImages.includes(t) && !holders.includes(t))).toEqual([]);
    expect(holders.filter((t) => !rebuilt.has(t))).toEqual([]);
    expect(ran.filter((s) => /^RUN .*make USE_PGXS=1/.test(s.instruction))).toHaveLength(fixtureImages.length);
    // Each operand image that holds the fixture copies the new files in.
    expect(ran.filter((s) => s.instruction.startsWith("COPY --from=ext-pgbake_fixture /lib/"))).toHaveLength(holders.length);
  });
});
