// The generated bake file, read by real buildx and by @cdktn/hcl2json, equals the plan.
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@cdktn/hcl2json";
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
/** A plan tag as buildx prints it for this run's timestamp. */
const pushed = (tag: string): string => `${plan.registry}/${tag.replace("{timestamp}", timestamp)}`;

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

  it("parses with @cdktn/hcl2json into the plan's targets and groups", async () => {
    const json = (await parse("docker-bake.hcl", readFileSync(join(work.dir, "docker-bake.hcl"), "utf8"))) as {
      target: Record<string, unknown>;
      group: Record<string, [{ targets: string[] }]>;
      variable: Record<string, [{ default: string }]>;
    };
    const planned = [...plan.runtimes, ...plan.extensionImages, ...plan.operands].map((t) => t.name).sort();
    expect(Object.keys(json.target).sort()).toEqual(planned);
    expect(Object.keys(json.group).sort()).toEqual(plan.groups.map((g) => g.name).sort());
    expect(json.group.pgvector![0].targets).toEqual(plan.groups.find((g) => g.name === "pgvector")!.targets);
    expect(json.variable.registry![0].default).toBe("localhost:5000");
  });

  it("reads back through buildx bake --print as the plan: targets, tags, platforms, contexts", () => {
    const planned = [...plan.runtimes, ...plan.extensionImages, ...plan.operands];
    expect(Object.keys(printed.target).sort()).toEqual(planned.map((t) => t.name).sort());
    for (const op of plan.operands) {
      const t = printed.target[op.name]!;
      expect(t.tags).toEqual(op.tags.map(pushed));
      expect(t.platforms).toEqual(op.platforms);
      expect(t.contexts).toEqual(op.contexts);
      expect(existsSync(join(work.dir, t.dockerfile!))).toBe(true);
      expect(t.args?.SHARED_PRELOAD_LIBRARIES).toBe(op.sharedPreloadLibraries.join(","));
    }
    for (const et of plan.extensionImages) {
      const t = printed.target[et.name]!;
      expect(t.tags).toEqual(et.tags.map(pushed));
      expect(t.platforms).toEqual(et.platforms);
      expect(t.contexts?.runtime).toBe(`target:${et.runtimeTarget}`);
    }
    expect(printed.group?.default?.targets.sort()).toEqual(plan.groups.find((g) => g.name === "default")!.targets);
  });

  it("gives each operand a Dockerfile that copies exactly its kept extension images", () => {
    for (const op of plan.operands) {
      const dockerfile = readFileSync(join(work.dir, printed.target[op.name]!.dockerfile!), "utf8");
      const copied = [...dockerfile.matchAll(/COPY --from=ext-([a-z0-9_-]+) \/lib\//g)].map((m) => m[1]).sort();
      const expected = op.kept.filter((k) => k.imageTarget && k.kind !== "tool").map((k) => k.name).sort();
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
