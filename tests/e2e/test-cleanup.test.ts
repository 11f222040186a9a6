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

  it("with --jobs 2: two servers at once, each image's lines together and in the report's order, all removed", async () => {
    const targets = ["pgvector-18-sid", "h3-18-sid"];
    const child = pgbakeTest([...targets, "--jobs", "2"], join(work.dir, "jobs"), paths);
    let most = 0;
    let done = false;
    void child.finally(() => (done = true));
    while (!done) {
      most = Math.max(most, (await leftovers()).length);
      await new Promise((r) => setTimeout(r, 200));
    }
    const { exitCode, output, report } = await child;
    expect(exitCode, output.slice(-3000)).toBe(0);
    expect(most).toBe(2);
    expect(report.subjects.map((s) => s.target)).toEqual(targets);
    // A subject's block runs from its "[i/2] target" line to its "passed:" line with no other subject's line inside.
    for (const [i, t] of targets.entries()) {
      const block = output.slice(output.indexOf(`[${i + 1}/2] ${t} `));
      const end = block.indexOf("  passed: ");
      expect(end, t).toBeGreaterThan(0);
      expect(block.slice(0, end)).not.toMatch(new RegExp(`\\[${2 - i}/2\\]|${targets[1 - i]} image layout`));
    }
    expect(await leftovers()).toEqual([]);
  });

  it("refuses --jobs that is not a whole number from 1 (exit 2, nothing started)", async () => {
    const r = await execa("node", [cliPath, "test", ...paths, "--jobs", "0", "pgvector-18-sid"], { cwd: repoRoot, reject: false, all: true });
    expect(r.exitCode).toBe(2);
    expect(r.all).toContain("--jobs takes a whole number from 1 to 999, not '0'");
  });
});
