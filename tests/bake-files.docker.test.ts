// bake_files per-major / per-base: the part files hold exactly the plan's targets, partitioned,
// each resolves on its own in real buildx exactly as the full file does, and `pgbake bake`
// reads the part that holds what was asked for.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BakeFilesMode } from "../src/model/types.js";
import { planFrom } from "../src/pipeline/index.js";
import { bakePrint } from "./helpers/buildx.js";
import { pgbake } from "./helpers/cli.js";
import { copyDefaults } from "./helpers/workspace.js";

const work = copyDefaults();
afterAll(() => work.cleanup());
const inputs = ["--config", work.config, "--extensions", work.extensions];

const partFiles = (): string[] =>
  readdirSync(work.dir)
    .filter((f) => /^docker-bake\..+\.hcl$/.test(f))
    .sort();

/** What buildx builds for a file's default group: its images, and the runtimes their contexts name. */
async function definedTargets(file: string): Promise<string[]> {
  return Object.keys((await bakePrint(work.dir, [], {}, file)).target).sort();
}

describe.each<[BakeFilesMode, (t: { major: number; base: string }) => string]>([
  ["per-major", (t) => `docker-bake.pg${t.major}.hcl`],
  ["per-base", (t) => `docker-bake.${t.base}.hcl`],
  ["per-major-base", (t) => `docker-bake.pg${t.major}-${t.base}.hcl`],
])("bake_files %s", (mode, expectedFile) => {
  it("writes one self-contained part file per part, holding exactly the plan's targets of that part", async () => {
    const r = await pgbake(["generate", ...inputs, "--bake-files", mode]);
    expect(r.exitCode, r.stderr).toBe(0);
    const { plan } = planFrom({ config: work.config, extensions: work.extensions });
    const all = [...plan.runtimes, ...plan.extensionImages, ...plan.operands];
    const expected = new Map<string, string[]>();
    for (const t of all) expected.set(expectedFile(t), [...(expected.get(expectedFile(t)) ?? []), t.name]);
    expect(partFiles()).toEqual([...expected.keys()].sort());
    expect(expected.size).toBeGreaterThan(1);

    // One timestamp for every read: buildx defaults it to the minute of each run.
    const env = { timestamp: "202611211200" };
    const full = await bakePrint(
      work.dir,
      all.map((t) => t.name),
      env,
    );
    for (const [file, names] of expected) {
      expect(await definedTargets(file)).toEqual([...names].sort());
      // Every target of the part, read by buildx from the part alone, is what the full file says.
      const part = await bakePrint(work.dir, names, env, file);
      expect(Object.keys(part.target).sort()).toEqual([...names].sort());
      for (const n of names) expect(part.target[n]).toEqual(full.target[n]);
    }
  });

  it("makes `pgbake bake` read the part that holds the requested targets and groups", async () => {
    const { plan } = planFrom({ config: work.config, extensions: work.extensions });
    const op = plan.operands.find((o) => o.name === "postgresql-vector-17-standard-trixie")!;
    const dry = async (...names: string[]): Promise<string> => {
      const r = await pgbake(["bake", "--dry-run", ...inputs, "--bake-files", mode, ...names]);
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout.match(/--file (\S+)/)![1]!;
    };
    expect(await dry(op.name)).toBe(expectedFile(op));
    expect(await dry(op.kept[0]!.imageTarget!)).toBe(expectedFile(op));
    const sameMajorAndBase = plan.operands.find((o) => o.major === op.major && o.base === op.base && o.name !== op.name)!;
    expect(await dry(op.name, sameMajorAndBase.name)).toBe(expectedFile(op));
    if (mode === "per-major") expect(await dry("pg16")).toBe("docker-bake.pg16.hcl");
    if (mode === "per-base") expect(await dry("bookworm")).toBe("docker-bake.bookworm.hcl");
    if (mode === "per-major-base") expect(await dry("pg16")).toBe("docker-bake.hcl");
    // Spanning parts, a cross-cutting group, everything: the full file.
    expect(await dry(op.name, "postgresql-15-minimal-bookworm")).toBe("docker-bake.hcl");
    expect(await dry("pgvector")).toBe("docker-bake.hcl");
    expect(await dry()).toBe("docker-bake.hcl");

    // Not only the printed command: buildx really reads that file for the target.
    const printed = await pgbake(["bake", "--print", ...inputs, "--bake-files", mode, op.name]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    expect(printed.stderr).toContain(`reading ${expectedFile(op)}`);
    // buildx prints the target with the ones its contexts name, all found in the part file.
    const expectedTargets = [op.name, op.runtimeTarget, ...op.kept.flatMap((k) => (k.imageTarget ? [k.imageTarget] : []))];
    expect(Object.keys((JSON.parse(printed.stdout) as { target: object }).target).sort()).toEqual(expectedTargets.sort());
  });
});

describe("bake_files single", () => {
  it("removes part files made earlier, and refuses an unknown mode", async () => {
    expect((await pgbake(["generate", ...inputs, "--bake-files", "per-major"])).exitCode).toBe(0);
    expect(partFiles().length).toBeGreaterThan(0);
    const r = await pgbake(["generate", ...inputs]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(partFiles()).toEqual([]);
    expect(existsSync(join(work.dir, "docker-bake.hcl"))).toBe(true);
    const bad = await pgbake(["generate", ...inputs, "--bake-files", "per-flavor"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--bake-files takes single, per-major, per-base, per-major-base/);
  });
});
