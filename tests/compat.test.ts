// Compatibility rules on hand-made specs: each reason, requirement propagation, previews.
import { describe, expect, it } from "vitest";
import { excludedBecause, selectExtensions } from "../src/model/compat.js";
import type { ExtensionSpec } from "../src/model/types.js";

function spec(name: string, extra: Partial<ExtensionSpec> = {}): ExtensionSpec {
  return {
    name,
    sql_names: [name],
    description: name,
    license: "MIT",
    homepage: "https://example.org",
    kind: "package",
    version: "1.0",
    versions_by_major: {},
    package: `postgresql-{major}-${name}`,
    package_version: "{version}-*",
    disabled: false,
    shared_preload_libraries: [],
    requires: [],
    runtime_packages: [],
    runtime_packages_by_base: {},
    extra_packages: [],
    conflicts: [],
    startup_needs: [],
    suites: {},
    expected_server_log: [],
    file: `${name}.yaml`,
    ...extra,
  };
}
const slot = { major: 18, preview: false, base: "trixie", platforms: ["linux/amd64", "linux/arm64"] };

describe("excludedBecause", () => {
  it("gives one precise reason per rule", () => {
    expect(excludedBecause(spec("a", { max_pg_version: 17 }), slot)).toBe("max_pg_version 17 < 18");
    expect(excludedBecause(spec("a", { min_pg_version: 19 }), slot)).toBe("min_pg_version 19 > 18");
    expect(excludedBecause(spec("a", { disabled: true, disabled_reason: "broken upstream" }), slot)).toBe("disabled: broken upstream");
    expect(excludedBecause(spec("a", { platforms: ["linux/amd64"] }), slot)).toBe("platform linux/arm64 not supported");
    expect(excludedBecause(spec("a", { bases: ["bookworm"] }), slot)).toBe("base trixie not supported (only bookworm)");
    expect(excludedBecause(spec("a"), slot)).toBeUndefined();
  });

  it("builds a preview major only with extensions that declare it", () => {
    const preview = { ...slot, major: 19, preview: true };
    expect(excludedBecause(spec("a"), preview)).toBe("PG 19 is a preview and max_pg_version is unset");
    expect(excludedBecause(spec("a", { max_pg_version: 19 }), preview)).toBeUndefined();
    expect(excludedBecause(spec("a", { kind: "contrib" }), preview)).toBeUndefined();
  });
});

describe("selectExtensions", () => {
  it("drops what requires a dropped extension and adds requirements first", () => {
    const cat = new Map([
      ["citus", spec("citus", { max_pg_version: 17 })],
      ["addon", spec("addon", { requires: ["citus"] })],
      ["postgis", spec("postgis")],
      ["pgrouting", spec("pgrouting", { requires: ["postgis"] })],
    ]);
    const sel = selectExtensions(["addon", "pgrouting"], cat, slot);
    expect(sel.kept).toEqual([
      { name: "postgis", requiredBy: "pgrouting" },
      { name: "pgrouting", requiredBy: undefined },
    ]);
    expect(sel.excluded).toEqual([
      { name: "citus", excludedBecause: "max_pg_version 17 < 18" },
      { name: "addon", excludedBecause: "requires citus, which was dropped" },
    ]);
  });
});
