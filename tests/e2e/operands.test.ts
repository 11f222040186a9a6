// Every operand image of the e2e config, built and pushed by `pgbake bake --push`, pulled back
// from the registry and started: each extension the plan says it holds is created and smoke
// tested, each one it dropped is absent, the server runs as uid 26 and no compiler is left.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker, e2ePlan, imageRef, parseSteps, executed } from "../helpers/e2e.js";
import { extensionSql, PgContainer } from "../helpers/postgres.js";

const { plan, catalog } = e2ePlan();
const specs = new Map(catalog.extensions.map((e) => [e.name, e]));

beforeAll(async () => {
  const run = inject("e2eBake");
  expect(run.exitCode, run.output.slice(-4000)).toBe(0);
  const steps = parseSteps(run.output);
  console.log(`e2e bake --push: ${run.seconds.toFixed(0)} s, ${steps.length} steps, ${executed(steps).length} executed`);
});

describe.each(plan.operands.map((op) => [op.name, op] as const))("operand %s", (_name, op) => {
  let pg: PgContainer;
  beforeAll(async () => {
    await docker(["pull", "-q", imageRef(op)]);
    pg = await PgContainer.start(imageRef(op));
  });
  afterAll(async () => pg?.remove());

  it("creates and smoke tests every extension it holds", async () => {
    const kept = op.kept.map((k) => specs.get(k.name)!).filter((s) => s.sql_names.length > 0);
    for (const spec of kept) {
      const r = await pg.sql(extensionSql(spec.sql_names, spec.smoke_test));
      expect(r.exitCode, `${op.name}: ${spec.name}: ${r.stderr}`).toBe(0);
    }
    const installed = await pg.sql("SELECT extname FROM pg_extension ORDER BY 1");
    for (const spec of kept) for (const n of spec.sql_names) expect(installed.stdout.split("\n")).toContain(n);
  });

  it("preloads what its extensions need", async () => {
    const r = await pg.sql("SHOW shared_preload_libraries");
    expect(r.stdout.trim()).toBe(op.sharedPreloadLibraries.join(","));
  });

  it("holds none of the extensions it dropped", async () => {
    // A dropped contrib module would still ship with the server; the e2e config drops none.
    const dropped = op.excluded.map((e) => specs.get(e.name)!);
    expect(dropped.every((s) => s.kind !== "contrib")).toBe(true);
    for (const spec of dropped) {
      const names = spec.sql_names.map((n) => `'${n}'`).join(",");
      const r = await pg.sql(`SELECT count(*) FROM pg_available_extensions WHERE name IN (${names})`);
      expect(r.stdout.trim(), `${op.name}: ${spec.name}`).toBe("0");
    }
  });

  it("runs the server as uid 26, not root", async () => {
    const status = await pg.exec(["cat", "/proc/1/status"]);
    expect(status.stdout).toMatch(/^Uid:\s+26\s+26\s+26\s+26$/m);
    const user = await docker(["image", "inspect", "-f", "{{.Config.User}}", imageRef(op)]);
    expect(user.stdout.trim()).toBe("26");
    const r = await pg.sql("SELECT current_setting('server_version_num')::int / 10000");
    expect(Number(r.stdout.trim())).toBe(op.major);
  });

  it("holds no compiler", async () => {
    for (const tool of ["gcc", "cc", "make", "clang"]) {
      const r = await pg.exec(["sh", "-c", `command -v ${tool}`]);
      expect(r.exitCode, `${op.name} has ${tool}: ${r.stdout}`).not.toBe(0);
    }
  });
});

describe("layers shared across flavors", () => {
  it("gives every flavor the very layer its type adds (locales-all is stored once per major and base)", async () => {
    const layers = async (ref: string): Promise<string[]> => {
      await docker(["pull", "-q", ref]);
      return JSON.parse((await docker(["image", "inspect", "-f", "{{json .RootFS.Layers}}", ref])).stdout) as string[];
    };
    const standard = plan.operands.filter((o) => o.type === "standard" && o.flavor !== "base");
    expect(standard.length).toBeGreaterThan(0);
    for (const op of standard) {
      const sibling = (type: string) => plan.operands.find((o) => o.flavor === "base" && o.type === type && o.major === op.major && o.base === op.base)!;
      const minimal = new Set(await layers(imageRef(sibling("minimal"))));
      const typeLayers = (await layers(imageRef(sibling("standard")))).filter((l) => !minimal.has(l));
      expect(typeLayers.length, op.name).toBeGreaterThan(0);
      const own = new Set(await layers(imageRef(op)));
      for (const l of typeLayers) expect(own.has(l), `${op.name} lacks ${l}`).toBe(true);
    }
  });
});
