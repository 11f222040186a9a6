// The compatibility grid: `pgbake grid` from the plan, and docs/compatibility.md as its committed
// output on the default config.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compatibilityGrid } from "../src/plan/grid.js";
import { planFrom } from "../src/pipeline/index.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { repoRoot } from "./helpers/workspace.js";

const title = "Compatibility grid of the default config";

describe("pgbake grid", () => {
  it("is what docs/compatibility.md holds (regenerate with the command in its header)", async () => {
    const r = await pgbakeInProcess(["grid", "--title", title]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(repoRoot, "docs/compatibility.md"), "utf8")).toBe(`${r.stdout}\n`);
  });

  // A project of its own: two bases, two majors, two platforms, and an extension with each kind of gap.
  const dir = mkdtempSync(join(tmpdir(), "pgbake-grid-"));
  mkdirSync(join(dir, "ext"));
  writeFileSync(
    join(dir, "pgbake.yaml"),
    [
      "registry: localhost:5000",
      "postgres: [{ major: 17, version: '17.12' }, { major: 18, version: '18.6' }]",
      "bases:",
      "  trixie: { image: 'debian:trixie-slim', codename: trixie, postgres_from: pgdg }",
      "  sid: { image: 'debian:sid-slim', codename: sid, postgres_from: distro, majors: [18] }",
      "platforms: [linux/amd64, linux/arm64]",
      "",
    ].join("\n"),
  );
  const entry = (name: string, extra: string[]): void =>
    writeFileSync(
      join(dir, "ext", `${name}.yaml`),
      [
        `name: ${name}`,
        "description: d",
        "license: MIT",
        "homepage: https://example.org",
        "kind: package",
        "version: '1.0'",
        `package: postgresql-{major}-${name.replace(/_/g, "-")}`,
        ...extra,
        "",
      ].join("\n"),
    );
  entry("old_only", ["max_pg_version: 17"]);
  entry("amd_only", ["platforms: [linux/amd64]"]);
  entry("trixie_only", ["bases: [trixie]"]);
  entry("needs_old", ["requires: [old_only]"]);
  const paths = { config: join(dir, "pgbake.yaml"), extensions: join(dir, "ext") };

  it("has a cell per extension × major × base × platform, with the plan's image or the reason for the gap", () => {
    const { config, catalog, plan } = planFrom(paths);
    const grid = compatibilityGrid(config, catalog, plan);
    expect(grid.columns.map((c) => `${c.major}/${c.base}/${c.platform.replace("linux/", "")}`)).toEqual([
      "17/trixie/amd64",
      "17/trixie/arm64",
      "18/trixie/amd64",
      "18/trixie/arm64",
      "18/sid/amd64",
      "18/sid/arm64",
    ]);
    const row = (name: string) => grid.rows.find((r) => r.extension === name)!.cells;
    expect(row("old_only").map((c) => c.status)).toEqual(["image", "image", "gap", "gap", "gap", "gap"]);
    expect(row("old_only")[2]).toEqual({ status: "gap", reason: "max_pg_version 17 < 18" });
    expect(row("amd_only").map((c) => c.status)).toEqual(["image", "gap", "image", "gap", "image", "gap"]);
    expect(row("trixie_only")[4]).toMatchObject({ status: "gap", reason: expect.stringMatching(/base sid/) });
    // Every image cell names a target of the plan, and every target of the plan is a cell.
    const targets = new Set(plan.extensionImages.map((t) => t.name));
    const cells = grid.rows.flatMap((r) => r.cells).filter((c) => c.status === "image");
    for (const c of cells) expect(targets.has(c.target)).toBe(true);
    expect(new Set(cells.map((c) => c.target))).toEqual(targets);
    // The image for 18 builds, but an operand cannot hold it there without what it requires.
    expect(row("needs_old")[2]).toMatchObject({ status: "image", caveat: expect.stringMatching(/requires old_only.*max_pg_version 17 < 18/) });
  });

  it("prints Markdown with one column per major × base, splitting platforms that differ, and numbered reasons", async () => {
    const r = await pgbakeInProcess(["grid", "--config", paths.config, "--extensions", paths.extensions]);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines).toContain("| extension | PG 17 trixie | PG 18 trixie | PG 18 sid |");
    const reason = (text: string): string => lines.find((l) => l.endsWith(`. ${text}`))!.split(".")[0]!;
    expect(lines).toContain(`| old_only | 1.0 | — [${reason("max_pg_version 17 < 18")}] | — [${reason("max_pg_version 17 < 18")}] |`);
    const arm = reason("platform linux/arm64 not supported");
    expect(lines).toContain(`| amd_only | ${Array(3).fill(`amd64: 1.0<br>arm64: — [${arm}]`).join(" | ")} |`);
    expect(lines).toContain(`| trixie_only | 1.0 | 1.0 | — [${reason("base sid not supported (only trixie)")}] |`);
    const json = await pgbakeInProcess(["grid", "--json", "--config", paths.config, "--extensions", paths.extensions]);
    expect(JSON.parse(json.stdout).rows).toHaveLength(4);
  });
});
