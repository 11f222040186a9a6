// The generated bake file: deterministic, Dockerfiles that copy what the plan keeps, the registry
// from the environment, and the committed output current. (Its full --print: bake-print.docker.test.ts.)
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import type { Plan } from "../src/model/types.js";
import { bakePrint, type BakePrint } from "./helpers/buildx.js";
import { pgbake } from "./helpers/cli.js";
import { copyDefaults, repoRoot } from "./helpers/workspace.js";

const work = copyDefaults();
let plan: Plan;
let printed: BakePrint;
const timestamp = "202611211200";

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(p);
      else if (p === "docker-bake.hcl" || p.startsWith("dockerfiles/") || p === ".pgbake-manifest.json") out[p] = readFileSync(join(dir, p), "utf8");
    }
  };
  walk("");
  return out;
}

beforeAll(async () => {
  const r = await pgbake(["generate", "--config", work.config, "--extensions", work.extensions]);
  expect(r.exitCode, r.stderr).toBe(0);
  plan = planFrom({ config: work.config, extensions: work.extensions }).plan;
  printed = await bakePrint(work.dir, [], { timestamp });
});
afterAll(() => work.cleanup());

describe("generated docker-bake.hcl", () => {
  it("is byte-identical when generated twice", async () => {
    const first = snapshot(work.dir);
    const r = await pgbake(["generate", "--config", work.config, "--extensions", work.extensions]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/0 files written/);
    expect(snapshot(work.dir)).toEqual(first);
  });

  it("gives each operand a Dockerfile that copies exactly its kept extension images", () => {
    for (const op of plan.operands) {
      const dockerfile = readFileSync(join(work.dir, printed.target[op.name]!.dockerfile!), "utf8");
      const copied = [...dockerfile.matchAll(/COPY --from=ext-([a-z0-9_-]+) \/lib\//g)].map((m) => m[1]).sort();
      const expected = op.kept
        .filter((k) => k.imageTarget && k.kind !== "tool")
        .map((k) => k.name)
        .sort();
      expect(copied).toEqual(expected);
    }
  });

  it("takes the registry from the environment, as CloudNativePG's bake file does", async () => {
    const p = await bakePrint(work.dir, ["postgresql-17-minimal-bookworm"], { registry: "ghcr.io/me" });
    expect(p.target["postgresql-17-minimal-bookworm"]!.tags).toContain("ghcr.io/me/postgresql:17-minimal-bookworm");
  });
});

describe("the committed output at the repository root", () => {
  it("is what the generator makes (generate --check)", async () => {
    const r = await pgbake(["generate", "--check"]);
    expect(r.stdout + r.stderr).toMatch(/up to date/);
    expect(r.exitCode).toBe(0);
  });

  it("resolves postgresql-17-minimal-bookworm and the pgvector group in buildx, with no Node involved", async () => {
    const one = await bakePrint(repoRoot, ["postgresql-17-minimal-bookworm"]);
    expect(one.target["postgresql-17-minimal-bookworm"]!.tags).toContain("localhost:5000/postgresql:17-minimal-bookworm");
    const group = await bakePrint(repoRoot, ["pgvector"]);
    const tags = Object.values(group.target).flatMap((t) => t.tags ?? []);
    expect(tags).toContain("localhost:5000/pgvector:0.8.7-18-trixie");
    // 8 targets × (rolling tag + timestamped tag)
    expect(tags.filter((t) => t.includes("/pgvector:"))).toHaveLength(16);
  });

  it("reports drift and exits 1 when a generated file was edited", async () => {
    const copy = copyDefaults();
    try {
      const args = ["--config", copy.config, "--extensions", copy.extensions];
      expect((await pgbake(["generate", ...args])).exitCode).toBe(0);
      writeFileSync(join(copy.dir, "docker-bake.hcl"), "// edited\n", { flag: "a" });
      const r = await pgbake(["generate", "--check", ...args]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(/changed: docker-bake.hcl/);
    } finally {
      copy.cleanup();
    }
  });
});
