// Nothing lost under faults. The writer is stopped at every filesystem call it makes, once by a
// failure of that call (through the small fs interface it takes) and once by SIGKILL of a real
// `pgbake generate` at that step (a preload counts its calls). After each: the output directory
// holds exactly the old set or the new set, byte for byte, the user's own files included, with
// no lock, journal or temporary file left; and the next plain run succeeds.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsError } from "../src/model/errors.js";
import { planFrom, renderFrom } from "../src/pipeline/index.js";
import type { RenderedFile } from "../src/model/files.js";
import { failingFs } from "./helpers/failing-fs.js";
import { recoverInterrupted, writeOutputs } from "../src/write/index.js";
import { cliPath } from "./helpers/cli.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const base = join(repoRoot, "tests/corpus/_base");
const extensions = join(base, "extensions");
const work = tempDir("pgbake-faults-");
const configA = join(base, "pgbake.yaml");
const configB = join(work.dir, "b.yaml");
const preload = join(repoRoot, "tests/helpers/kill-at-step.mjs");
const writeChild = join(repoRoot, "tests/helpers/write-child.mjs");
const setBFile = join(work.dir, "set-b.json");
let filesA: RenderedFile[];
let filesB: RenderedFile[];
let setA: string;
let setB: string;
let n = 0;

const render = (config: string): RenderedFile[] => renderFrom(planFrom({ config, extensions })).files;
const contents = (dir: string): string => JSON.stringify(snapshotTree(dir, false));
const which = (dir: string): "A" | "B" | "mixed" => {
  const now = contents(dir);
  return now === setA ? "A" : now === setB ? "B" : "mixed";
};

/** An output dir holding set A and two files of the user's. */
function dirWithA(): string {
  const dir = join(work.dir, `out-${n++}`);
  mkdirSync(dir);
  writeOutputs(dir, filesA);
  writeFileSync(join(dir, "NOTES.md"), "mine\n");
  writeFileSync(join(dir, "dockerfiles/mine.Dockerfile"), "FROM scratch\n");
  return dir;
}

beforeAll(() => {
  // B: another PG minor (docker-bake.hcl changes) and no flavor `full` (its Dockerfile goes).
  // A as an older pgbake wrote it, without the scripts in dockerfiles/files/: B creates that directory.
  const text = readFileSync(configA, "utf8")
    .replace('"17.6"', '"17.7"')
    .replace(/ {2}full:\n.*\n/, "");
  writeFileSync(configB, text);
  filesA = render(configA).filter((f) => !f.path.startsWith("dockerfiles/files/"));
  filesB = render(configB);
  writeFileSync(setBFile, JSON.stringify(filesB));
  const a = dirWithA();
  setA = contents(a);
  writeOutputs(a, filesB);
  setB = contents(a);
});
afterAll(() => work.cleanup());

describe("a write that fails at any filesystem call", () => {
  it("leaves exactly the old set or the new one, and the next run writes the new set", () => {
    const count = { calls: 0 };
    writeOutputs(dirWithA(), filesB, { fs: failingFs(0, count) });
    const total = count.calls;
    expect(total).toBeGreaterThan(40);
    const outcomes = { A: 0, B: 0, mixed: 0 };
    for (let k = 1; k <= total; k++) {
      const dir = dirWithA();
      let failed: unknown;
      try {
        writeOutputs(dir, filesB, { fs: failingFs(k) });
      } catch (err) {
        failed = err;
      }
      // A failure is an FsError (a message naming the call and the path), never anything else.
      if (failed !== undefined) expect(failed, `call ${k}`).toBeInstanceOf(FsError);
      const state = which(dir);
      outcomes[state]++;
      expect(state, `call ${k} of ${total}: ${String(failed)}`).not.toBe("mixed");
      // A failed write reports it; a write that reports success has written the new set.
      if (failed === undefined) expect(state, `call ${k}`).toBe("B");
      writeOutputs(dir, filesB);
      expect(which(dir), `next run after a failure at call ${k}`).toBe("B");
    }
    // Failures both before the commit point (old set) and after it (rolled back, or finished).
    expect(outcomes.A).toBeGreaterThan(10);
    expect(outcomes.B).toBeGreaterThan(0);
  });
});

describe("pgbake generate killed (SIGKILL) at any filesystem step", () => {
  it("leaves what the next run turns into exactly the old or the new set, and the next run succeeds", async () => {
    const seen = { A: 0, B: 0, mixedUntilRecovered: 0 };
    let step = 1;
    for (; ; step++) {
      const dir = dirWithA();
      // The writer alone in a child process (the same code generate runs, without loading and
      // rendering at each step); the test below kills a whole `pgbake generate`.
      const r = await execa("node", ["--import", preload, writeChild, dir, setBFile], { reject: false, env: { PGBAKE_KILL_AT_STEP: String(step) } });
      if (r.signal !== "SIGKILL") {
        // Past the last step: the run completed.
        expect(r.exitCode, r.stderr).toBe(0);
        expect(which(dir)).toBe("B");
        break;
      }
      if (which(dir) === "mixed") seen.mixedUntilRecovered++;
      // What a crash left, once the next run has looked at it: old or new, nothing else.
      recoverInterrupted(dir);
      const state = which(dir);
      expect(state, `killed at step ${step}`).not.toBe("mixed");
      seen[state as "A" | "B"]++;
      writeOutputs(dir, filesB);
      expect(which(dir), `next run after the kill at step ${step}`).toBe("B");
    }
    expect(step).toBeGreaterThan(20);
    expect(seen.A).toBeGreaterThan(5);
    expect(seen.B).toBeGreaterThan(0);
    // Between a kill during the moves and the next run the files were mixed: recovery makes them whole.
    expect(seen.mixedUntilRecovered).toBeGreaterThan(0);
  });

  it("the next `pgbake generate` recovers on its own: killed mid-write, then a plain run", async () => {
    const dir = dirWithA();
    const killed = await execa("node", ["--import", preload, cliPath, "generate", "--config", configB, "--extensions", extensions, "--out", dir], {
      reject: false,
      env: { PGBAKE_KILL_AT_STEP: "30" },
    });
    expect(killed.signal).toBe("SIGKILL");
    expect(which(dir)).toBe("mixed");
    const check = await execa("node", [cliPath, "generate", "--check", "--config", configB, "--extensions", extensions, "--out", dir], { reject: false });
    expect(check.stdout).toMatch(/interrupted: a write was stopped halfway/);
    expect(check.exitCode).toBe(1);
    const r = await execa("node", [cliPath, "generate", "--config", configB, "--extensions", extensions, "--out", dir], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(which(dir)).toBe("B");
  });

  it("a failed call in a real run is one message naming the operation and the path, exit 1, the old set kept", async () => {
    const dir = dirWithA();
    const r = await execa("node", ["--import", preload, cliPath, "generate", "--config", configB, "--extensions", extensions, "--out", dir], {
      reject: false,
      env: { PGBAKE_FAIL_AT_STEP: "6" },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^pgbake: cannot (write|create|rename|create directory) \/\S+: input\/output error \(EIO\)$/);
    expect(which(dir)).toBe("A");
  });
});

describe("ownership", () => {
  it("never replaces files pgbake did not make: an error naming each one, exit 2, nothing touched; --force replaces them", async () => {
    const dir = join(work.dir, "users-own");
    mkdirSync(join(dir, "dockerfiles"), { recursive: true });
    writeFileSync(join(dir, "docker-bake.hcl"), "# my own bake file\n");
    writeFileSync(join(dir, "dockerfiles/runtime-pgdg.Dockerfile"), "FROM scratch\n");
    const before = contents(dir);
    const args = ["generate", "--config", configA, "--extensions", extensions, "--out", dir];
    const r = await execa("node", [cliPath, ...args], { reject: false });
    expect(r.stderr).toBe(
      `pgbake: ${dir} holds files pgbake did not make (not in .pgbake-manifest.json, or without pgbake's "Generated by pgbake" header); it never replaces or removes them:\n` +
        "  docker-bake.hcl\n  dockerfiles/runtime-pgdg.Dockerfile\nMove them away, or pass --force to replace them.",
    );
    expect(r.exitCode).toBe(2);
    expect(contents(dir)).toBe(before);
    const forced = await execa("node", [cliPath, ...args, "--force"], { reject: false });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, "docker-bake.hcl"), "utf8")).toMatch(/^\/\/ Generated by pgbake/);
  });

  it("every file pgbake renders carries the header that marks it as pgbake's (the default config and every example)", () => {
    const projects = [
      { config: join(repoRoot, "pgbake.yaml"), extensions: join(repoRoot, "extensions") },
      ...["cnpg-postgres-containers", "cnpg-extensions", "aza-pg", "flavored-pipeline", "vm-flavors"].map((e) => ({
        config: join(repoRoot, "examples", e, "pgbake.yaml"),
        extensions: join(repoRoot, "examples", e, "extensions"),
      })),
    ];
    const without = projects.flatMap((p) =>
      renderFrom(planFrom(p))
        .files.filter((f) => !/generated by pgbake/i.test(f.content.slice(0, 1000)))
        .map((f) => f.path),
    );
    expect(without).toEqual([]);
  });

  it("a generated file the user edited (its header gone) is not replaced or removed either", () => {
    const dir = dirWithA();
    const edited = join(dir, "dockerfiles/postgresql-full-minimal.Dockerfile");
    writeFileSync(edited, "FROM scratch\n# mine now\n");
    expect(() => writeOutputs(dir, filesB)).toThrow(/holds files pgbake did not make[^]*\n {2}dockerfiles\/postgresql-full-minimal.Dockerfile\n/);
    expect(readFileSync(edited, "utf8")).toBe("FROM scratch\n# mine now\n");
  });

  it("keeps files it did not make when a hostile manifest names them", () => {
    const dir = dirWithA();
    cpSync(join(dir, "NOTES.md"), join(work.dir, "outside.txt"));
    writeFileSync(join(dir, ".pgbake-manifest.json"), JSON.stringify({ files: ["../outside.txt", "/etc/hostname", "docker-bake.hcl", "NOTES.md"] }));
    expect(() => writeOutputs(dir, filesB)).toThrow(/\n {2}NOTES.md\n/);
    expect(readFileSync(join(work.dir, "outside.txt"), "utf8")).toBe("mine\n");
    expect(readFileSync(join(dir, "NOTES.md"), "utf8")).toBe("mine\n");
  });
});

describe("an output directory on a read-only file system", () => {
  // A tmpfs of its own, mounted read-only in a mount namespace of the test's (root only).
  const canMount = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "sh", "-c", "mount -t tmpfs -o ro,size=64k tmpfs /mnt"]).status === 0;
  it.runIf(canMount)("pgbake generate says read-only (EROFS), not 'no such file or directory' (exit 2)", () => {
    const ro = join(work.dir, "ro");
    mkdirSync(ro);
    const script = `mount -t tmpfs -o ro,size=64k tmpfs ${ro} && exec "$0" ${cliPath} generate --config ${configA} --extensions ${extensions} --out ${ro}/a/out`;
    const r = spawnSync("unshare", ["-m", "sh", "-c", script, process.execPath], { encoding: "utf8" });
    expect(r.stderr).toBe(`pgbake: cannot create directory ${ro}/a/out: read-only file system (EROFS)\n`);
    expect(r.status).toBe(2);
  });
});
