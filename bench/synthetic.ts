// Synthetic inputs for the scaling benchmark: real, schema-valid pgbake.yaml and extension YAML
// files in a temp dir. What grows with k:
//   extensions: the default catalog plus synthetic package extensions up to k × 23 (the catalog
//   the bench was first measured on, so that 10× and 100× stay comparable as the real catalog
//   grows, and 100× stays under the validator's 100,000-target bound: 2,300 × 4 majors × 8 bases);
//   bases and flavors: chosen so that operand targets grow about k× up to 10× and reach more than
//   5,000 at 100× (a full 100× would be 14,400 operands, and buildx's read time grows faster
//   than linearly: minutes per run).
// Each synthetic extension exists for one (major, base) slot only (min = max_pg_version and one
// base), like per-major pins in the real catalog; each synthetic flavor asks for one synthetic
// extension per slot plus two real ones, so every operand keeps a few and excludes the rest.
import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { defaultConfigPath, defaultExtensionsDir } from "../src/model/paths.js";

export interface Scale {
  factor: number;
  bases: number;
  flavors: number;
}

/** 1×: the default's shape; 10×: 10× operands; 100×: 100× catalog, >5,000 operands. */
export const scales: Scale[] = [
  { factor: 1, bases: 2, flavors: 9 },
  { factor: 10, bases: 4, flavors: 45 },
  { factor: 100, bases: 8, flavors: 80 },
];

const majors = [
  { major: 15, version: "15.18" },
  { major: 16, version: "16.14" },
  { major: 17, version: "17.10" },
  { major: 18, version: "18.4" },
];
const codenames = ["bookworm", "trixie"];
/** The catalog size k× scales: the default catalog's 23 entries when the bench was written. */
const syntheticBaseline = 23;
/** Real extensions synthetic flavors add (all kinds: package, source, contrib). */
const realPicks = ["pgvector", "pg_partman", "hypopg", "citus", "pg_cron", "postgis", "pg_stat_statements", "wal2json"];

export interface SyntheticInputs {
  dir: string;
  config: string;
  extensions: string;
}

export function writeSynthetic(dir: string, scale: Scale): SyntheticInputs {
  const extDir = join(dir, "extensions");
  mkdirSync(extDir, { recursive: true });
  cpSync(defaultExtensionsDir(), extDir, { recursive: true });
  const realCount = readdirSync(extDir).filter((f) => f.endsWith(".yaml")).length;

  const bases = Array.from({ length: scale.bases }, (_, i) => {
    const codename = codenames[i % codenames.length]!;
    return { name: i < codenames.length ? codename : `${codename}-b${i}`, codename };
  });
  const slots = majors.flatMap((pg) => bases.map((b) => ({ major: pg.major, base: b.name })));
  const synthetic = Math.max(0, syntheticBaseline * scale.factor - realCount);
  const bySlot = new Map<string, string[]>();
  for (let i = 0; i < synthetic; i++) {
    const slot = slots[i % slots.length]!;
    const name = `synth_${String(i).padStart(5, "0")}`;
    const key = `${slot.major}-${slot.base}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), name]);
    const spec = {
      name,
      description: `Synthetic benchmark extension ${i}`,
      license: "PostgreSQL",
      homepage: `https://example.org/${name}`,
      kind: "package",
      version: `1.${i % 10}.0`,
      package: `postgresql-{major}-synth-${i}`,
      min_pg_version: slot.major,
      max_pg_version: slot.major,
      bases: [slot.base],
    };
    writeFileSync(join(extDir, `${name}.yaml`), stringify(spec));
  }

  const flavors: Record<string, { description: string; extensions: string[] }> = {
    base: { description: "no extensions beyond the type's", extensions: [] },
  };
  for (let f = 1; f < scale.flavors; f++) {
    const own = slots.flatMap((s) => {
      const names = bySlot.get(`${s.major}-${s.base}`) ?? [];
      return names.length > 0 ? [names[f % names.length]!] : [];
    });
    const real = [realPicks[f % realPicks.length]!, realPicks[(f + 3) % realPicks.length]!];
    flavors[`f${String(f).padStart(3, "0")}`] = { description: `synthetic flavor ${f}`, extensions: [...new Set([...real, ...own])] };
  }
  const config = {
    registry: "localhost:5000",
    image: "postgresql",
    default_flavor: "base",
    output: "out",
    postgres: majors,
    bases: Object.fromEntries(bases.map((b) => [b.name, { image: `debian:${b.codename}-slim`, codename: b.codename, postgres_from: "pgdg" }])),
    types: {
      minimal: { description: "PostgreSQL server and contrib only" },
      standard: { description: "minimal plus locales and three extensions", packages: ["locales-all"], extensions: ["pgaudit", "pgvector", "pg_failover_slots"] },
    },
    platforms: ["linux/amd64", "linux/arm64"],
    flavors,
  };
  const configPath = join(dir, "pgbake.yaml");
  writeFileSync(configPath, stringify(config));
  return { dir, config: configPath, extensions: extDir };
}

/** The default inputs, as they ship. */
export const defaultInputs = (): { config: string; extensions: string } => ({ config: defaultConfigPath(), extensions: defaultExtensionsDir() });
