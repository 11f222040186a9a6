// Where a test runs is said by its name (vitest.config.ts): tests/*.docker.test.ts one at a time
// with docker, every other tests/*.test.ts in parallel without it. A file that calls docker under
// a pure name would run beside others against the one engine, so its calls are looked for here.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import config from "../vitest.config.js";

/** Calls that reach the docker engine: the CLI, buildx through the test helpers, builds, pgbake test, the workflow runner. */
const dockerCalls = /execa\(\s*"docker"|"docker",\s*\[|\bdocker\(\[|\b(bakePrint|bakeCheck|printAll|generateAndBake|pgbakeTest)\(|helpers\/workflow-runner\.js/;

function dockerCallIn(file: string): string | undefined {
  return dockerCalls.exec(readFileSync(file, "utf8"))?.[0];
}

describe("the pure/docker split by file name", () => {
  it("no pure-named test file calls docker", () => {
    const pureNamed = readdirSync("tests").filter((f) => f.endsWith(".test.ts") && !f.endsWith(".docker.test.ts"));
    expect(pureNamed.length).toBeGreaterThan(20);
    const calling = pureNamed.flatMap((f) => {
      const call = dockerCallIn(join("tests", f));
      return call ? [`tests/${f} calls ${call}: name it ${f.replace(/\.test\.ts$/, ".docker.test.ts")}`] : [];
    });
    expect(calling).toEqual([]);
  });

  it("finds the docker calls of the docker-named files that make them", () => {
    for (const f of ["bake-print", "test-checks", "own-project", "catalog"]) expect(dockerCallIn(join("tests", `${f}.docker.test.ts`)), f).toBeDefined();
  });

  it("vitest.config.ts selects the projects by these names, not by a list", () => {
    const projects = (config as { test: { projects: { test: { name: string; include: string[]; exclude?: string[] } }[] } }).test.projects;
    const byName = Object.fromEntries(projects.map((p) => [p.test.name, p.test]));
    expect(byName.pure).toMatchObject({ include: ["tests/*.test.ts"], exclude: ["tests/*.docker.test.ts"] });
    expect(byName.docker).toMatchObject({ include: ["tests/*.docker.test.ts"] });
  });
});
