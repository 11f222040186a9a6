// The broken-input corpus (tests/corpus/<case>/): each case is the valid project in
// tests/corpus/_base with the case's files laid over it (and the paths in its `remove` file
// deleted). Every case must exit 2 with exactly the error lines in its expected.txt and leave the
// output directory, with a generated bake file and a user's own files in it, untouched.
// UPDATE_CORPUS=1 rewrites expected.txt from the actual output (review the diff before committing).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const corpus = join(repoRoot, "tests/corpus");
const cases = readdirSync(corpus, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith("_"))
  .map((e) => e.name)
  .sort();
const work = tempDir("pgbake-corpus-");
const generatedOut = join(work.dir, "generated-out");
let ran = 0;

function project(caseName: string): string {
  const dir = join(work.dir, caseName);
  cpSync(join(corpus, "_base"), dir, { recursive: true });
  const caseDir = join(corpus, caseName);
  const removeFile = join(caseDir, "remove");
  if (existsSync(removeFile)) for (const p of readFileSync(removeFile, "utf8").split("\n").filter(Boolean)) rmSync(join(dir, p), { recursive: true, force: true });
  for (const entry of readdirSync(caseDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || ["remove", "expected.txt"].includes(entry.name)) continue;
    const rel = join(entry.parentPath, entry.name).slice(caseDir.length + 1);
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    cpSync(join(caseDir, rel), join(dir, rel));
  }
  // The output directory as a user has it: last run's generated files plus files of their own.
  cpSync(generatedOut, join(dir, "out"), { recursive: true });
  writeFileSync(join(dir, "out/NOTES.md"), "my notes, not pgbake's\n");
  writeFileSync(join(dir, "out/dockerfiles/mine.Dockerfile"), "FROM scratch\n");
  return dir;
}

beforeAll(async () => {
  const r = await pgbakeInProcess(["generate", "--config", join(corpus, "_base/pgbake.yaml"), "--extensions", join(corpus, "_base/extensions"), "--out", generatedOut]);
  expect(r.exitCode, `the corpus base must be valid: ${r.stderr}`).toBe(0);
});
afterAll(() => {
  process.stdout.write(`corpus: ${ran} broken inputs ran through the CLI, each exit 2 with its exact errors and the output untouched\n`);
  work.cleanup();
});

describe("broken input corpus", () => {
  it("holds at least 40 cases", () => expect(cases.length).toBeGreaterThanOrEqual(40));

  // Each case is its own directory; the CLI runs them one after another in this process.
  it.each(cases)("%s", async (caseName) => {
    const dir = project(caseName);
    const before = snapshotTree(join(dir, "out"));
    const r = await pgbakeInProcess(["generate", "--config", "pgbake.yaml", "--extensions", "extensions", "--out", "out"], dir);
    const expectedFile = join(corpus, caseName, "expected.txt");
    if (process.env.UPDATE_CORPUS) writeFileSync(expectedFile, `${r.stderr}\n`);
    expect(r.stderr).toBe(readFileSync(expectedFile, "utf8").replace(/\n$/, ""));
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(snapshotTree(join(dir, "out"))).toEqual(before);
    ran++;
  });
});
