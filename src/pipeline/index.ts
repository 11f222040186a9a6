// load → validate → plan (+ post-plan checks) → render, as one call for the CLI, tests and the benchmark.
import { dirname, resolve } from "node:path";
import { loadInputs, type LoadedInputs } from "../load/index.js";
import { defaultConfigPath, defaultExtensionsDir } from "../model/paths.js";
import type { BakeFilesMode, Catalog, Plan, ProjectConfig } from "../model/types.js";
import { buildPlan } from "../plan/index.js";
import { checkPlan, type PlanChecks } from "../plan/checks.js";
import { renderAll, type RenderOutput } from "../render/index.js";
import { validateInputs } from "../validate/index.js";
import { InputErrors, sortErrors } from "../model/errors.js";

export interface InputPaths {
  config?: string;
  extensions?: string;
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

/** Throws InputErrors for bad input, and for what `checks` refuse (`release`: unpinned bases or sources). */
export function planFrom(paths: InputPaths, checks: PlanChecks = {}): Planned {
  const { configPath, extensionsDir } = inputFiles(paths);
  return planLoaded(loadInputs(configPath, extensionsDir), paths, checks);
}

/** The config file and catalog directory the paths name (the built-in ones by default). */
export function inputFiles(paths: InputPaths): { configPath: string; extensionsDir: string } {
  return { configPath: resolve(paths.config ?? defaultConfigPath()), extensionsDir: resolve(paths.extensions ?? defaultExtensionsDir()) };
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
