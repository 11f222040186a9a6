// Nothing outside the output directory is ever written, moved or removed (issue 21): not by the
// recovery of an interrupted write whose journal names a path through a link, not by a journal
// naming files no manifest lists, and not through an --out that is a link to an input directory.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JOURNAL, STAGING_DIR } from "../src/write/index.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-confine-");
afterAll(() => work.cleanup());
let n = 0;

/** The corpus base project with a generated out/, and a directory outside it holding a file of the user's. */
async function project(): Promise<{ dir: string; out: string; outside: string; run: (...a: string[]) => ReturnType<typeof pgbakeInProcess> }> {
  const dir = join(work.dir, `p${n++}`);
  cpSync(join(repoRoot, "tests/corpus/_base"), dir, { recursive: true });
  const run = (...args: string[]) => pgbakeInProcess([...args, "--config", "pgbake.yaml", "--extensions", "extensions"], dir);
  expect((await run("generate", "--out", "out")).exitCode).toBe(0);
  const outside = join(dir, "elsewhere");
  mkdirSync(outside);
  writeFileSync(join(outside, "notes.txt"), "the user's notes, outside the output directory\n");
  return { dir, out: join(dir, "out"), outside, run };
}

/** out/dockerfiles becomes a link to `outside` (holding a copy of the Dockerfiles, so manifest entries resolve there). */
function linkDockerfiles(out: string, outside: string): void {
  cpSync(join(out, "dockerfiles"), outside, { recursive: true });
  rmSync(join(out, "dockerfiles"), { recursive: true });
  symlinkSync(outside, join(out, "dockerfiles"));
}

const journal = (out: string, writes: { path: string; existed: boolean }[], removes: string[]): void => writeFileSync(join(out, JOURNAL), JSON.stringify({ version: 2, writes, removes, dirs: [] }));

describe("recovery of an interrupted write stays inside the output directory", () => {
  it("a journal naming dockerfiles/notes.txt, dockerfiles a link elsewhere: the outside file is kept, exit 2 naming the link", async () => {
    const p = await project();
    linkDockerfiles(p.out, p.outside);
    journal(p.out, [], ["dockerfiles/notes.txt"]);
    const before = snapshotTree(p.outside);
    const r = await p.run("generate", "--out", "out");
    expect(snapshotTree(p.outside)).toEqual(before);
    expect(r.stderr).toBe(
      `pgbake: cannot write ${p.out}/dockerfiles/extension-package.Dockerfile: ${p.out}/dockerfiles is a symbolic link (pgbake follows no link inside the output directory), not a directory`,
    );
    expect(r.exitCode).toBe(2);
  });

  it("a journal replacing dockerfiles/notes.txt with a staged file: the outside file is not overwritten", async () => {
    const p = await project();
    linkDockerfiles(p.out, p.outside);
    mkdirSync(join(p.out, STAGING_DIR, "new/dockerfiles"), { recursive: true });
    writeFileSync(join(p.out, STAGING_DIR, "new/dockerfiles/notes.txt"), "overwritten\n");
    journal(p.out, [{ path: "dockerfiles/notes.txt", existed: true }], []);
    const before = snapshotTree(p.outside);
    expect((await p.run("generate", "--out", "out")).exitCode).toBe(2);
    expect(snapshotTree(p.outside)).toEqual(before);
  });

  it("a journal naming a file the manifest lists, reached through the link: nothing outside is moved or removed", async () => {
    const p = await project();
    linkDockerfiles(p.out, p.outside);
    journal(p.out, [], ["dockerfiles/postgresql-full-minimal.Dockerfile"]);
    expect(existsSync(join(p.outside, "postgresql-full-minimal.Dockerfile"))).toBe(true);
    const before = snapshotTree(p.outside);
    expect((await p.run("generate", "--out", "out")).exitCode).toBe(2);
    expect(snapshotTree(p.outside)).toEqual(before);
  });

  it("a journal naming a file of the user's that no manifest lists is not followed: the file stays, the run succeeds", async () => {
    const p = await project();
    writeFileSync(join(p.out, "NOTES.md"), "mine\n");
    journal(p.out, [], ["NOTES.md"]);
    const r = await p.run("generate", "--out", "out");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(p.out, "NOTES.md"), "utf8")).toBe("mine\n");
    expect(existsSync(join(p.out, JOURNAL))).toBe(false);
  });
});

describe("--out through a symbolic link", () => {
  it("into the catalog directory: refused as an input of the run, the catalog untouched", async () => {
    const p = await project();
    symlinkSync(join(p.dir, "extensions"), join(p.dir, "link"));
    const before = snapshotTree(join(p.dir, "extensions"));
    const r = await p.run("generate", "--out", "link");
    expect(r.stderr).toBe(`pgbake: ${p.dir}/link cannot be an output directory: it is an input of this run (${p.dir}/extensions, through a symbolic link)`);
    expect(r.exitCode).toBe(2);
    expect(snapshotTree(join(p.dir, "extensions"))).toEqual(before);
  });

  it("to the root of the file system: refused", async () => {
    const p = await project();
    symlinkSync("/", join(p.dir, "root"));
    const r = await p.run("generate", "--out", "root");
    expect(r.stderr).toBe(`pgbake: ${p.dir}/root cannot be an output directory: it is the root of the file system (/, through a symbolic link)`);
    expect(r.exitCode).toBe(2);
  });
});
