// The README's architecture diagram against the import graph of src/, read from the import
// statements: every folder named, no arrow that no import makes, no import the arrows do not
// allow (an upward one included), and the arrows without a cycle, so that they all point down.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { folderImports, reachable, readDiagram, srcFolders, type Diagram, type ImportEdge } from "./helpers/import-graph.js";

const heading = "## Architecture";

/** What is wrong with the diagram, one line each; empty when it matches the code. */
function disagreements(diagram: Diagram, folders: string[], imports: ImportEdge[]): string[] {
  const out: string[] = [];
  for (const f of folders) if (!diagram.nodes.has(f)) out.push(`src/${f} is not in the diagram`);
  for (const n of diagram.nodes) if (!folders.includes(n)) out.push(`the diagram names ${n}, which is not a folder of src/`);
  for (const a of diagram.arrows) {
    if (!imports.some((e) => e.from === a.from && e.to === a.to)) out.push(`README.md:${a.line}: ${a.from} --> ${a.to}, but no file of src/${a.from} imports src/${a.to}`);
    if (reachable(diagram.arrows, a.to).has(a.from)) out.push(`README.md:${a.line}: ${a.from} --> ${a.to} closes a cycle: not every arrow can point down`);
  }
  for (const e of imports) {
    if (reachable(diagram.arrows, e.from).has(e.to)) continue;
    const upward = reachable(diagram.arrows, e.to).has(e.from);
    out.push(`${e.witness}: ${e.from} imports ${e.to}${upward ? ", upward against the diagram's arrows" : ", and no arrow of the diagram leads there"}`);
  }
  return out;
}

describe("the README's architecture diagram", () => {
  const readme = readFileSync("README.md", "utf8");

  it("names every folder of src/, and its arrows are the imports of src/, all pointing down", () => {
    const diagram = readDiagram(readme, heading);
    expect(diagram.arrows.length).toBeGreaterThan(0);
    expect(disagreements(diagram, srcFolders("src"), folderImports("src"))).toEqual([]);
  });

  it("fails on a missing folder, an extra one, a false arrow, an upward import and a cycle", () => {
    const diagram = readDiagram(readme, heading);
    const folders = srcFolders("src");
    const imports = folderImports("src");
    const without = (n: string): Diagram => ({ nodes: new Set([...diagram.nodes].filter((x) => x !== n)), arrows: diagram.arrows.filter((a) => a.from !== n && a.to !== n) });
    expect(disagreements(without("docs"), folders, imports)).toContain("src/docs is not in the diagram");
    expect(disagreements(diagram, [...folders, "extra"], imports)).toContain("src/extra is not in the diagram");
    expect(
      disagreements(
        diagram,
        folders.filter((f) => f !== "docs"),
        imports,
      ),
    ).toContain("the diagram names docs, which is not a folder of src/");
    const falseArrow = { ...diagram, arrows: [...diagram.arrows, { from: "docs", to: "write", line: 1 }] };
    expect(disagreements(falseArrow, folders, imports)).toContain("README.md:1: docs --> write, but no file of src/docs imports src/write");
    const upward = [...imports, { from: "model", to: "plan", witness: "src/model/x.ts:1" }];
    expect(disagreements(diagram, folders, upward)).toContain("src/model/x.ts:1: model imports plan, upward against the diagram's arrows");
    const sideways = [...imports, { from: "verify", to: "write", witness: "src/verify/x.ts:1" }];
    expect(disagreements(diagram, folders, sideways)).toContain("src/verify/x.ts:1: verify imports write, and no arrow of the diagram leads there");
    const cycle = { ...diagram, arrows: [...diagram.arrows, { from: "model", to: "cli", line: 2 }] };
    expect(disagreements(cycle, folders, imports).some((l) => l.includes("closes a cycle"))).toBe(true);
  });

  it("refuses a line of the diagram that is neither a node nor an arrow", () => {
    const bad = readme.replace("  load --> model\n", "  load -.-> model\n");
    expect(() => readDiagram(bad, heading)).toThrow(/not a node or an arrow: load -\.-> model/);
  });
});

describe("the import graph of a source tree", () => {
  it("counts static, type-only, re-export, side-effect and dynamic imports, and not packages", () => {
    const src = mkdtempSync(join(tmpdir(), "pgbake-imports-"));
    try {
      for (const d of ["a", "b", "c", "d", "e", "f"]) mkdirSync(join(src, d));
      writeFileSync(
        join(src, "a", "x.ts"),
        [
          'import { readFileSync } from "node:fs";',
          'import type { B } from "../b/index.js";',
          "export {",
          "  c,",
          '} from "../c/c.js";',
          'import "../d/side.js";',
          'const e = await import("../e/lazy.js");',
          'import { y } from "./y.js";',
        ].join("\n"),
      );
      writeFileSync(join(src, "f", "none.ts"), "export const f = 1;\n");
      const edges = folderImports(src).map((e) => `${e.from}>${e.to} ${e.witness.replace(/^src\//, "")}`);
      expect(edges).toEqual(["a>b a/x.ts:2", "a>c a/x.ts:5", "a>d a/x.ts:6", "a>e a/x.ts:7"]);
      expect(srcFolders(src)).toEqual(["a", "b", "c", "d", "e", "f"]);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
