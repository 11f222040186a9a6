// Several `pgbake generate` runs into one output directory at once, round after round: each
// waits for the output directory's lock (src/write/lock.ts), so every run succeeds and the
// directory always holds exactly one whole set, never a mix and never leftovers.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { planFrom, renderFrom } from "../src/pipeline/index.js";
import { writeOutputs } from "../src/write/index.js";
import { cliPath } from "./helpers/cli.js";
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
    writeFileSync(configB, readFileSync(configA, "utf8").replace('"17.6"', '"17.7"').replace(/ {2}full:\n.*\n/, ""));
    const sets = { A: setOf(configA), B: setOf(configB) };
    const out = join(work.dir, "out");
    mkdirSync(out);
    writeFileSync(join(out, "NOTES.md"), "mine\n");
    const seen = new Set<string>();
    for (let round = 0; round < 8; round++) {
      // Alternate which config starts and which finishes, so the sets really race.
      const configs = [configA, configB, round % 2 ? configA : configB];
      const runs = await Promise.all(
        configs.map((c) => execa("node", [cliPath, "generate", "--config", c, "--extensions", extensions, "--out", out], { reject: false })),
      );
      for (const r of runs) {
        expect(r.stderr, `round ${round}`).toBe("");
        expect(r.exitCode, `round ${round}`).toBe(0);
      }
      const now = JSON.stringify(snapshotTree(out, false));
      const which = now === sets.A ? "A" : now === sets.B ? "B" : "mixed";
      expect(which, `round ${round}`).not.toBe("mixed");
      seen.add(which);
    }
    expect([...seen].sort()).toEqual(["A", "B"]);
  });
});
