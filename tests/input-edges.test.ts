// The edges of input (issue 21): only regular files are read, bounded by the bytes read rather
// than the size a file reports; a FIFO or a device is refused at once, never waited on.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRegularFile } from "../src/load/text.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-input-edges-");
afterAll(() => work.cleanup());
let n = 0;

function project(): string {
  const dir = join(work.dir, `p${n++}`);
  cpSync(join(repoRoot, "tests/corpus/_base"), dir, { recursive: true });
  return dir;
}
const mkfifo = (path: string): void => expect(spawnSync("mkfifo", [path]).status).toBe(0);

describe("only regular files are read", () => {
  // A hang is the failure these guard against: each has a short timeout of its own.
  it("a FIFO as the config: refused at once, exit 2", { timeout: 30_000 }, async () => {
    const dir = project();
    mkfifo(join(dir, "fifo.yaml"));
    const r = await pgbakeInProcess(["plan", "--config", "fifo.yaml", "--extensions", "extensions"], dir);
    expect(r.stderr).toBe("pgbake: 1 problem(s) in the input:\nfifo.yaml: cannot read file: it is a FIFO; pgbake reads regular files only");
    expect(r.exitCode).toBe(2);
  });

  it("a FIFO in a catalog directory: refused at once, exit 2", { timeout: 30_000 }, async () => {
    const dir = project();
    mkfifo(join(dir, "extensions/pipe.yaml"));
    const r = await pgbakeInProcess(["plan", "--config", "pgbake.yaml", "--extensions", "extensions"], dir);
    expect(r.stderr).toBe("pgbake: 1 problem(s) in the input:\nextensions/pipe.yaml: cannot read file: it is a FIFO; pgbake reads regular files only");
    expect(r.exitCode).toBe(2);
  });

  it("pgbake add with a FIFO as the config: refused at once, exit 2", { timeout: 30_000 }, async () => {
    const dir = project();
    mkfifo(join(dir, "fifo.yaml"));
    const r = await pgbakeInProcess(["add", "foo", "--package", "postgresql-{major}-foo", "--config", "fifo.yaml"], dir);
    expect(r.stderr).toBe("pgbake: 1 problem(s) in the input:\nfifo.yaml: cannot read file: it is a FIFO; pgbake reads regular files only");
    expect(r.exitCode).toBe(2);
  });

  it("--config /dev/zero (a device that reports size 0 and never ends): refused, exit 2", async () => {
    const dir = project();
    const r = await pgbakeInProcess(["plan", "--config", "/dev/zero", "--extensions", "extensions"], dir);
    expect(r.stderr).toMatch(/^pgbake: 1 problem\(s\) in the input:\n.*dev\/zero: cannot read file: it is a device; pgbake reads regular files only$/);
    expect(r.exitCode).toBe(2);
  });

  it.each([
    ["/dev/zero", "/dev/zero: cannot read file: it is a device; pgbake reads regular files only"],
    ["fifo", "fifo: cannot read file: it is a FIFO; pgbake reads regular files only"],
  ])("catalog --metadata %s: refused, exit 2", async (file, message) => {
    const dir = project();
    if (file === "fifo") mkfifo(join(dir, "fifo"));
    const r = await pgbakeInProcess(["catalog", "--metadata", file, "--config", "pgbake.yaml", "--extensions", "extensions"], dir);
    expect(r.stderr).toBe(`pgbake: ${message}`);
    expect(r.exitCode).toBe(2);
  });

  it("a regular file that reports size 0 and holds more (/proc): bounded by the bytes read", () => {
    const read = readRegularFile("/proc/self/maps", 100);
    expect(read).toEqual({ problem: "the file holds more than 100 bytes (more than the 0 it reports); pgbake reads input files of up to 100 bytes" });
  });
});

describe("local sources: bake may read them only inside the project and the entry's catalog", () => {
  const entry = (name: string, git: string): string =>
    `name: ${name}\ndescription: x\nlicense: MIT\nhomepage: https://example.org\nkind: source\nversion: 1.0.0\nsource:\n  git: ${git}\n  ref: main\n  build: pgxs\n`;
  /** A project whose config layers its catalog over a library catalog installed as an npm package. */
  function withLibrary(git: string): string {
    const dir = project();
    const lib = join(dir, "node_modules/libcat");
    mkdirSync(join(lib, "extensions"), { recursive: true });
    writeFileSync(join(lib, "package.json"), '{ "name": "libcat", "version": "1.0.0" }\n');
    writeFileSync(join(lib, "extensions/libext.yaml"), entry("libext", git));
    writeFileSync(join(dir, "pgbake.yaml"), `catalogs: [libcat/extensions, ./extensions]\n${readFileSync(join(dir, "pgbake.yaml"), "utf8")}`);
    return dir;
  }

  it.each(["../../../../../../../../../../../..", "/root"])("a library catalog's source.git %s: exit 2 naming its file, line and field", async (git) => {
    const dir = withLibrary(git);
    const r = await pgbakeInProcess(["plan", "--config", "pgbake.yaml"], dir);
    expect(r.stderr).toBe(
      `pgbake: 1 problem(s) in the input:\nnode_modules/libcat/extensions/libext.yaml:8:8: source.git: the local directory ${git === "/root" ? "/root" : "/"} is outside the project and this entry's catalog; ` +
        "bake may read local sources only inside them (each: the git work tree or npm package holding the config file or catalog directory, else that directory)",
    );
    expect(r.exitCode).toBe(2);
  });

  it("a library's source inside its own package, and a project's inside the project: accepted", async () => {
    const dir = withLibrary("../src");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "extensions/mine.yaml"), entry("mine", "../src"));
    const r = await pgbakeInProcess(["plan", "--config", "pgbake.yaml"], dir);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });
});
