// load → validate → plan (+ post-plan checks) → render, as one call for the CLI, tests and the benchmark.
import { dirname, resolve } from "node:path";
import { loadInputs, type LoadedInputs } from "../load/index.js";
import { existsSync } from "node:fs";
import type { BakeFilesMode, Catalog, Plan, ProjectConfig } from "../model/types.js";
import { buildPlan } from "../plan/index.js";
import { checkPlan, type PlanChecks } from "../plan/checks.js";
import { renderAll, type RenderOutput } from "../render/index.js";
import { validateInputs } from "../validate/index.js";
import { InputErrors, PgbakeError, sortErrors } from "../model/errors.js";

export interface InputPaths {
  /** Default: ./pgbake.yaml, which must exist (never the installed package's own config). */
  config?: string;
  /** Catalog directories layered over the config's `catalogs:` (load/catalogs.ts). */
  extensions?: string | string[];
  /** Overrides the config's `output`. */
  out?: string;
  /** Overrides the config's `bake_files`. */
  bakeFiles?: BakeFilesMode;
}

export interface Planned {
  config: ProjectConfig;
  catalog: Catalog;
  plan: Plan;
  outDir: string;
}

/** The files and directories a run reads: never an output directory, and the only files an update may write. */
export const inputsOf = (p: Planned): string[] => [p.config.file, ...p.catalog.extensions.flatMap((e) => [e.file, dirname(e.file)])];

/** Throws InputErrors for bad input, and for what `checks` refuse (`release`: unpinned bases or sources). */
export function planFrom(paths: InputPaths, checks: PlanChecks = {}): Planned {
  const { configPath, extensionsDirs } = inputFiles(paths);
  return planLoaded(loadInputs(configPath, extensionsDirs), paths, checks);
}

/** The config file and the command line's catalog directories the paths name. */
export function inputFiles(paths: InputPaths): { configPath: string; extensionsDirs: string[] } {
  const dirs = paths.extensions === undefined ? [] : typeof paths.extensions === "string" ? [paths.extensions] : paths.extensions;
  return { configPath: projectConfigPath(paths.config), extensionsDirs: dirs.map((d) => resolve(d)) };
}

/**
 * The project's config: `--config FILE` as given (a missing one is reported where it is read),
 * else ./pgbake.yaml. Without one there is no project: falling back to the installed package's
 * own config would write the outputs into the package.
 */
export function projectConfigPath(config: string | undefined): string {
  if (config !== undefined) return resolve(config);
  const own = resolve("pgbake.yaml");
  if (!existsSync(own)) throw new PgbakeError(`no pgbake.yaml in ${process.cwd()}: run \`pgbake init\` (or give --config FILE)`);
  return own;
}

/** planFrom on inputs already loaded (`pgbake update` plans its edited files before writing them). */
export function planLoaded(loaded: LoadedInputs, paths: InputPaths, checks: PlanChecks = {}): Planned {
  const configPath = loaded.config.file;
  const { config, catalog } = validateInputs(loaded);
  if (paths.bakeFiles) config.bake_files = paths.bakeFiles;
  const outDir = paths.out ? resolve(paths.out) : resolve(dirname(configPath), config.output);
  const plan = buildPlan(config, catalog, outDir);
  const errors = checkPlan(checks, config, catalog, plan, loaded.config, loaded.extensions);
  if (errors.length > 0) throw new InputErrors(sortErrors(errors));
  return { config, catalog, plan, outDir };
}

export function renderFrom(planned: Planned): RenderOutput {
  return renderAll(planned.plan);
}
