// In-place YAML edits: every line an edit does not touch comes back byte for byte (comments,
// blank lines, flow maps, quoting, a folded multi-line string), and the edited values read back.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { applyEdits } from "../src/update/yaml-edit.js";
import { repoRoot } from "./helpers/workspace.js";

const untouched = (before: string, after: string, changedLines: number[], insertedAfter: number[] = []): void => {
  const a = before.split("\n");
  const b = after.split("\n");
  expect(b.length).toBe(a.length + insertedAfter.length);
  let j = 0;
  for (let i = 0; i < a.length; i++, j++) {
    if (!changedLines.includes(i + 1)) expect(b[j], `line ${i + 1}`).toBe(a[i]);
    if (insertedAfter.includes(i + 1)) j++;
  }
};

describe("YAML editing in place", () => {
  it("changes a version in the default config and leaves every other line alone", () => {
    const text = readFileSync(join(repoRoot, "pgbake.yaml"), "utf8");
    const line = text.split("\n").findIndex((l) => l.includes("major: 17,")) + 1;
    const out = applyEdits(text, [{ path: ["postgres", 2, "version"], value: "17.99" }]);
    untouched(text, out, [line]);
    expect(out.split("\n")[line - 1]).toBe('  - { major: 17, version: "17.99" }');
    expect(parse(out).postgres[2].version).toBe("17.99");
  });

  it("keeps quoting style, trailing comments and folded strings; inserts keys beside their sibling", () => {
    const text = [
      "# a catalog entry",
      "name: citus   # the name",
      "version: 13.2.0",
      "source:",
      "  git: https://example.invalid/citus",
      "  ref: 0123456789012345678901234567890123456789 # the commit",
      "  build: configure",
      "",
      'notes: "a long note folded',
      '  over two lines"',
      "versions:",
      "  '15': 1.0.0 # old",
      "",
    ].join("\n");
    const out = applyEdits(text, [
      { path: ["source", "ref"], value: "a".repeat(40) },
      { path: ["source", "tag"], value: "v13.3.0", after: "ref" },
      { path: ["version"], value: "13.3.0" },
      { path: ["versions", "15"], value: "1.1.0" },
      { path: ["versions", "17"], value: "17.1" },
    ]);
    const lines = out.split("\n");
    expect(lines[5]).toBe(`  ref: ${"a".repeat(40)} # the commit`);
    expect(lines[6]).toBe("  tag: v13.3.0");
    expect(lines[2]).toBe("version: 13.3.0");
    expect(lines[12]).toBe("  '15': 1.1.0 # old");
    expect(lines[13]).toBe('  "17": "17.1"');
    untouched(text, out, [3, 6, 12], [6, 12]);
    expect(parse(out)).toMatchObject({ version: "13.3.0", source: { tag: "v13.3.0" }, versions: { "15": "1.1.0", "17": "17.1" } });
  });

  it("adds a versions map after version when there is none, and quotes what would read as a number", () => {
    const text = "name: x\nversion: 0.8.4\npackage: postgresql-{major}-x\n";
    const out = applyEdits(text, [{ path: ["versions", "17"], value: "18.10", after: "version" }]);
    expect(out).toBe('name: x\nversion: 0.8.4\nversions:\n  "17": "18.10"\npackage: postgresql-{major}-x\n');
  });
});
