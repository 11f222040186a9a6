// `pgbake bake --dry-run` prints a line a shell runs as printed: a real bash reads it back into
// exactly the arguments pgbake would pass to docker, even where a `*.output=...` override would
// glob-match a file in the directory.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { bakeCommand, formatCommand } from "../src/bake/index.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { copyDefaults } from "./helpers/workspace.js";

const work = copyDefaults();
afterAll(() => work.cleanup());

describe("bake --dry-run", () => {
  it("prints --check's `*.output=...` overrides quoted, so bash passes them literally", async () => {
    const r = await pgbakeInProcess(["bake", "--check", "--dry-run", "--config", work.config, "--extensions", work.extensions]);
    expect(r.exitCode, r.stderr).toBe(0);
    const line = r.stdout.trim();
    expect(line).toContain(`--set '*.output=type=cacheonly'`);
    // Bait: with the words unquoted, bash would replace them with these file names.
    writeFileSync(join(work.dir, "bait.output=type=cacheonly"), "");
    writeFileSync(join(work.dir, "bait.cache-from="), "");
    // `docker` becomes a function that prints the arguments it got, one per NUL-terminated record.
    const shell = await execa("bash", ["-c", `docker() { printf '%s\\0' "$@"; }; ${line}`]);
    const argv = shell.stdout.split("\0").slice(0, -1);
    expect(argv).toContain("*.output=type=cacheonly");
    expect(argv).not.toContain("bait.output=type=cacheonly");
    expect(argv.slice(0, 4)).toEqual(["buildx", "bake", "--file", "docker-bake.hcl"]);
    expect(argv).toContain("--check");
  });

  it("keeps a directory with a space, a registry with `$` and a `--set` with a space one word each", async () => {
    const dir = join(work.dir, "a dir");
    mkdirSync(dir);
    const line = formatCommand(bakeCommand({ outDir: dir, targets: ["t"], registry: "ghcr.io/me$HOME", set: ["*.args.X=a b"] }));
    const shell = await execa("bash", ["-c", `docker() { printf '%s\\0' "$PWD" "$registry" "$@"; }; ${line}`]);
    expect(shell.stdout.split("\0").slice(0, -1)).toEqual([dir, "ghcr.io/me$HOME", "buildx", "bake", "--file", "docker-bake.hcl", "--set", "*.args.X=a b", "t"]);
  });
});
