// The default catalog against the public reference catalog in ../shared/data (Pigsty's 531
// extensions, with PG majors, Debian packages, preload needs and dependencies). Where an entry
// departs from the reference on purpose (an older pinned version, a library left out of the
// preload list), its `notes` must say so: silent disagreement is a catalog bug.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import type { ExtensionSpec } from "../src/model/types.js";
import { parseCsv, pgArray } from "./helpers/csv.js";
import { defaultConfig, defaultExtensions, repoRoot } from "./helpers/workspace.js";

const referenceFile = join(repoRoot, "../shared/data/pigsty-extension.csv");
const { config, catalog } = planFrom({ config: defaultConfig, extensions: defaultExtensions });
const byCatalogName = new Map(catalog.extensions.map((e) => [e.name, e]));
const majors = config.postgres.filter((p) => !p.preview).map((p) => p.major);

const referenceColumns = ["name", "version", "pg_ver", "need_load", "requires", "deb_pkg"] as const;
type ReferenceRow = Record<(typeof referenceColumns)[number], string>;

function referenceRows() {
  const byName = new Map(parseCsv(readFileSync(referenceFile, "utf8"), referenceColumns).map((r) => [r.name, r]));
  return (spec: ExtensionSpec) => [spec.name, ...spec.sql_names].map((n) => byName.get(n)).find(Boolean);
}

function supportedMajors(spec: ExtensionSpec): number[] {
  return majors.filter((m) => (spec.min_pg_version ?? 0) <= m && m <= (spec.max_pg_version ?? 99));
}

// Only for `notes`-less entries: a departure with a reason written down is a decision, not a bug.
function departures(spec: ExtensionSpec, ref: ReferenceRow): string[] {
  const out: string[] = [];
  const refMajors = pgArray(ref.pg_ver)
    .map(Number)
    .filter((m) => majors.includes(m))
    .sort();
  if (spec.version === ref.version && JSON.stringify(supportedMajors(spec)) !== JSON.stringify(refMajors))
    out.push(`majors ${supportedMajors(spec).join(",")} but the reference gives ${refMajors.join(",")} for ${ref.version}`);
  if (ref.need_load === "t" && spec.shared_preload_libraries.length === 0) out.push("the reference says it must be preloaded; shared_preload_libraries is empty");
  if (ref.need_load === "f" && spec.shared_preload_libraries.length > 0) out.push("preloaded, though the reference says it need not be");
  // The reference names SQL extensions; the catalog requires entries, which may hold several.
  const provided = new Set([...spec.sql_names, ...spec.requires.flatMap((r) => [r, ...(byCatalogName.get(r)?.sql_names ?? [])])]);
  const refRequires = pgArray(ref.requires).filter((r) => r !== "plpgsql");
  for (const required of refRequires) if (!provided.has(required)) out.push(`the reference says it requires ${required}`);
  return out;
}

describe("the default catalog against the reference catalog", () => {
  const find = referenceRows();
  const extensions = catalog.extensions.filter((e) => e.kind !== "tool");

  // The reference does not know every package Debian ships (pgq_node, pg_statviz...): such an
  // entry says so in its notes, and its facts come from the package alone.
  const known = extensions.filter((e) => find(e));

  it("knows every PostgreSQL extension of the catalog, or the entry says it does not", () => {
    const unknown = extensions.filter((e) => !find(e));
    expect(unknown.filter((e) => !/not in the reference data/i.test(e.notes ?? "")).map((e) => e.name)).toEqual([]);
    expect(unknown.length).toBeLessThan(extensions.length / 10);
    expect(extensions.length).toBeGreaterThanOrEqual(100);
  });

  it("names the Debian package the reference names, or says why not", () => {
    const packaged = known.filter((e) => e.kind === "package");
    const wrong = packaged
      .map((e) => ({ name: e.name, ours: e.package, theirs: find(e)!.deb_pkg.replace(/\$v/g, "{major}"), notes: e.notes ?? "" }))
      .filter((p) => p.ours !== p.theirs && !p.notes.includes(p.theirs.replace("{major}", "N")))
      .map(({ notes: _notes, ...p }) => p);
    expect(wrong).toEqual([]);
    expect(packaged.length).toBeGreaterThanOrEqual(10);
  });

  it("agrees on PG majors, preloading and dependencies, or says why in its notes", () => {
    const silent = known.map((e) => ({ name: e.name, departures: departures(e, find(e)!), notes: e.notes })).filter((d) => d.departures.length > 0 && !d.notes);
    expect(silent).toEqual([]);
  });

  it("keeps Citus at a version without PG 18, as the reference's newer Citus has it", () => {
    const citus = catalog.extensions.find((e) => e.name === "citus")!;
    const ref = find(citus)!;
    expect(pgArray(ref.pg_ver)).toContain("18");
    expect(citus.version).not.toBe(ref.version);
    expect(supportedMajors(citus)).not.toContain(18);
    expect(citus.notes).toMatch(/PG 18/);
  });
});
