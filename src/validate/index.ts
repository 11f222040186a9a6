// Stage 2: schema and cross-file validation. Returns typed inputs or throws every problem at once.
import { basename } from "node:path";
import type { LoadedInputs, SourceDoc } from "../load/index.js";
import type { Catalog, ProjectConfig } from "../model/types.js";
import { checkCatalog, checkConfig, checkExtensionBases } from "./cross.js";
import { InputErrors, sortErrors, type InputError } from "../model/errors.js";
import { checkPlatformCoverage } from "./platforms.js";
import { checkSchema } from "./schema.js";
import { toExtensionSpec, toProjectConfig } from "./convert.js";

export interface ValidInputs {
  config: ProjectConfig;
  catalog: Catalog;
}

export function validateInputs(inputs: LoadedInputs): ValidInputs {
  const errors: InputError[] = [];
  const docs = new Map<string, SourceDoc>();
  const extensions = [];
  // Names of extension files that failed the schema: known, so a flavor naming one is no second error.
  const invalidNames: string[] = [];
  for (const src of inputs.extensions) {
    const found = checkSchema(src, "extension");
    errors.push(...found);
    if (found.length === 0) {
      extensions.push(toExtensionSpec(src.data as Record<string, unknown>, src.file));
      docs.set(src.file, src);
    } else {
      const name = (src.data as { name?: unknown } | null)?.name;
      if (typeof name === "string") invalidNames.push(name);
      invalidNames.push(basename(src.file).replace(/\.ya?ml$/, ""));
    }
  }
  errors.push(...checkCatalog(extensions, docs, invalidNames));
  const configErrors = checkSchema(inputs.config, "config");
  errors.push(...configErrors);
  let config: ProjectConfig | undefined;
  if (configErrors.length === 0) {
    config = toProjectConfig(inputs.config.data as Record<string, unknown>, inputs.config.file);
    errors.push(...checkConfig(config, inputs.config, extensions, invalidNames));
    errors.push(...checkPlatformCoverage(config, extensions, docs));
    errors.push(...checkExtensionBases(config, extensions, docs));
  }
  if (errors.length > 0 || !config) throw new InputErrors(sortErrors(errors));
  return { config, catalog: { extensions } };
}
