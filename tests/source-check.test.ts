// pgbake-source-check.sh, the first step of pgrx and go builds, run as the build runs it (sh, in
// the source's top directory) on sources laid out as crates and Go modules lay them out: a
// mismatch stops with what to change in the catalog entry, a match goes on.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildCommands } from "../src/render/dockerfiles.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const script = join(repoRoot, "templates/files/pgbake-source-check.sh");
const work = tempDir("pgbake-source-check-");
afterAll(() => work.cleanup());

let n = 0;
/** A source directory holding `files`, and a fake `go` reporting `goVersion` on PATH. */
function source(files: Record<string, string>, goVersion = "go1.24.4"): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = join(work.dir, `src${n++}`);
  mkdirSync(join(dir, ".bin"), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, ".bin/go"), `#!/bin/sh\necho ${goVersion}\n`);
  chmodSync(join(dir, ".bin/go"), 0o755);
  return { dir, env: { ...process.env, PATH: `${join(dir, ".bin")}:${process.env.PATH}` } };
}

function run(args: string[], src: { dir: string; env: NodeJS.ProcessEnv }): { code: number; stderr: string } {
  const r = spawnSync("sh", [script, ...args], { cwd: src.dir, env: src.env, encoding: "utf8" });
  return { code: r.status ?? 1, stderr: r.stderr };
}

const lock = (v: string): string => `[[package]]\nname = "pgrx"\nversion = "${v}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`;

describe("pgbake-source-check.sh", () => {
  it("runs first in pgrx and go builds", () => {
    expect(buildCommands({ build: "pgrx", build_options: [], binaries: [], pgrx_version: "0.16.1" })[0]).toBe("set -eux; pgbake-source-check.sh pgrx 0.16.1");
    expect(buildCommands({ build: "go", build_options: [], binaries: ["wal-g"] })[0]).toBe("set -eux; pgbake-source-check.sh go");
  });

  it("pgrx: the crate's pgrx (Cargo.lock, else Cargo.toml) must be cargo-pgrx's version", () => {
    const locked = source({ "Cargo.lock": lock("0.18.1") });
    expect(run(["pgrx", "0.16.1"], locked)).toEqual({
      code: 1,
      stderr: "pgbake: the catalog's source.pgrx_version is 0.16.1, but the source's Cargo.lock depends on pgrx 0.18.1: set pgrx_version: 0.18.1 (cargo-pgrx must match the pgrx crate)\n",
    });
    expect(run(["pgrx", "0.18.1"], locked).code).toBe(0);
    const toml = source({ "Cargo.toml": '[dependencies]\npgrx = { version = "=0.18.1", features = ["pg17"] }\n' });
    expect(run(["pgrx", "0.16.1"], toml).stderr).toContain("the source's Cargo.toml depends on pgrx 0.18.1");
    // A workspace member names no version itself: nothing to check, the build goes on and says so.
    const member = source({ "Cargo.toml": "[dependencies]\npgrx = { workspace = true }\n" });
    expect(run(["pgrx", "0.16.1"], member)).toEqual({ code: 0, stderr: "pgbake: no pgrx version found in Cargo.lock or Cargo.toml: building with cargo-pgrx 0.16.1 unchecked\n" });
  });

  it("go: the base's Go must be at least go.mod's `go` line", () => {
    const mod = "module example.org/x\n\ngo 1.24.0\n\ntoolchain go1.24.3\n";
    expect(run(["go"], source({ "go.mod": mod }, "go1.19.8"))).toEqual({
      code: 1,
      stderr: "pgbake: go.mod needs Go 1.24.0, but this base's Go is 1.19.8: build on a base with a newer Go, or give one through source.build_packages (e.g. a backport)\n",
    });
    expect(run(["go"], source({ "go.mod": mod }, "go1.24.4")).code).toBe(0);
    expect(run(["go"], source({ "go.mod": "module x\n\ngo 1.20\n" }, "go1.22.2")).code).toBe(0);
    expect(run(["go"], source({})).stderr).toBe("pgbake: build go needs a go.mod at the top of the source\n");
  });
});
