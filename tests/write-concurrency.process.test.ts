// Several `pgbake generate` runs into one output directory at once, round after round: each
// waits for the output directory's lock (src/write/lock.ts), so every run succeeds and the
// directory always holds exactly one whole set, never a mix and never leftovers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { planFrom, renderFrom } from "../src/pipeline/index.js";
import { writeOutputs } from "../src/write/index.js";
import { LOCK_MAX_AGE_MS } from "../src/write/lock.js";
import { cliPath, pgbake } from "./helpers/cli.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const base = join(repoRoot, "tests/corpus/_base");
const extensions = join(base, "extensions");
const work = tempDir("pgbake-concurrency-");
afterAll(() => work.cleanup());

const setOf = (config: string): string => {
  const dir = join(work.dir, `expected-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  writeOutputs(dir, renderFrom(planFrom({ config, extensions })).files);
  writeFileSync(join(dir, "NOTES.md"), "mine\n");
  return JSON.stringify(snapshotTree(dir, false));
};

describe("concurrent generate runs into one directory", () => {
  it("every run exits 0 and each round ends with exactly one whole set (3 runs × 8 rounds)", async () => {
    const configA = join(base, "pgbake.yaml");
    const configB = join(work.dir, "b.yaml");
    writeFileSync(
      configB,
      readFileSync(configA, "utf8")
        .replace('"17.6"', '"17.7"')
        .replace(/ {2}full:\n.*\n/, ""),
    );
    const sets = { A: setOf(configA), B: setOf(configB) };
    const out = join(work.dir, "out");
    mkdirSync(out);
    writeFileSync(join(out, "NOTES.md"), "mine\n");
    for (let round = 0; round < 8; round++) {
      // Alternate which config starts and which finishes, so the sets really race.
      const configs = [configA, configB, round % 2 ? configA : configB];
      const runs = await Promise.all(configs.map((c) => execa("node", [cliPath, "generate", "--config", c, "--extensions", extensions, "--out", out], { reject: false })));
      for (const r of runs) {
        // A run that waits longer than a moment says so, and nothing else.
        expect(
          r.stderr.split("\n").filter((l) => l && !l.startsWith("pgbake: waiting for another pgbake run writing ")),
          `round ${round}`,
        ).toEqual([]);
        expect(r.exitCode, `round ${round}`).toBe(0);
      }
      const now = JSON.stringify(snapshotTree(out, false));
      const which = now === sets.A ? "A" : now === sets.B ? "B" : "mixed";
      expect(which, `round ${round}`).not.toBe("mixed");
    }
  });
});

describe("the output directory's lock", () => {
  const files = () => renderFrom(planFrom({ config: join(base, "pgbake.yaml"), extensions })).files;
  const lockedDir = (holder: string): string => {
    const dir = join(work.dir, `locked-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, ".pgbake.lock"), holder);
    return dir;
  };

  it("held by a running process: the writer waits, says so, then fails with a message naming the holder; nothing written", () => {
    const since = new Date().toISOString();
    const holder = { pid: process.pid, start: "", host: hostname(), since, nonce: "x" };
    const dir = lockedDir(JSON.stringify(holder));
    const told: string[] = [];
    expect(() => writeOutputs(dir, files(), { lockTimeoutMs: 3500, onWait: (m) => told.push(m) })).toThrow(
      `${dir} is being written by another pgbake run (pid ${process.pid} on ${hostname()}, since ${since}); waited 4 s. If no pgbake runs there, remove ${dir}/.pgbake.lock`,
    );
    expect(told).toEqual([`waiting for another pgbake run writing ${dir} (pid ${process.pid} on ${hostname()}, since ${since})`]);
    expect(readdirSync(dir)).toEqual([".pgbake.lock"]);
  });

  it.each([
    ["a process that has exited", () => JSON.stringify({ pid: exitedPid(), start: "", host: hostname(), since: "", nonce: "x" })],
    ["a reused pid (same pid, another start time)", () => JSON.stringify({ pid: process.pid, start: "1", host: hostname(), since: "", nonce: "x" })],
    ["no lock at all (garbage)", () => "not a lock"],
  ])("left by %s: taken over at once, and released after the write", (_what, holder) => {
    const dir = lockedDir(holder());
    writeOutputs(dir, files(), { lockTimeoutMs: 0 });
    expect(existsSync(join(dir, ".pgbake.lock"))).toBe(false);
    expect(existsSync(join(dir, "docker-bake.hcl"))).toBe(true);
  });

  it("a lock taken after a wait says when it was taken, not when the wait began (its age is what others judge)", () => {
    const rendered = files();
    // Not a child of this process: a child that exits stays a zombie (alive to kill -0) while the writer waits synchronously.
    const sleeper = Number(spawnSync("sh", ["-c", "sleep 1.5 >/dev/null 2>&1 & echo $!"], { encoding: "utf8" }).stdout.trim());
    const dir = lockedDir(JSON.stringify({ pid: sleeper, start: "", host: hostname(), since: new Date().toISOString(), nonce: "x" }));
    const began = Date.now();
    let since = 0;
    writeOutputs(dir, rendered, {
      hooks: { afterCommit: () => void (since = Date.parse((JSON.parse(readFileSync(join(dir, ".pgbake.lock"), "utf8")) as { since: string }).since)) },
    });
    expect(since - began).toBeGreaterThan(1000);
  });

  it("a FIFO where the lock goes is no lock: taken over at once, never read (a read would wait forever)", () => {
    const dir = join(work.dir, `fifo-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    expect(spawnSync("mkfifo", [join(dir, ".pgbake.lock")]).status).toBe(0);
    writeOutputs(dir, files(), { lockTimeoutMs: 0 });
    expect(existsSync(join(dir, "docker-bake.hcl"))).toBe(true);
  });

  it.each([
    ["another host (a container's old name), dated 2020", "a-container-long-gone"],
    ["this host, a pid that runs, dated 2020 (a pid reused by another program)", hostname()],
  ])("held by %s: older than LOCK_MAX_AGE_MS, taken over at once with a message", (_what, host) => {
    const since = "2020-01-01T00:00:00.000Z";
    const dir = lockedDir(JSON.stringify({ pid: process.pid, start: "", host, since, nonce: "x" }));
    const told: string[] = [];
    writeOutputs(dir, files(), { lockTimeoutMs: 0, onWait: (m) => told.push(m) });
    expect(told).toEqual([`taking over the lock of ${dir} (pid ${process.pid} on ${host}, since ${since}): older than 10 minutes, longer than any write holds it`]);
    expect(LOCK_MAX_AGE_MS).toBe(600_000);
    expect(existsSync(join(dir, ".pgbake.lock"))).toBe(false);
    expect(existsSync(join(dir, "docker-bake.hcl"))).toBe(true);
  });

  it("held by another host a minute ago: pgbake generate --lock-wait 1 waits one second, then fails saying when it would take the lock over", async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const dir = lockedDir(JSON.stringify({ pid: 1, start: "", host: "other-host", since, nonce: "x" }));
    const r = await pgbake(["generate", "--config", join(base, "pgbake.yaml"), "--extensions", extensions, "--out", dir, "--lock-wait", "1"]);
    const elsewhere = "pgbake cannot tell whether a run on another host still runs, and takes its lock over once it is 10 minutes old";
    expect(r.stderr).toBe(
      [
        `pgbake: waiting for another pgbake run writing ${dir} (pid 1 on other-host, since ${since}); ${elsewhere}`,
        `pgbake: ${dir} is being written by another pgbake run (pid 1 on other-host, since ${since}); waited 1 s; ${elsewhere}. If no pgbake runs there, remove ${dir}/.pgbake.lock`,
      ].join("\n"),
    );
    expect(r.exitCode).toBe(1);
    expect(readdirSync(dir)).toEqual([".pgbake.lock"]);
  });

  it.each(["1e3", "ten", "1.5"])("--lock-wait %s: a usage error", async (value) => {
    const r = await pgbake(["generate", "--config", join(base, "pgbake.yaml"), "--extensions", extensions, "--out", join(work.dir, "never"), "--lock-wait", value]);
    expect(r.stderr.split("\n")[0]).toBe(`pgbake generate: --lock-wait takes whole seconds (0 or more), not '${value}'`);
    expect(r.exitCode).toBe(2);
  });
});

/** The pid of a process that ran and is gone. */
function exitedPid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}
