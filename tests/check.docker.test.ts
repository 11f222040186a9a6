// `docker buildx bake --check` on every generated Dockerfile, with the bases pointed at the
// debootstrapped images in the local registry (Docker Hub is out of reach).
import { describe, expect, it } from "vitest";
import { pgbake } from "./helpers/cli.js";

describe("bake --check", () => {
  it("lints every generated Dockerfile of the default config without a warning", async () => {
    const r = await pgbake(["bake", "--check", "--base", "bookworm=localhost:5000/debian:bookworm", "--base", "trixie=localhost:5000/debian:trixie"]);
    const output = r.stdout + r.stderr;
    expect(r.exitCode, output).toBe(0);
    const checked = output.match(/Check complete, no warnings found\./g) ?? [];
    expect(checked.length).toBeGreaterThanOrEqual(20);
    expect(output).not.toMatch(/WARNING|error:/);
  });
});
