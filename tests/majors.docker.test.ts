// `bases.<name>.majors`: a base that carries only some PG majors (a distribution ships one major
// per release) gets no runtime, extension image or operand for the others.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { pgbake } from "./helpers/cli.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir();
afterAll(() => work.cleanup());
const extensions = join(repoRoot, "e2e/extensions");

const config = (bases: string): string =>
  [
    "postgres:",
    '  - { major: 15, version: "15.20" }',
    '  - { major: 17, version: "17.12" }',
    "bases:",
    bases,
    "types:",
    "  minimal: { description: server only }",
    "platforms: [linux/amd64]",
    "flavors:",
    "  base: { extensions: [] }",
    "  full: { extensions: [pg_cron, pgbake_fixture] }",
    "",
  ].join("\n");

describe("bases.<name>.majors", () => {
  it("builds each base only for the majors it lists; a base without the key takes all", () => {
    const file = join(work.dir, "majors.yaml");
    writeFileSync(
      file,
      config(
        [
          "  bookworm: { image: localhost:5000/debian:bookworm, codename: bookworm, postgres_from: distro, majors: [15] }",
          "  trixie: { image: localhost:5000/debian:trixie, codename: trixie, postgres_from: distro, majors: [17] }",
          "  any: { image: localhost:5000/debian:trixie, codename: trixie }",
        ].join("\n"),
      ),
    );
    const { plan } = planFrom({ config: file, extensions });
    expect(plan.runtimes.map((r) => r.name).sort()).toEqual(["runtime-15-any", "runtime-15-bookworm", "runtime-17-any", "runtime-17-trixie"]);
    const images = plan.extensionImages.map((t) => t.name).filter((n) => /^(pg_cron|pgbake_fixture)-/.test(n));
    expect(images.sort()).toEqual([
      "pg_cron-15-any",
      "pg_cron-15-bookworm",
      "pg_cron-17-any",
      "pg_cron-17-trixie",
      "pgbake_fixture-15-any",
      "pgbake_fixture-15-bookworm",
      "pgbake_fixture-17-any",
      "pgbake_fixture-17-trixie",
    ]);
    const operands = plan.operands.map((o) => `${o.major}-${o.base}`);
    expect(new Set(operands)).toEqual(new Set(["15-bookworm", "17-trixie", "15-any", "17-any"]));
    expect(operands).toHaveLength(8);
    // No group names a target that does not exist.
    const names = new Set([...plan.runtimes, ...plan.extensionImages, ...plan.operands].map((t) => t.name));
    for (const g of plan.groups) for (const t of g.targets) expect(names.has(t), `${g.name}: ${t}`).toBe(true);
  });

  it("refuses a major the config does not build, with its position", async () => {
    const file = join(work.dir, "unknown-major.yaml");
    writeFileSync(file, config("  trixie:\n    image: localhost:5000/debian:trixie\n    codename: trixie\n    majors: [17, 18]"));
    const r = await pgbake(["plan", "--config", file, "--extensions", extensions]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown-major\.yaml:\d+:\d+.*bases\.trixie\.majors.*PG 18 is not in the project's postgres list/);
  });

  it("places a local source directory relative to the spec file, seen from the output directory", () => {
    const { plan } = planFrom({ config: join(repoRoot, "e2e/pgbake.yaml"), extensions, out: join(work.dir, "out") });
    const fixture = plan.extensionImages.find((t) => t.extension === "pgbake_fixture")!;
    expect(join(work.dir, "out", fixture.sourceContext!.value)).toBe(join(repoRoot, "tests/fixtures/pgbake_fixture"));
  });
});
