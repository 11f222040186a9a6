// load → validate → plan → render, as one call for the CLI, tests and the benchmark.
import { dirname, resolve } from "node:path";
import { loadInputs, type LoadedInputs } from "../load/index.js";
import { defaultConfigPath, defaultExtensionsDir } from "../model/paths.js";
import type { BakeFilesMode, Catalog, Plan, ProjectConfig } from "../model/types.js";
import { buildPlan } from "../plan/index.js";
import { renderAll, type RenderOutput } from "../render/bake.js";
import { validateInputs } from "../validate/index.js";
import { InputErrors, sortErrors } from "../validate/errors.js";
import { checkRelease } from "../validate/release.js";

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

/** With `release`, refuses (InputErrors) any base or source that is not pinned. */
export function planFrom(paths: InputPaths, options: { release?: boolean } = {}): Planned {
  const { configPath, extensionsDir } = inputFiles(paths);
  return planLoaded(loadInputs(configPath, extensionsDir), paths, options);
}

/** The config file and catalog directory the paths name (the built-in ones by default). */
export function inputFiles(paths: InputPaths): { configPath: string; extensionsDir: string } {
  return { configPath: resolve(paths.config ?? defaultConfigPath()), extensionsDir: resolve(paths.extensions ?? defaultExtensionsDir()) };
}

/** planFrom on inputs already loaded (`pgbake update` plans its edited files before writing them). */
export function planLoaded(loaded: LoadedInputs, paths: InputPaths, options: { release?: boolean } = {}): Planned {
  const configPath = loaded.config.file;
  const { config, catalog } = validateInputs(loaded);
  if (paths.bakeFiles) config.bake_files = paths.bakeFiles;
  const outDir = paths.out ? resolve(paths.out) : resolve(dirname(configPath), config.output);
  const plan = buildPlan(config, catalog, outDir);
  if (options.release) {
    const errors = checkRelease(config, catalog, plan, loaded.config, loaded.extensions);
    if (errors.length > 0) throw new InputErrors(sortErrors(errors));
  }
  return { config, catalog, plan, outDir };
}

export function renderFrom(planned: Planned): RenderOutput {
  return renderAll(planned.plan, planned.config, planned.catalog);
}
