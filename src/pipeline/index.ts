// load → validate → plan → render, as one call for the CLI, tests and the benchmark.
import { dirname, resolve } from "node:path";
import { loadInputs } from "../load/index.js";
import { defaultConfigPath, defaultExtensionsDir } from "../model/paths.js";
import type { BakeFilesMode, Catalog, Plan, ProjectConfig } from "../model/types.js";
import { buildPlan } from "../plan/index.js";
import { renderAll, type RenderOutput } from "../render/bake.js";
import { validateInputs } from "../validate/index.js";

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

export function planFrom(paths: InputPaths): Planned {
  const configPath = resolve(paths.config ?? defaultConfigPath());
  const extensionsDir = resolve(paths.extensions ?? defaultExtensionsDir());
  const { config, catalog } = validateInputs(loadInputs(configPath, extensionsDir));
  if (paths.bakeFiles) config.bake_files = paths.bakeFiles;
  const outDir = paths.out ? resolve(paths.out) : resolve(dirname(configPath), config.output);
  return { config, catalog, plan: buildPlan(config, catalog), outDir };
}

export function renderFrom(planned: Planned): RenderOutput {
  return renderAll(planned.plan, planned.config, planned.catalog);
}
