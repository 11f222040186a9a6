// The compatibility grid: every extension of the catalog against every PG major × base × platform
// the plan builds, with the image that carries it or the reason it does not. Pure, from the plan
// and the same compatibility rule (compat.ts) that made the plan.
import type { Catalog, ExtensionSpec, Plan, ProjectConfig } from "../model/types.js";
import { excludedBecause, suiteOf, versionFor } from "../model/compat.js";
import { basesCarrying } from "./index.js";

export interface GridColumn {
  major: number;
  base: string;
  platform: string;
}

export type GridCell =
  /** An extension image target holds it for this platform. */
  | { status: "image"; version: string; target: string; caveat?: string }
  /** It ships with PostgreSQL (contrib): every operand image of the major has it. */
  | { status: "contrib"; version: string }
  | { status: "gap"; reason: string };

export interface GridRow {
  extension: string;
  kind: ExtensionSpec["kind"];
  /** One cell per column, in the order of `Grid.columns`. */
  cells: GridCell[];
}

export interface Grid {
  columns: GridColumn[];
  rows: GridRow[];
}

export function compatibilityGrid(config: ProjectConfig, catalog: Catalog, plan: Plan): Grid {
  const columns: GridColumn[] = [];
  for (const pg of config.postgres)
    for (const base of basesCarrying(config, pg.major))
      for (const platform of config.platforms) if (!base.platforms || base.platforms.includes(platform)) columns.push({ major: pg.major, base: base.name, platform });
  const preview = new Map(config.postgres.map((p) => [p.major, p.preview]));
  const images = new Map(plan.extensionImages.map((t) => [`${t.extension} ${t.major} ${t.base}`, t]));
  const byName = new Map(catalog.extensions.map((e) => [e.name, e]));
  const suites = new Map(config.bases.map((b) => [b.name, suiteOf(b)]));

  const reasonFor = (ext: ExtensionSpec, col: GridColumn): string | undefined =>
    excludedBecause(ext, { major: col.major, preview: preview.get(col.major) ?? false, base: col.base, suite: suites.get(col.base), platforms: [col.platform] });

  const cellFor = (ext: ExtensionSpec, col: GridColumn): GridCell => {
    const reason = reasonFor(ext, col);
    if (reason) return { status: "gap", reason };
    if (ext.kind === "contrib") return { status: "contrib", version: versionFor(ext, col.major, suites.get(col.base)) };
    const target = images.get(`${ext.name} ${col.major} ${col.base}`);
    if (!target || !target.platforms.includes(col.platform)) return { status: "gap", reason: "no extension image in the plan" };
    // The image builds, but an operand can only hold it with what it requires.
    const lost = ext.requires.map((r) => ({ name: r, reason: byName.has(r) ? reasonFor(byName.get(r)!, col) : "not in the catalog" })).find((r) => r.reason);
    const cell: GridCell = { status: "image", version: target.version, target: target.name };
    if (lost) cell.caveat = `requires ${lost.name}, unavailable here (${lost.reason})`;
    return cell;
  };

  const rows = [...catalog.extensions].sort((a, b) => a.name.localeCompare(b.name)).map((ext) => ({ extension: ext.name, kind: ext.kind, cells: columns.map((col) => cellFor(ext, col)) }));
  return { columns, rows };
}
