// `pgbake bake --check` on the e2e config: a single-platform local build whose Dockerfiles the
// linter sees with the local bases (CloudNativePG postgres-extensions-containers#261 failed here).
import { describe, expect, it } from "vitest";
import { pgbake } from "../helpers/cli.js";
import { e2eConfig, e2eExtensions } from "../helpers/e2e.js";

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
});
