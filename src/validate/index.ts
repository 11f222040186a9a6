// Stage 2: schema and cross-file validation. Returns typed inputs or throws every problem at once.
import { basename } from "node:path";
import type { LoadedInputs, SourceDoc } from "../load/index.js";
import type { Catalog, ExtensionSpec, ProjectConfig } from "../model/types.js";
import type { ConfigInput, ExtensionInput } from "../model/input.generated.js";
import { mergeLayers, projectExtensions } from "./layers.js";
import { checkCatalog, checkConfig, checkExtensionBases } from "./cross.js";
import { InputErrors, sortErrors, type InputError } from "../model/errors.js";
import { checkSchema } from "./schema.js";
import { checkLocalSources } from "./local-sources.js";
import { toExtensionSpec, toProjectConfig } from "./convert.js";

export interface ValidInputs {
  config: ProjectConfig;
  catalog: Catalog;
}

export function validateInputs(inputs: LoadedInputs): ValidInputs {
  const errors: InputError[] = [];
  const docs = new Map<string, SourceDoc>();
  const valid: SourceDoc[] = [];
  // Names of extension files that failed the schema: known, so a flavor naming one is no second error.
  const invalidNames: string[] = [];
  for (const src of inputs.extensions) {
    // Every catalog file, also the overrides: a message about a field they set points at them.
    docs.set(src.file, src);
    const found = checkSchema(src, "extension");
    errors.push(...found);
    if (found.length === 0) valid.push(src);
    else {
      const name = (src.data as { name?: unknown } | null)?.name;
      if (typeof name === "string") invalidNames.push(name);
      invalidNames.push(basename(src.file).replace(/\.ya?ml$/, ""));
    }
  }
  // Several catalogs become one (validate/layers.ts); a single catalog passes through unchanged.
  const layered = mergeLayers(inputs, valid);
  errors.push(...layered.errors);
  const extensions: ExtensionSpec[] = [];
  for (const e of layered.entries) {
    if (e.overriddenBy && layered.errors.some((err) => err.file === e.overriddenBy!.file)) continue;
    // Schema-valid: checked above, a merged entry again in mergeLayers.
    const spec = toExtensionSpec(e.data as unknown as ExtensionInput, e.src.file);
    if (inputs.layers && inputs.layers.length > 1) spec.origin = e.origin;
    extensions.push(spec);
  }
  errors.push(...checkCatalog(extensions, docs, invalidNames));
  errors.push(...checkLocalSources(extensions, docs, inputs.config.file, inputs.layerOf));
  const configErrors = checkSchema(inputs.config, "config");
  errors.push(...configErrors);
  let config: ProjectConfig | undefined;
  let catalog: Catalog = { extensions };
  if (configErrors.length === 0) {
    config = toProjectConfig(inputs.config.data as ConfigInput, inputs.config.file);
    const selection = projectExtensions(config, inputs.config, extensions, layered.entries, inputs.layered === true);
    errors.push(...selection.errors);
    if (selection.selected) {
      const chosen = selection.selected;
      catalog = { extensions: extensions.filter((e) => chosen.has(e.name)), unselected: extensions.filter((e) => !chosen.has(e.name)) };
    }
    const alsoKnown = [...invalidNames, ...(catalog.unselected ?? []).map((e) => e.name)];
    errors.push(...checkConfig(config, inputs.config, catalog.extensions, alsoKnown));
    errors.push(...checkExtensionBases(config, catalog.extensions, docs));
  }
  if (errors.length > 0 || !config) throw new InputErrors(sortErrors(errors));
  return { config, catalog };
}
