// The same input gives byte-identical output whatever the order of files on disk, the locale or
// the time zone.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath } from "./helpers/cli.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { defaultConfig, defaultExtensions, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-determinism-");
// tmpfs lists a directory in reverse creation order (ext4 in hash order, the same for any order of
// creation), so the catalog copies go there.
const catalogs = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/pgbake-determinism-") : work.dir;
afterAll(() => {
  work.cleanup();
  rmSync(catalogs, { recursive: true, force: true });
});

/** A copy of the catalog whose files are created in the given order. */
function catalogCopy(name: string, order: "forward" | "reverse"): string {
  const dir = join(catalogs, name);
  mkdirSync(dir);
  const files = readdirSync(defaultExtensions).sort();
  for (const f of order === "forward" ? files : files.reverse()) cpSync(join(defaultExtensions, f), join(dir, f));
  return dir;
}

async function generate(extensions: string, out: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  const r = await execa("node", [cliPath, "generate", "--config", defaultConfig, "--extensions", extensions, "--out", out], {
    env: { ...env },
    reject: false,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  return snapshotTree(out, false);
}

describe("determinism", () => {
  it("gives byte-identical files across readdir order, LC_ALL and TZ", async () => {
    const forward = catalogCopy("ext-forward", "forward");
    const reverse = catalogCopy("ext-reverse", "reverse");
    // The two copies really are in different orders on disk (`ls -U`: getdents order; Node's
    // readdirSync sorts, opendir does not), or the test would prove nothing about order.
    const diskOrder = async (dir: string) => (await execa("ls", ["-U", dir])).stdout;
    expect(await diskOrder(forward)).not.toBe(await diskOrder(reverse));
    const runs: { ext: string; env: Record<string, string> }[] = [
      { ext: forward, env: { LC_ALL: "C", TZ: "UTC" } },
      { ext: reverse, env: { LC_ALL: "tr_TR.UTF-8", LANG: "tr_TR.UTF-8", TZ: "Pacific/Kiritimati" } },
      { ext: reverse, env: { LC_ALL: "de_DE.UTF-8", TZ: "America/St_Johns", LANGUAGE: "sv" } },
      { ext: forward, env: { LC_ALL: "ja_JP.UTF-8", TZ: "Asia/Kathmandu", NODE_ICU_DATA: "" } },
    ];
    const outputs = [];
    for (const [i, run] of runs.entries()) outputs.push(await generate(run.ext, join(work.dir, `out-${i}`), run.env));
    for (const out of outputs.slice(1)) expect(out).toEqual(outputs[0]);
    expect(Object.keys(outputs[0]!).length).toBeGreaterThan(20);
  });
});
