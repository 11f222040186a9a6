// `pgbake test` leaves nothing behind: not after a run, not after a server that cannot start
// (its log is shown), not after Ctrl-C in the middle of a check. Every container and volume it
// makes carries the label dev.pgbake.test.
import { execa } from "execa";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cliPath } from "../helpers/cli.js";
import { docker, e2eConfig, e2eExtensions, pgbakeTest } from "../helpers/e2e.js";
import { repoRoot, tempDir } from "../helpers/workspace.js";

const work = tempDir("pgbake-e2e-cleanup-");
afterAll(() => work.cleanup());
const paths = ["--config", e2eConfig, "--extensions", e2eExtensions];

async function leftovers(): Promise<string[]> {
  const containers = await docker(["ps", "-a", "-q", "--filter", "label=dev.pgbake.test"]);
  const volumes = await docker(["volume", "ls", "-q", "--filter", "label=dev.pgbake.test"]);
  return [...containers.stdout.split("\n"), ...volumes.stdout.split("\n")].filter(Boolean);
}

beforeAll(async () => {
  const bake = inject("e2eBake");
  expect(bake.exitCode, bake.output.slice(-4000)).toBe(0);
  expect(await leftovers()).toEqual([]);
});

describe("pgbake test cleans up", () => {
  it("after a server that does not start, showing its log and exiting 1", async () => {
    // PostgreSQL 17 has no extension_control_path: given as the operand of a PG 18 extension
    // image, its server refuses the setting and exits.
    const args = ["--operand", "localhost:5000/postgresql:17-minimal-trixie", "pgvector-18-sid"];
    const { exitCode, output, report } = await pgbakeTest(args, join(work.dir, "r1"), paths);
    expect(exitCode, output.slice(-3000)).toBe(1);
    const start = report.subjects[0]!.checks.find((c) => c.name === "server accepts connections")!;
    expect(start.status).toBe("failed");
    expect(start.detail).toMatch(/exited/);
    expect(output).toMatch(/server log:[\s\S]*unrecognized configuration parameter "extension_control_path"/);
    expect(await leftovers()).toEqual([]);
  });

  it("on SIGINT in the middle of a run: exit 130, every container removed", async () => {
    const child = execa("node", [cliPath, "test", ...paths, "postgresql-full-18-minimal-sid", "postgresql-full-17-minimal-trixie"], { cwd: repoRoot, reject: false, all: true });
    // Wait until a server container of this run exists, then interrupt.
    for (let i = 0; i < 240 && (await leftovers()).length === 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect((await leftovers()).length).toBeGreaterThan(0);
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode, r.all).toBe(130);
    expect(r.all).toMatch(/SIGINT: removing \d+ container/);
    expect(await leftovers()).toEqual([]);
  });
});
