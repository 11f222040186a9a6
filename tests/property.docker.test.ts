// Property tests (fast-check): generated catalogs and configs, with hostile text wherever the
// schemas allow free text, go through validate → plan → render; every bake file parses with
// hcl2json, and a sample prints through `docker buildx bake --print` as exactly its bake
// definition. Arbitrary strings through the HCL printer round-trip exactly.
// Runs: PGBAKE_PROPERTY_RUNS, else 1,000 in CI (PGBAKE_CI=1, set by .ci/run) and 100 locally.
import { parse } from "@cdktn/hcl2json";
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseYamlFile } from "../src/load/index.js";
import type { Plan } from "../src/model/types.js";
import { buildPlan } from "../src/plan/index.js";
import type { BakeDefinition } from "../src/model/bake.js";
import { bakeDefinition, defaultVariables } from "../src/render/bake-definition.js";
import { attr, block, printHcl, str, stringMap, strings } from "../src/render/hcl.js";
import { renderAll, type RenderOutput } from "../src/render/index.js";
import { InputErrors } from "../src/model/errors.js";
import { validateInputs } from "../src/validate/index.js";
import { asPrinted, bakePrint, sortedAnnotations, sortedGroups } from "./helpers/buildx.js";
import { fromHclJson, hostileString } from "./helpers/hostile.js";
import { tempDir } from "./helpers/workspace.js";

const ci = process.env.PGBAKE_CI === "1";
const RUNS = Number(process.env.PGBAKE_PROPERTY_RUNS ?? (ci ? 1000 : 100));
const BUILDX_SAMPLE = Math.max(1, Math.round(RUNS / 20));
const work = tempDir("pgbake-property-");
const counts = { cases: 0, valid: 0, rejected: 0, buildx: 0, escaped: 0, escapedBuildx: 0 };
afterAll(() => {
  process.stdout.write(
    `property: ${counts.cases} generated catalogs+configs (${counts.valid} valid, rendered, parsed with hcl2json; ${counts.rejected} rejected with input errors), ` +
      `${counts.buildx} through docker buildx bake --print; ${counts.escaped} hostile string sets through the HCL escaper, ${counts.escapedBuildx} of them through buildx\n`,
  );
  work.cleanup();
});

const platformsAll = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/s390x"];
const name = (prefix: string) => fc.stringMatching(/^[a-z0-9]{1,6}(-[a-z0-9]{1,3})?$/).map((s) => `${prefix}${s}`);
const extName = fc.stringMatching(/^[a-z0-9_]{1,8}(-[a-z0-9_]{1,3})?$/).map((s) => `e${s}`);
const version = fc.stringMatching(/^[0-9A-Za-z][0-9A-Za-z.+~_-]{0,12}$/);
const sha = fc.stringMatching(/^[0-9a-f]{40}$/);

const extension = (n: string, earlier: string[]) =>
  fc
    .record(
      {
        name: fc.constant(n),
        description: hostileString(80).filter((s) => s.length > 0),
        license: fc.constantFrom("MIT", "PostgreSQL", "Apache-2.0", "GPL-2.0-or-later"),
        homepage: fc.constantFrom("https://example.org/x", "http://example.org/a?b=c&d=${e}"),
        kind: fc.constantFrom("package", "source", "contrib"),
        version,
        notes: hostileString(60),
        smoke_test: hostileString(60).filter((s) => s.length > 0),
        requires: fc.subarray(earlier, { maxLength: Math.min(2, earlier.length) }),
        min_pg_version: fc.option(fc.integer({ min: 13, max: 17 }), { nil: undefined }),
        disabled: fc.boolean(),
        disabled_reason: hostileString(40).filter((s) => s.length > 0),
        shared_preload_libraries: fc.subarray(["lib_a", "$libdir-x", "b2"], { maxLength: 2 }),
        git: fc.constantFrom("https://example.org/repo", "./local/src"),
        ref: fc.oneof(sha, fc.stringMatching(/^v?[0-9]{1,2}\.[0-9]{1,2}(\.[0-9])?$/)),
      },
      { requiredKeys: ["name", "description", "license", "homepage", "kind", "version"] },
    )
    .map((e) => {
      const out: Record<string, unknown> = { ...e };
      delete out.git;
      delete out.ref;
      if (e.kind === "package") out.package = `postgresql-{major}-${n.replace(/_/g, "-")}`;
      if (e.kind === "source") out.source = { git: e.git ?? "./src", ref: /^[0-9a-f]{7,}$/.test(e.ref ?? "") && e.ref!.length !== 40 ? "main" : (e.ref ?? "main"), build: "pgxs" };
      if (e.disabled !== true) delete out.disabled_reason;
      else if (out.disabled_reason === undefined) out.disabled_reason = "off";
      return out;
    });

const catalogArb = fc.uniqueArray(extName, { minLength: 1, maxLength: 6 }).chain((names) => fc.tuple(...names.map((n, i) => extension(n, names.slice(0, i)))));

const configArb = (extNames: string[]) =>
  fc
    .record({
      registry: fc.constantFrom("localhost:5000", "ghcr.io/me", "registry.example.org:443/team"),
      image: fc.constantFrom("postgresql", "pg", "team/postgres", "pg.x_y-z"),
      postgres: fc
        .uniqueArray(fc.integer({ min: 14, max: 19 }), { minLength: 1, maxLength: 3 })
        .chain((majors) => fc.tuple(...majors.map((m) => fc.constantFrom(`${m}`, `${m}.${m % 7}`, `${m}~beta${(m % 3) + 1}`).map((v) => ({ major: m, version: v }))))),
      bases: fc.uniqueArray(name("b"), { minLength: 1, maxLength: 2 }),
      types: fc.uniqueArray(name("t"), { minLength: 1, maxLength: 2 }),
      platforms: fc.subarray(platformsAll, { minLength: 1 }),
      flavors: fc.uniqueArray(name("f"), { minLength: 1, maxLength: 3 }),
      flavorExts: fc.array(fc.subarray(extNames), { minLength: 3, maxLength: 3 }),
      descriptions: fc.array(
        hostileString(60).filter((s) => s.length > 0),
        { minLength: 3, maxLength: 3 },
      ),
      tags: fc.constantFrom(undefined, { operand: ["{major}-{type}-{base}", "{flavor}_{version}.{codename}"], extension: ["{ext_version}-{major}-{base}", "{extension}-{codename}"] }),
    })
    .map((c) => ({
      registry: c.registry,
      image: c.image,
      default_flavor: c.flavors[0],
      postgres: c.postgres,
      bases: Object.fromEntries(c.bases.map((b, i) => [b, { image: i === 0 ? "debian:bookworm-slim" : `localhost:5000/debian@sha256:${"a".repeat(64)}`, codename: i === 0 ? "bookworm" : "trixie" }])),
      types: Object.fromEntries(c.types.map((t, i) => [t, { description: c.descriptions[i]!, packages: i === 0 ? [] : ["locales-all"] }])),
      platforms: c.platforms,
      flavors: Object.fromEntries(c.flavors.map((f, i) => [f, { description: c.descriptions[(i + 1) % 3]!, extensions: c.flavorExts[i]! }])),
      ...(c.tags ? { tags: c.tags } : {}),
    }));

/**
 * One case in five puts a hostile string where the schema is strict (names, versions, packages,
 * tags, registry, image, platforms): the schema must reject it with a clean message, or, when the
 * string happens to be valid, the output must still equal the plan.
 */
const corruption = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 4 },
  {
    arbitrary: fc.record({
      where: fc.constantFrom(
        "ext.name",
        "ext.version",
        "ext.package",
        "ext.shared_preload_libraries",
        "config.registry",
        "config.image",
        "config.tag",
        "config.platform",
        "config.base.image",
        "config.flavor.name",
      ),
      value: hostileString(30),
    }),
    weight: 1,
  },
);

function corrupt(input: { exts: Record<string, unknown>[]; config: Record<string, unknown> }, c: { where: string; value: string }): void {
  const ext = input.exts[0]!;
  const config = input.config as Record<string, any>;
  switch (c.where) {
    case "ext.name":
      ext.name = c.value;
      break;
    case "ext.version":
      ext.version = c.value;
      break;
    case "ext.package":
      ext.kind = "package";
      delete ext.source;
      ext.package = c.value;
      break;
    case "ext.shared_preload_libraries":
      ext.shared_preload_libraries = [c.value];
      break;
    case "config.registry":
      config.registry = c.value;
      break;
    case "config.image":
      config.image = c.value;
      break;
    case "config.tag":
      config.tags = { operand: [c.value] };
      break;
    case "config.platform":
      config.platforms = [c.value];
      break;
    case "config.base.image":
      Object.values(config.bases as Record<string, { image: string }>)[0]!.image = c.value;
      break;
    case "config.flavor.name":
      config.flavors = { [c.value]: { extensions: [] } };
      config.default_flavor = c.value;
      break;
  }
}

const inputArb = catalogArb
  .chain((exts) => configArb(exts.map((e) => String(e.name))).map((config) => ({ exts, config })))
  .chain((input) =>
    corruption.map((c) => {
      if (c) corrupt(input, c);
      return input;
    }),
  );

interface HclJson {
  group?: Record<string, [{ targets: string[] }]>;
  target?: Record<string, unknown>;
  variable: { registry: [{ default: string }] };
}

function render(input: { exts: Record<string, unknown>[]; config: Record<string, unknown> }): { plan: Plan; out: RenderOutput } | undefined {
  const config = parseYamlFile("/p/pgbake.yaml", stringify(input.config));
  const extensions = input.exts.map((e) => parseYamlFile(`/p/extensions/${String(e.name)}.yaml`, stringify(e)));
  try {
    const valid = validateInputs({ config, extensions });
    const plan = buildPlan(valid.config, valid.catalog);
    return { plan, out: renderAll(plan) };
  } catch (err) {
    if (!(err instanceof InputErrors)) throw err;
    // Rejected input: every message is one visible line, whatever the input held.
    // oxlint-disable-next-line no-control-regex -- control characters are what this looks for
    for (const e of err.errors) expect(e.format()).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    return undefined;
  }
}

/** buildx normalizes every string of a bake file to Unicode NFC (see escape.ts). */
function nfc<T>(value: T): T {
  if (typeof value === "string") return value.normalize("NFC") as T;
  if (Array.isArray(value)) return value.map(nfc) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.normalize("NFC"), nfc(v)])) as T;
  return value;
}

describe("generated catalogs and configs", () => {
  it(`render to bake files that parse, and print through buildx as their definition (${RUNS} cases, ${BUILDX_SAMPLE} through buildx)`, async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, async (input) => {
        counts.cases++;
        const r = render(input);
        if (!r) {
          counts.rejected++;
          return;
        }
        counts.valid++;
        const hcl = r.out.files.find((f) => f.path === "docker-bake.hcl")!.content;
        const json = (await parse("docker-bake.hcl", hcl)) as HclJson;
        expect(json.variable.registry[0].default).toBe(r.plan.registry);
        // Every group of the plan is a group block, or a matrix target (an extension's or flavor's images).
        const named = [...Object.keys(json.group ?? {}), ...Object.keys(json.target ?? {}).filter((n) => !n.startsWith("_"))];
        expect(named.sort()).toEqual(r.plan.groups.map((g) => g.name).sort());
        // Free text reaches only HCL labels/annotations (escaped): it round-trips exactly there and
        // never reaches a Dockerfile or a script.
        // oxlint-disable-next-line no-control-regex -- an escape character must never get through
        for (const f of r.out.files) if (!f.path.endsWith(".hcl")) expect(f.content).not.toMatch(/\$\(touch|jndi|\u001b/);
        if (counts.buildx < BUILDX_SAMPLE && counts.valid % 5 === 0) {
          const dir = join(work.dir, `case-${counts.cases}`);
          for (const f of r.out.files) {
            mkdirSync(join(dir, f.path, ".."), { recursive: true });
            writeFileSync(join(dir, f.path), f.content);
          }
          const vars = { ...defaultVariables(r.plan), timestamp: "202611211200" };
          const expected = bakeDefinition(r.plan, r.out.dockerfiles, vars);
          const { default: defaultGroup, ...groups } = expected.group;
          const printed = (await bakePrint(dir, Object.keys(groups), { timestamp: vars.timestamp })) as unknown as BakeDefinition;
          delete printed.group.default;
          // Free text (descriptions) reaches labels and annotations exactly, up to NFC.
          expect(sortedGroups(sortedAnnotations(printed))).toEqual(asPrinted(nfc(sortedGroups(sortedAnnotations({ ...expected, group: groups })))));
          expect(defaultGroup).toBeDefined();
          counts.buildx++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(counts.cases).toBeGreaterThanOrEqual(RUNS);
    expect(counts.valid).toBeGreaterThan(RUNS * 0.6);
    expect(counts.rejected).toBeGreaterThan(RUNS * 0.1);
    expect(counts.buildx).toBe(BUILDX_SAMPLE);
  });
});

describe("arbitrary strings through the HCL escaper", () => {
  it(`round-trip exactly through the HCL printer, hcl2json (${RUNS} sets) and buildx (${BUILDX_SAMPLE} sets)`, async () => {
    writeFileSync(join(work.dir, "Dockerfile"), "FROM scratch\n");
    await fc.assert(
      fc.asyncProperty(fc.array(hostileString(60), { minLength: 1, maxLength: 6 }), hostileString(20), async (values, targetName) => {
        counts.escaped++;
        const map = Object.fromEntries(values.map((v, i) => [`K${i}${v}`, v]));
        const hclFor = (name: string) =>
          printHcl({
            header: [],
            body: [
              block("group", ["default"], [attr("targets", strings([name]))]),
              block("target", [name], [attr("dockerfile", str("Dockerfile")), attr("args", stringMap(map, true)), attr("labels", stringMap(map))]),
            ],
          });
        const hcl = hclFor(`t${targetName}`);
        const json = (await parse("docker-bake.hcl", hcl)) as { target: Record<string, [{ args: Record<string, string>; labels: Record<string, string> }]> };
        const [name] = Object.keys(json.target);
        // Block labels come back as written: unescaped, not normalized (pgbake's are ASCII anyway).
        expect(name).toBe(`t${targetName}`);
        const t = json.target[name!]![0];
        const decode = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [fromHclJson(k), fromHclJson(v)]));
        // HCL normalizes every string to Unicode NFC (see escape.ts): text that is not NFC already
        // comes back normalized, and otherwise exactly.
        const nfc = Object.fromEntries(Object.entries(map).map(([k, v]) => [k.normalize("NFC"), v.normalize("NFC")]));
        expect(decode(t.args)).toEqual(nfc);
        expect(decode(t.labels)).toEqual(nfc);
        if (counts.escapedBuildx < BUILDX_SAMPLE && counts.escaped % 10 === 0) {
          // Bake names are [a-zA-Z0-9_-] only (pgbake's are, by schema and bakeName): a plain one here.
          writeFileSync(join(work.dir, "docker-bake.hcl"), hclFor("t"));
          const printed = await bakePrint(work.dir);
          const [pname] = Object.keys(printed.target);
          expect(pname).toBe("t");
          // buildx re-escapes values only; its keys come back as they are.
          const values = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, fromHclJson(v)]));
          expect(values(printed.target[pname!]!.args!)).toEqual(nfc);
          expect(values(printed.target[pname!]!.labels!)).toEqual(nfc);
          counts.escapedBuildx++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(counts.escapedBuildx).toBe(BUILDX_SAMPLE);
  });
});
