// Loads and compiles the handlebars templates once. Values reaching them are pre-escaped
// (see escape.ts), so templates use triple-stash and HTML escaping is off.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { packageRoot } from "../model/paths.js";

const hb = Handlebars.create();
const cache = new Map<string, Handlebars.TemplateDelegate>();

export function template(relPath: string): Handlebars.TemplateDelegate {
  let fn = cache.get(relPath);
  if (!fn) {
    const text = readFileSync(join(packageRoot(), relPath), "utf8");
    fn = hb.compile(text, { noEscape: true, strict: true });
    cache.set(relPath, fn);
  }
  return fn;
}

export function staticFile(relPath: string): string {
  return readFileSync(join(packageRoot(), relPath), "utf8");
}
