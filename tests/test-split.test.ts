// Where a test runs is said by its name (vitest.config.ts): tests/*.test.ts are unit tests, pgbake
// in the test's own process; tests/*.process.test.ts run the built CLI as child processes;
// tests/*.docker.test.ts use docker, one at a time. A file under the wrong name would slow the unit
// suite down or run beside others against the one engine, so the calls that decide are looked for here.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import config from "../vitest.config.js";

/** Calls that reach the docker engine: the CLI, buildx through the test helpers, builds, pgbake test, the workflow runner. */
const dockerCalls = /execa\(\s*"docker"|"docker",\s*\[|\bdocker\(\[|\b(bakePrint|bakeCheck|printAll|generateAndBake|pgbakeTest)\(|helpers\/workflow-runner\.js/;
/** What runs the built CLI in a child process: its path, the spawning helper, dist/ itself. */
const builtCliRuns = /\bcliPath\b|helpers\/cli\.js|dist\/src\/cli/;

const testFiles = readdirSync("tests").filter((f) => f.endsWith(".test.ts"));
const unitNamed = testFiles.filter((f) => !f.endsWith(".docker.test.ts") && !f.endsWith(".process.test.ts"));
const processNamed = testFiles.filter((f) => f.endsWith(".process.test.ts"));
const found = (pattern: RegExp, file: string): string | undefined => pattern.exec(readFileSync(join("tests", file), "utf8"))?.[0];

describe("the unit/process/docker split by file name", () => {
  it("no unit- or process-named test file calls docker", () => {
    expect(unitNamed.length).toBeGreaterThan(20);
    const calling = [...unitNamed, ...processNamed].flatMap((f) => {
      const call = found(dockerCalls, f);
      return call ? [`tests/${f} calls ${call}: name it ${f.replace(/(\.process)?\.test\.ts$/, ".docker.test.ts")}`] : [];
    });
    expect(calling).toEqual([]);
  });

  it("no unit-named test file runs the built CLI (tests/helpers/cli-in-process.ts runs its main here)", () => {
    // This file names the patterns it looks for.
    const running = unitNamed
      .filter((f) => f !== "test-split.test.ts")
      .flatMap((f) => {
        const call = found(builtCliRuns, f);
        return call ? [`tests/${f} uses ${call}: run pgbakeInProcess, or name it ${f.replace(/\.test\.ts$/, ".process.test.ts")}`] : [];
      });
    expect(running).toEqual([]);
  });

  it("finds the calls of the files whose names they decide", () => {
    for (const f of ["bake-print", "test-checks", "own-project", "catalog"]) expect(found(dockerCalls, `${f}.docker.test.ts`), f).toBeDefined();
    for (const f of ["update-faults", "write-faults", "pipes", "write-concurrency"]) expect(found(builtCliRuns, `${f}.process.test.ts`), f).toBeDefined();
  });

  it("vitest.config.ts selects the projects by these names, not by a list", () => {
    const projects = (config as { test: { projects: { test: { name: string; include: string[]; exclude?: string[] } }[] } }).test.projects;
    const byName = Object.fromEntries(projects.map((p) => [p.test.name, p.test]));
    expect(byName.unit).toMatchObject({ include: ["tests/*.test.ts"], exclude: ["tests/*.docker.test.ts", "tests/*.process.test.ts"] });
    expect(byName.process).toMatchObject({ include: ["tests/*.process.test.ts"] });
    expect(byName.docker).toMatchObject({ include: ["tests/*.docker.test.ts"] });
  });
});
