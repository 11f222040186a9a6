// `pgbake bake --check` on the e2e config: a single-platform local build whose Dockerfiles the
// linter sees with the local bases (CloudNativePG postgres-extensions-containers#261 failed here).
import { describe, expect, it } from "vitest";
import { pgbake } from "../helpers/cli.js";
import { join } from "node:path";
import { e2eConfig, e2eExtensions } from "../helpers/e2e.js";
import { repoRoot } from "../helpers/workspace.js";

describe("bake --check on the e2e config", () => {
  it("lints every Dockerfile once without a warning", async () => {
    const paths = ["--config", e2eConfig, "--extensions", e2eExtensions];
    expect((await pgbake(["generate", ...paths])).exitCode).toBe(0);
    const r = await pgbake(["bake", "--check", ...paths]);
    const output = r.stdout + r.stderr;
    expect(r.exitCode, output).toBe(0);
    // runtime, package extension, pgxs source, and at least one operand file.
    expect((output.match(/Check complete, no warnings found\./g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(output).not.toMatch(/WARNING|error:/);
  });

  it("grants bake read access to the local source directories, and only those", async () => {
    const r = await pgbake(["bake", "--dry-run", "--config", e2eConfig, "--extensions", e2eExtensions, "--set", "pgbake_fixture-*.contexts.src=/srv/fixture"]);
    expect(r.exitCode).toBe(0);
    const allowed = [...r.stdout.matchAll(/--allow=fs\.read=(\S+)/g)].map((m) => m[1]);
    // Sorted, so the order depends on where the clone lives.
    expect(allowed).toEqual(["/srv/fixture", join(repoRoot, "tests/fixtures/pgbake_fixture")].sort());
  });
});
