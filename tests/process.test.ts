// The one way src/ runs programs (src/model/process.ts), on real processes: exit status, output,
// input, a timeout that returns even while a grandchild holds the pipes (execa waited for it),
// a child that cannot start, too much output; and no other file of src/ spawning on its own.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, runSync } from "../src/model/process.js";

describe("run", () => {
  it("returns the exit status and both outputs (one final newline dropped), and passes the input", async () => {
    const r = await run("sh", ["-c", 'read x; echo "got $x"; echo oops >&2; exit 3'], { input: "hello\n" });
    expect(r).toEqual({ exitCode: 3, stdout: "got hello", stderr: "oops", timedOut: false, overflowed: false });
  });

  it("adds env to this process's environment and runs in cwd", async () => {
    const r = await run("sh", ["-c", 'echo "$PGBAKE_T $HOME"; pwd'], { env: { PGBAKE_T: "x" }, cwd: "/tmp" });
    expect(r.stdout).toBe(`x ${process.env.HOME}\n/tmp`);
  });

  it("a timeout returns at once although a grandchild keeps the pipes open for a minute", { timeout: 30_000 }, async () => {
    const r = await run("sh", ["-c", "sleep 60 & echo started; sleep 60"], { timeoutMs: 500 });
    expect(r).toMatchObject({ timedOut: true, exitCode: 128 + 9, stdout: "started" });
  });

  it("a child that exits while its grandchild holds the pipes: its output, without waiting for the grandchild", { timeout: 30_000 }, async () => {
    const r = await run("sh", ["-c", "sleep 60 & echo done"]);
    expect(r).toMatchObject({ exitCode: 0, stdout: "done", timedOut: false });
  });

  it("a program that does not exist: 127 and the reason", async () => {
    const r = await run("pgbake-no-such-program", []);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toContain("ENOENT");
  });

  it("more output than maxBuffer: killed, the output cut at the limit", async () => {
    const r = await run("sh", ["-c", "yes | head -c 100000; sleep 60"], { maxBuffer: 1000 });
    expect(r.overflowed).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(1000);
  });

  it("streams stderr to onStderr instead of keeping it; an inherited stdout is not kept", async () => {
    const seen: string[] = [];
    const r = await run("sh", ["-c", "echo progress >&2; true"], { inheritStdio: true, onStderr: (c) => void seen.push(String(c)) });
    expect([r.exitCode, r.stdout, r.stderr, seen.join("")]).toEqual([0, "", "", "progress\n"]);
  });
});

describe("runSync", () => {
  it("the same result shape: status, output as text and bytes, input, timeout, a missing program", () => {
    const r = runSync("sh", ["-c", "cat; echo e >&2; exit 4"], { input: "abc\n" });
    expect([r.exitCode, r.stdout, r.stdoutBytes.toString(), r.stderr, r.timedOut]).toEqual([4, "abc", "abc\n", "e", false]);
    expect(runSync("sleep", ["30"], { timeoutMs: 300 })).toMatchObject({ timedOut: true, exitCode: 137 });
    expect(runSync("pgbake-no-such-program", []).exitCode).toBe(127);
  });
});

describe("one way to spawn", () => {
  it("no file of src/ but src/model/process.ts imports node:child_process or execa", () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
    const spawning = files("src").filter((f) => f.endsWith(".ts") && /from\s+["'](?:node:)?child_process["']|from\s+["']execa["']|import\(\s*["']execa["']/.test(readFileSync(f, "utf8")));
    expect(spawning).toEqual([join("src", "model", "process.ts")]);
  });
});
