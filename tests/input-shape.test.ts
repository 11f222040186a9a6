// One source for the input shape: the schemas. Every field they define is a field of the typed
// input (src/model/types.ts, filled by src/validate/convert.ts) and the other way round, and
// every default they give is the one the typed input gets when the field is left out.
import { describe, expect, it } from "vitest";
import type { ConfigInput, ExtensionInput } from "../src/model/input.generated.js";
import { PGDG_DEFAULT_MIRROR, DEBIAN_ARCHIVE_KEYRING } from "../src/model/types.js";
import { schemaDefault } from "../src/validate/defaults.js";
import { toExtensionSpec, toProjectConfig } from "../src/validate/convert.js";
import { readSchema, type SchemaName } from "../src/validate/validators.js";

type Node = Record<string, unknown>;

/** Every property path of a schema (`*` for map entries and list items), with its default if any. */
function fields(name: SchemaName): { path: string[]; default?: unknown }[] {
  const root = readSchema(name) as Node;
  const defs = root.definitions as Record<string, Node>;
  const out: { path: string[]; default?: unknown }[] = [];
  const walk = (node: Node, path: string[]): void => {
    const ref = typeof node.$ref === "string" ? /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1] : undefined;
    const n = ref ? { ...defs[ref], ...node } : node;
    for (const [k, v] of Object.entries((n.properties as Record<string, Node>) ?? {})) {
      out.push({ path: [...path, k], ...("default" in v ? { default: v.default } : {}) });
      walk(v, [...path, k]);
    }
    if (typeof n.additionalProperties === "object") walk(n.additionalProperties as Node, [...path, "*"]);
    if (typeof n.items === "object") walk(n.items as Node, [...path, "*"]);
  };
  walk(root, []);
  return out;
}

// Where the typed input names a schema field differently, or adds one of its own.
const renamed: Record<string, string> = { versions: "versions_by_major" };
const derived = new Set(["file", "name", "preview", "origin"]);
/** Schema fields used up before typing: `override: true` entries are merged into the entry they change (validate/layers.ts). */
const consumed = new Set(["override"]);

/** The typed value at a schema path: maps of named entries are lists with `name`; `*` is the first. */
function at(value: unknown, path: string[]): { found: boolean; value?: unknown } {
  let v: unknown = value;
  for (const seg of path) {
    if (seg === "*") {
      if (Array.isArray(v)) v = v[0];
      else if (v && typeof v === "object") v = Object.values(v)[0];
      else return { found: false };
      continue;
    }
    if (!v || typeof v !== "object" || !((renamed[seg] ?? seg) in v)) return { found: false };
    v = (v as Node)[renamed[seg] ?? seg];
  }
  return { found: true, value: v };
}

const fullConfig: ConfigInput = {
  registry: "r.example:5000",
  image: "pg",
  default_flavor: "f",
  output: "out",
  bake_files: "per-major",
  postgres: [{ major: 17, version: "17.6" }],
  bases: {
    b: {
      image: "debian:trixie-slim",
      codename: "trixie",
      postgres_from: "distro",
      platforms: ["linux/amd64"],
      majors: [17],
      apt: {
        pgdg_mirror: "https://m.example/apt",
        pgdg_archive: "https://a.example/apt",
        pgdg_key: "https://k.example/key",
        distro: [{ uri: "https://d.example/debian", suites: ["trixie"], components: ["main", "contrib"], signed_by: "/k.gpg", archive: true }],
      },
    },
  },
  types: { t: { description: "d", packages: ["locales-all"], extensions: ["e"] } },
  platforms: ["linux/amd64"],
  flavors: { f: { description: "d", extensions: ["e"], image: "pg-f" } },
  tags: { operand: ["{major}"], extension: ["{ext_version}"] },
  metadata: { vendor: "v", source: "https://s.example", url: "https://u.example", documentation: "https://d.example", licenses: "MIT", annotation_prefix: "x.y" },
  build: { attest: false, cache: false },
};
const minimalConfig: ConfigInput = {
  postgres: [{ major: 17, version: "17.6" }],
  bases: { b: { image: "debian:trixie-slim", codename: "trixie", apt: { distro: [{ uri: "https://d.example/debian", suites: ["trixie"] }] } } },
  types: { t: { description: "d" } },
  platforms: ["linux/amd64"],
  flavors: { f: { extensions: [] } },
  tags: {},
  metadata: {},
  build: {},
};
const fullExtension: ExtensionInput = {
  name: "e",
  sql_names: ["e"],
  description: "d",
  license: "MIT",
  homepage: "https://h.example",
  kind: "source",
  version: "1.0",
  versions: { "17": "1.1" },
  package: "p",
  package_version: "{version}",
  min_pg_version: 13,
  max_pg_version: 18,
  platforms: ["linux/amd64"],
  bases: ["b"],
  disabled: true,
  disabled_reason: "r",
  shared_preload_libraries: ["e"],
  preload_position: "first",
  requires: ["x"],
  conflicts: [{ extension: "y", reason: "r" }],
  startup_needs: [{ kind: "setting", name: "d", value: "v", reason: "r" }],
  runtime_packages: ["libx"],
  runtime_packages_by_base: { b: ["liby"] },
  extra_packages: ["z"],
  smoke_test: "SELECT 1",
  notes: "n",
  expected_server_log: [{ match: "^WARNING: ", reason: "r" }],
  broken_upgrade_paths: [{ sql_name: "e", from: ["0.9"], reason: "r" }],
  source: {
    git: "https://g.example/e",
    ref: "v1",
    tag: "v1",
    track: "v1.*",
    build: "cmake",
    subdir: "s",
    build_packages: ["cmake"],
    binaries: ["e"],
    build_options: ["-DX=1"],
    pgrx_version: "0.16.1",
    go_main: "./cmd",
  },
};
const minimalExtension: ExtensionInput = {
  name: "e",
  description: "d",
  license: "MIT",
  homepage: "https://h.example",
  kind: "source",
  version: "1.0",
  source: { git: "https://g.example/e", ref: "v1", build: "pgxs" },
};

const cases: [SchemaName, unknown, unknown][] = [
  ["config", toProjectConfig(fullConfig, "/p.yaml"), toProjectConfig(minimalConfig, "/p.yaml")],
  ["extension", toExtensionSpec(fullExtension, "/e.yaml"), toExtensionSpec(minimalExtension, "/e.yaml")],
];

describe.each(cases)("the %s schema and its typed input", (name, full, minimal) => {
  it("name the same fields, both ways", () => {
    const schemaPaths = fields(name).map((f) => f.path);
    for (const path of schemaPaths.filter((p) => !consumed.has(p[0]!))) expect(at(full, path).found, `${name}: ${path.join(".")} is not in the typed input`).toBe(true);
    // Every field of the typed input, down the same nesting, is a schema field (or derived).
    const known = new Set(schemaPaths.map((p) => p.map((s) => renamed[s] ?? s).join(".")));
    const walk = (v: unknown, path: string[]): void => {
      if (Array.isArray(v)) return void (v.length > 0 && typeof v[0] === "object" && walk(v[0], [...path, "*"]));
      if (!v || typeof v !== "object") return;
      for (const [k, child] of Object.entries(v)) {
        if (derived.has(k)) continue;
        const p = [...path, k];
        // A map of named entries (bases, types, flavors) is a list in the typed input: its entries are `*`.
        expect(known.has(p.join(".")) || known.has([...path, "*", k].join(".")), `${name}: ${p.join(".")} is not in the schema`).toBe(true);
        const next = known.has(p.join(".")) ? p : [...path, "*", k];
        // Free-form maps (versions, runtime_packages_by_base) have no fields of their own below.
        if ([...known].some((f) => f.startsWith(`${next.join(".")}.`))) walk(child, next);
      }
    };
    walk(full, []);
  });

  it("get the schema's default for every field left out", () => {
    const withDefaults = fields(name).filter((f) => "default" in f);
    expect(withDefaults.length).toBeGreaterThan(5);
    for (const f of withDefaults) {
      const got = at(minimal, f.path);
      // A field under an optional object that was left out entirely has nothing to default.
      if (!got.found) continue;
      expect(got.value, `${name}: ${f.path.join(".")}`).toEqual(f.default);
    }
  });
});

it("keeps the constants the plan compares with equal to the schema's defaults", () => {
  expect(schemaDefault("config", ["bases", "*", "apt", "pgdg_mirror"])).toBe(PGDG_DEFAULT_MIRROR);
  expect(schemaDefault("config", ["bases", "*", "apt", "distro", "*", "signed_by"])).toBe(DEBIAN_ARCHIVE_KEYRING);
});
