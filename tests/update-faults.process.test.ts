// `pgbake update` is one transaction with `generate`: the edited inputs (pgbake.yaml and a catalog
// entry) and the regenerated outputs are committed together. Stopped at every filesystem call of
// that commit, once by a failure of the call (the writer's fs interface) and once by SIGKILL of a
// real `pgbake update` at that step (reading a signed apt repository served on 127.0.0.1): the
// project then holds old inputs with old outputs or new inputs with new outputs, never a mix,
// once the next plain `pgbake generate` has run, and that run succeeds.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsError } from "../src/model/errors.js";
import { planFrom, renderFrom, type InputPaths } from "../src/pipeline/index.js";
import type { RenderedFile } from "../src/model/files.js";
import { inputsOf } from "../src/pipeline/index.js";
import { editedInputs } from "../src/update/apply.js";
import { findPinChanges, UPDATE_KINDS } from "../src/update/pins.js";
import type { WriterFs } from "../src/write/fs.js";
import { InputsRecovered, writeOutputs, type InputEdit } from "../src/write/index.js";
import { buildSignedSuite, serve } from "./helpers/apt-repo.js";
import { cliPath } from "./helpers/cli.js";
import { failingFs } from "./helpers/failing-fs.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-update-faults-");
const pristine = join(work.dir, "pristine");
const project = join(work.dir, "project");
const preload = join(repoRoot, "tests/helpers/kill-at-step.mjs");
const paths: InputPaths = { config: join(project, "pgbake.yaml"), extensions: join(project, "extensions") };
let server: Server | undefined;
/** The project's whole tree (inputs, outputs, anything else) in the old state and in the new. */
let stateA = "";
let stateB = "";
let filesB: RenderedFile[];
let edits: InputEdit[];

const paragraph = (pkg: string, version: string): string => `Package: ${pkg}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: t <t@example.invalid>\nDescription: test\n\n`;
const tree = (): string => JSON.stringify(snapshotTree(project, false));
const which = (): "A" | "B" | "mixed" => {
  const now = tree();
  return now === stateA ? "A" : now === stateB ? "B" : "mixed";
};
const reset = (): void => {
  rmSync(project, { recursive: true, force: true });
  cpSync(pristine, project, { recursive: true });
};

/** A plain `pgbake generate`, in process: plans again when recovery finished an interrupted update. */
function plainGenerate(): void {
  const run = (): void => {
    const planned = planFrom(paths);
    writeOutputs(planned.outDir, renderFrom(planned).files, { inputs: inputsOf(planned) });
  };
  try {
    run();
  } catch (err) {
    if (!(err instanceof InputsRecovered)) throw err;
    run();
  }
}

beforeAll(async () => {
  const www = join(work.dir, "www");
  const packages = [
    paragraph("postgresql-17", "17.12-1.pgdg13+1"),
    paragraph("postgresql-17", "17.13-1.pgdg13+1"),
    paragraph("postgresql-17-pgvector", "0.8.1-1.pgdg13+1"),
    paragraph("postgresql-17-pgvector", "0.8.2-1.pgdg13+1"),
  ].join("");
  buildSignedSuite(join(www, "pgdg"), "trixie-pgdg", { "main/binary-amd64/Packages.gz": gzipSync(packages) }, ["amd64"], join(work.dir, "gnupg"), join(www, "key.asc"));
  const served = await serve(www);
  server = served.server;

  mkdirSync(join(pristine, "extensions"), { recursive: true });
  for (const e of ["pgvector", "pg_trgm"]) cpSync(join(repoRoot, `tests/corpus/_base/extensions/${e}.yaml`), join(pristine, `extensions/${e}.yaml`));
  writeFileSync(
    join(pristine, "pgbake.yaml"),
    [
      "# pins moved by pgbake update",
      "registry: localhost:5000/i21-update-faults",
      "output: out",
      'postgres: [{ major: 17, version: "17.12" }]',
      "bases:",
      "  trixie:",
      "    image: localhost:5000/debian:trixie",
      "    codename: trixie",
      `    apt: { pgdg_mirror: "${served.url}/pgdg", pgdg_key: "${served.url}/key.asc" }`,
      "types: { minimal: { description: PostgreSQL only } }",
      "platforms: [linux/amd64]",
      "flavors: { base: { extensions: [pgvector, pg_trgm] } }",
      "",
    ].join("\n"),
  );
  // The user's own file beside the inputs and one in the output directory: kept through everything.
  writeFileSync(join(pristine, "NOTES.md"), "mine\n");
  reset();
  plainGenerate();
  writeFileSync(join(project, "out/NOTES.md"), "mine too\n");
  rmSync(pristine, { recursive: true });
  cpSync(project, pristine, { recursive: true });
  stateA = tree();

  // The update's edits, found for real against the served repository (no network after this).
  const planned = planFrom(paths);
  const result = await findPinChanges(planned.config, planned.catalog.extensions, planned.plan, { only: new Set(UPDATE_KINDS.filter((k) => k === "pg" || k === "packages")), keyrings: [] });
  expect(result.changes.map((c) => `${c.pin}: ${c.old} -> ${c.new}`)).toEqual(["PostgreSQL 17: 17.12 -> 17.13", "pgvector (PG 17): 0.8.1 -> 0.8.2"]);
  const applied = editedInputs(paths, result.edits);
  edits = applied.edits;
  expect(edits.map((e) => e.path).sort()).toEqual([join(project, "extensions/pgvector.yaml"), join(project, "pgbake.yaml")]);
  filesB = renderFrom(applied.planned).files;
  writeOutputs(join(project, "out"), filesB, { inputs: inputsOf(applied.planned), inputEdits: edits });
  stateB = tree();
  expect(stateB).not.toBe(stateA);
  expect(readFileSync(join(project, "pgbake.yaml"), "utf8")).toContain('version: "17.13"');
  expect(readFileSync(join(project, "out/docker-bake.hcl"), "utf8")).toContain("17.13");
  reset();
}, 600_000);
afterAll(async () => {
  await new Promise((ok) => (server ? server.close(() => ok(undefined)) : ok(undefined)));
  work.cleanup();
});

const commit = (fs?: WriterFs): void => void writeOutputs(join(project, "out"), filesB, { inputs: inputsOf(planFrom(paths)), inputEdits: edits, ...(fs ? { fs } : {}) });

describe("the combined commit failing at any filesystem call", () => {
  it("leaves old inputs with old outputs or new with new; the next plain generate succeeds and keeps them in agreement", () => {
    const count = { calls: 0 };
    reset();
    commit(failingFs(0, count));
    const total = count.calls;
    expect(total).toBeGreaterThan(40);
    const outcomes = { A: 0, B: 0 };
    for (let k = 1; k <= total; k++) {
      reset();
      let failed: unknown;
      try {
        commit(failingFs(k));
      } catch (err) {
        failed = err;
      }
      if (failed !== undefined) expect(failed, `call ${k}`).toBeInstanceOf(FsError);
      const state = which();
      expect(state, `call ${k} of ${total}: ${String(failed)}`).not.toBe("mixed");
      if (failed === undefined) expect(state, `call ${k}`).toBe("B");
      outcomes[state as "A" | "B"]++;
      plainGenerate();
      expect(which(), `plain generate after a failure at call ${k}`).toBe(state);
    }
    expect(outcomes.A).toBeGreaterThan(10);
    expect(outcomes.B).toBeGreaterThan(0);
  });
});

/** A real `pgbake update` of the project, SIGKILLed at filesystem step `step` (a preload counts them). */
const updateKilledAt = (step: number) =>
  execa("node", ["--import", preload, cliPath, "update", "--only", "pg,packages", "--config", "pgbake.yaml", "--extensions", "extensions"], {
    cwd: project,
    reject: false,
    env: { PGBAKE_KILL_AT_STEP: String(step) },
  });

/** The first step at which a killed update leaves a journal (the same at every run), once found. */
let commitStep: number | undefined;

/** A real update killed at the first step that leaves a journal: just after the commit point. */
async function killJustAfterCommit(): Promise<void> {
  for (let step = commitStep ?? 1; ; step++) {
    commitStep = step;
    reset();
    const r = await updateKilledAt(step);
    expect(r.signal, "no step left a journal").toBe("SIGKILL");
    if (readdirSync(join(project, "out")).includes(".pgbake-journal.json")) return;
  }
}

describe("pgbake update killed (SIGKILL) at any filesystem step", () => {
  it("the next plain `pgbake generate` finishes or undoes it: inputs and outputs agree, and it succeeds", async () => {
    const seen = { A: 0, B: 0, mixedUntilRecovered: 0 };
    let step = 1;
    for (; ; step++) {
      reset();
      const r = await updateKilledAt(step);
      if (r.signal !== "SIGKILL") {
        expect(r.exitCode, r.stderr).toBe(0);
        expect(which()).toBe("B");
        break;
      }
      if (which() === "mixed") seen.mixedUntilRecovered++;
      if (commitStep === undefined && readdirSync(join(project, "out")).includes(".pgbake-journal.json")) commitStep = step;
      const g = await execa("node", [cliPath, "generate", "--config", "pgbake.yaml", "--extensions", "extensions"], { cwd: project, reject: false });
      expect(g.exitCode, `generate after the kill at step ${step}: ${g.stderr}`).toBe(0);
      const state = which();
      expect(state, `killed at step ${step}; then generate: ${g.stdout}\n${g.stderr}\n${readdirSync(project).join(" ")}`).not.toBe("mixed");
      seen[state as "A" | "B"]++;
    }
    expect(step).toBeGreaterThan(20);
    expect(seen.A).toBeGreaterThan(5);
    expect(seen.B).toBeGreaterThan(0);
    // Killed between the commit and the last move, the project was mixed: generate made it whole.
    expect(seen.mixedUntilRecovered).toBeGreaterThan(0);
  });

  it("the next `pgbake update` finishes it too before it reads anything: all pins current, inputs and outputs new", async () => {
    await killJustAfterCommit();
    expect(which()).toBe("mixed");
    const r = await execa("node", [cliPath, "update", "--only", "pg,packages", "--config", "pgbake.yaml", "--extensions", "extensions"], { cwd: project, reject: false });
    expect(r.stdout).toBe("all pins current (pg, packages)");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(which()).toBe("B");
  });

  it("a journal naming inputs this run does not read is refused, naming them; nothing is moved", async () => {
    await killJustAfterCommit();
    const other = join(work.dir, "other.yaml");
    writeFileSync(other, readFileSync(join(pristine, "pgbake.yaml"), "utf8"));
    const before = tree();
    const r = await execa("node", [cliPath, "generate", "--config", other, "--extensions", "extensions", "--out", "out"], { cwd: project, reject: false });
    expect(r.stderr).toBe(
      `pgbake: an interrupted \`pgbake update\` left ${project}/out/.pgbake-journal.json, which changes input files this run does not read:\n` +
        `  ${project}/pgbake.yaml\n` +
        "Run `pgbake generate` with the --config and --extensions that update used: it finishes the update.",
    );
    expect(r.exitCode).toBe(2);
    // Only the killed run's lock is gone (taken over and released): the journal, the staged files and every input stay.
    const [was, now] = [JSON.parse(before) as Record<string, string>, JSON.parse(tree()) as Record<string, string>];
    expect(Object.keys({ ...was, ...now }).filter((k) => was[k] !== now[k])).toEqual(["out/.pgbake.lock"]);
    expect(now["out/.pgbake-journal.json"]).toBeDefined();
  });
});
