// The folder-level import graph of src/, read from the import statements themselves: which folder
// of src/ imports which other, with one file:line per edge as the witness. Relative specifiers only
// (packages and node: builtins are not stages); static, type-only, re-export and dynamic imports
// all count, since each is a dependency a reader follows.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export interface ImportEdge {
  from: string;
  to: string;
  /** The first import seen that makes the edge, as `src/plan/checks.ts:10`. */
  witness: string;
}

/** `from "./x"`, `export * from "../y"`, `import "./z"`, `import("../w")`, each with its offset. */
const specifiers = /\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The folders directly under `srcDir` (the stages and src/model). */
export function srcFolders(srcDir: string): string[] {
  return readdirSync(srcDir)
    .filter((n) => statSync(join(srcDir, n)).isDirectory())
    .sort();
}

/** Every import of one folder from another, once per (from, to). */
export function folderImports(srcDir: string): ImportEdge[] {
  const root = resolve(srcDir);
  const folderOf = (file: string): string => relative(root, file).split(sep)[0]!;
  const edges = new Map<string, ImportEdge>();
  for (const file of tsFiles(root).sort()) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(specifiers)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(root + sep)) throw new Error(`${relative(root, file)} imports ${spec}, outside src/`);
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to || edges.has(`${from}>${to}`)) continue;
      const line = text.slice(0, m.index).split("\n").length;
      edges.set(`${from}>${to}`, { from, to, witness: `src/${relative(root, file).split(sep).join("/")}:${line}` });
    }
  }
  return [...edges.values()];
}

export interface Diagram {
  nodes: Set<string>;
  arrows: { from: string; to: string; line: number }[];
}

/**
 * The mermaid flowchart under `heading` in a markdown text: node declarations `id[label]` and
 * arrows `a --> b`, one a line. Any other line is an error, so nothing the diagram says is skipped.
 */
export function readDiagram(markdown: string, heading: string): Diagram {
  const lines = markdown.split("\n");
  const at = lines.findIndex((l) => l.trim() === heading);
  if (at < 0) throw new Error(`no heading '${heading}'`);
  const open = lines.findIndex((l, i) => i > at && l.trim() === "```mermaid");
  const close = lines.findIndex((l, i) => i > open && l.trim() === "```");
  if (open < 0 || close < 0) throw new Error(`no mermaid block under '${heading}'`);
  const nodes = new Set<string>();
  const arrows: Diagram["arrows"] = [];
  const node = String.raw`([a-z][a-z0-9_]*)(?:\[[^\]]*\])?`;
  const arrow = new RegExp(String.raw`^${node}\s*-->\s*${node}$`);
  const declaration = new RegExp(String.raw`^${node}$`);
  for (let i = open + 1; i < close; i++) {
    const l = lines[i]!.trim();
    if (l === "" || l.startsWith("%%") || /^(flowchart|graph) (TD|TB)$/.test(l)) continue;
    const a = arrow.exec(l);
    const d = declaration.exec(l);
    if (a) {
      nodes.add(a[1]!).add(a[2]!);
      arrows.push({ from: a[1]!, to: a[2]!, line: i + 1 });
    } else if (d) nodes.add(d[1]!);
    else throw new Error(`README.md:${i + 1}: not a node or an arrow: ${l}`);
  }
  return { nodes, arrows };
}

/** Folders reachable from `from` along the arrows (not counting `from` itself unless on a cycle). */
export function reachable(arrows: Diagram["arrows"], from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    const n = todo.pop()!;
    for (const a of arrows) {
      if (a.from !== n || seen.has(a.to)) continue;
      seen.add(a.to);
      todo.push(a.to);
    }
  }
  return seen;
}
