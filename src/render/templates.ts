// The handlebars templates of the Dockerfiles. `npm run build` precompiles them
// (scripts/build-templates.mjs) so a run loads only handlebars' small runtime; from the
// TypeScript sources (tests) they are compiled here. Values reaching them are pre-escaped
// (see escape.ts), so templates use triple-stash and HTML escaping is off.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TemplateDelegate } from "handlebars";
import { packageRoot } from "../model/paths.js";

const require = createRequire(import.meta.url);
const cache = new Map<string, TemplateDelegate>();
export const compileOptions = { noEscape: true, strict: true };

/** Where the build puts the precompiled templates: template path → handlebars template spec. */
export const precompiledPath = (): string => join(fileURLToPath(new URL(".", import.meta.url)), "templates.precompiled.cjs");

export const listTemplates = (): string[] =>
  readdirSync(join(packageRoot(), "templates"))
    .filter((f) => f.endsWith(".hbs"))
    .sort()
    .map((f) => `templates/${f}`);

let precompiled: Record<string, unknown> | null | undefined;

export function template(relPath: string): TemplateDelegate {
  let fn = cache.get(relPath);
  if (!fn) {
    if (precompiled === undefined) precompiled = existsSync(precompiledPath()) ? (require(precompiledPath()) as Record<string, unknown>) : null;
    const spec = precompiled?.[relPath];
    if (spec) {
      const runtime = require("handlebars/runtime") as { default: { create(): { template(spec: unknown): TemplateDelegate } } };
      fn = runtime.default.create().template(spec);
    } else {
      const { default: Handlebars } = require("handlebars") as typeof import("handlebars") & { default: typeof import("handlebars") };
      fn = Handlebars.create().compile(readFileSync(join(packageRoot(), relPath), "utf8"), compileOptions);
    }
    cache.set(relPath, fn);
  }
  return fn;
}

export function staticFile(relPath: string): string {
  return readFileSync(join(packageRoot(), relPath), "utf8");
}
