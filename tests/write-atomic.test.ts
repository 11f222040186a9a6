// The output set is replaced as a whole: a write stopped at any step (as a crash would stop it)
// leaves, once the next run has recovered, exactly the old set or exactly the new one. Files the
// user put in the output directory are never touched.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFrom, renderFrom } from "../src/pipeline/index.js";
import type { RenderedFile } from "../src/model/files.js";
import { JOURNAL, STAGING_DIR, type WriteHooks } from "../src/write/journal.js";
import { recoverInterrupted, writeOutputs } from "../src/write/index.js";
import { pgbake } from "./helpers/cli.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const base = join(repoRoot, "tests/corpus/_base");
const work = tempDir("pgbake-atomic-");
const configA = join(base, "pgbake.yaml");
const configB = join(work.dir, "b.yaml");
let filesA: RenderedFile[];
let filesB: RenderedFile[];
let setA: Record<string, unknown>;
let setB: Record<string, unknown>;
let n = 0;

const render = (config: string): RenderedFile[] => renderFrom(planFrom({ config, extensions: join(base, "extensions") })).files;
const contents = (dir: string) => snapshotTree(dir, false);

/** An output dir holding set A and two files of the user's. */
function dirWithA(): string {
  const dir = join(work.dir, `out-${n++}`);
  mkdirSync(dir);
  writeOutputs(dir, filesA);
  writeFileSync(join(dir, "NOTES.md"), "mine\n");
  writeFileSync(join(dir, "dockerfiles/mine.Dockerfile"), "FROM scratch\n");
  return dir;
}

class Crash extends Error {}

beforeAll(() => {
  // B: another PG minor (docker-bake.hcl changes) and no flavor `full` (its Dockerfile goes).
  const text = readFileSync(configA, "utf8").replace('"17.6"', '"17.7"').replace(/  full:\n.*\n/, "");
  writeFileSync(configB, text);
  filesA = render(configA);
  filesB = render(configB);
  const a = dirWithA();
  setA = contents(a);
  writeOutputs(a, filesB);
  setB = contents(a);
});
afterAll(() => work.cleanup());

describe("writing the output set", () => {
  it("changes files and removes stale ones between the two sets (so the crash tests below mean something)", () => {
    const changed = Object.keys(setB).filter((p) => setA[p] !== undefined && setA[p] !== setB[p]);
    const removed = Object.keys(setA).filter((p) => !(p in setB));
    expect(changed).toEqual(expect.arrayContaining([".pgbake-manifest.json", "docker-bake.hcl"]));
    expect(removed).toEqual(["dockerfiles/postgresql-full-minimal.Dockerfile"]);
    expect(setB["NOTES.md"]).toBe(setA["NOTES.md"]);
    expect(setB["dockerfiles/mine.Dockerfile"]).toBe(setA["dockerfiles/mine.Dockerfile"]);
  });

  it("leaves the old set or the new one, never a mix, whichever step a crash stops", () => {
    const probe = dirWithA();
    const counts = { staged: 0, renamed: 0 };
    writeOutputs(probe, filesB, { afterStage: (c) => void (counts.staged = c), afterRename: (c) => void (counts.renamed = c) });
    expect(counts.renamed).toBe(counts.staged);
    expect(counts.renamed).toBeGreaterThanOrEqual(2);

    const crashPoints: { name: string; hooks: WriteHooks; expected: "A" | "B" }[] = [];
    for (let k = 1; k <= counts.staged; k++)
      crashPoints.push({ name: `after staging ${k}`, hooks: { afterStage: (c) => { if (c === k) throw new Crash(); } }, expected: "A" });
    crashPoints.push({ name: "after the commit", hooks: { afterCommit: () => { throw new Crash(); } }, expected: "B" });
    for (let k = 1; k <= counts.renamed; k++)
      crashPoints.push({ name: `after rename ${k}`, hooks: { afterRename: (c) => { if (c === k) throw new Crash(); } }, expected: "B" });

    let mixedOnDisk = 0;
    for (const point of crashPoints) {
      const dir = dirWithA();
      expect(() => writeOutputs(dir, filesB, point.hooks), point.name).toThrow(Crash);
      const stopped = contents(dir);
      if (existsSync(join(dir, JOURNAL))) {
        const visible = Object.fromEntries(Object.entries(stopped).filter(([p]) => !p.startsWith(STAGING_DIR) && p !== JOURNAL));
        if (JSON.stringify(visible) !== JSON.stringify(setA) && JSON.stringify(visible) !== JSON.stringify(setB)) mixedOnDisk++;
      }
      expect(recoverInterrupted(dir), point.name).toBe(point.expected === "A" ? "rolled-back" : "rolled-forward");
      expect(contents(dir), point.name).toEqual(point.expected === "A" ? setA : setB);
    }
    // Between the crash and the recovery the files were mixed: recovery is what makes it whole.
    expect(mixedOnDisk).toBeGreaterThan(0);
  });

  it("recovers on the next `pgbake generate`: an interrupted write of B, then generate A, gives exactly A", async () => {
    const dir = dirWithA();
    expect(() => writeOutputs(dir, filesB, { afterRename: (c) => { if (c === 1) throw new Crash(); } })).toThrow(Crash);
    const r = await pgbake(["generate", "--config", configA, "--extensions", join(base, "extensions"), "--out", dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(contents(dir)).toEqual(setA);
  });

  it("never touches a file it did not make, even one the manifest cannot name (a hostile manifest)", () => {
    const dir = dirWithA();
    cpSync(join(dir, "NOTES.md"), join(work.dir, "outside.txt"));
    writeFileSync(join(dir, ".pgbake-manifest.json"), JSON.stringify({ files: ["../outside.txt", "/etc/hostname", "docker-bake.hcl"] }));
    writeOutputs(dir, filesB);
    expect(existsSync(join(work.dir, "outside.txt"))).toBe(true);
    expect(existsSync("/etc/hostname")).toBe(true);
    expect(contents(dir)["docker-bake.hcl"]).toBe(setB["docker-bake.hcl"]);
    expect(readFileSync(join(dir, "NOTES.md"), "utf8")).toBe("mine\n");
  });
});
