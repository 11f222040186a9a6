// The formula language every derived target value is written in (src/model/formula.ts): its
// TypeScript evaluation and its HCL printing. tests/bake-print.test.ts holds the two against real
// buildx on every generated file; these pin the pieces in-process.
import { describe, expect, it } from "vitest";
import { apply, call, evaluate, fn, forList, forMap, get, list, name, ne, nonEmpty, object, text, tpl, when, type Formula } from "../src/model/formula.js";
import { extensionTargetName, operandTargetName, tagSafeVersion } from "../src/model/naming.js";
import { printFormula } from "../src/render/formula-hcl.js";

const scope = {
  o: { major: "17", base: "trixie", extensions: ["pgvector", "cube"], PACKAGES: "postgresql-{major}-x", note: "" },
  postgres: { "17": { version: "17.6", preview: false } },
};

describe("formulas", () => {
  const cases: [string, Formula, unknown, string][] = [
    [
      "a template over facts and a lookup",
      tpl`PostgreSQL ${get(name("postgres"), get(name("o"), "major"), "version")} on ${get(name("o"), "base")}`,
      "PostgreSQL 17.6 on trixie",
      '"PostgreSQL ${postgres[o.major].version} on ${o.base}"',
    ],
    ["a conditional", when(get(name("postgres"), "17", "preview"), " (preview)", "stable"), "stable", 'postgres["17"].preview ? " (preview)" : "stable"'],
    [
      "join and length",
      tpl`${call("join", ", ", get(name("o"), "extensions"))} (${call("length", get(name("o"), "extensions"))})`,
      "pgvector, cube (2)",
      '"${join(", ", o.extensions)} (${length(o.extensions)})"',
    ],
    [
      "a map comprehension",
      forMap(get(name("o"), "extensions"), "e", tpl`ext-${name("e")}`, tpl`target:${name("e")}`),
      { "ext-pgvector": "target:pgvector", "ext-cube": "target:cube" },
      '{ for e in o.extensions : "ext-${e}" => "target:${e}" }',
    ],
    [
      "entries kept when not empty",
      nonEmpty([
        ["a", get(name("o"), "note")],
        ["b", text("x")],
      ]),
      { b: "x" },
      '{ for k, v in { a = o.note, b = "x" } : k => v if v != "" }',
    ],
    ["a list comprehension with a filter", forList(get(name("o"), "extensions"), "e", name("e"), ne(name("e"), "cube")), ["pgvector"], '[for e in o.extensions : e if e != "cube"]'],
    ["replace", call("replace", get(name("o"), "PACKAGES"), "{major}", get(name("o"), "major")), "postgresql-17-x", 'replace(o.PACKAGES, "{major}", o.major)'],
    ["an object and a list", object([["k", list("a", "b")]]), { k: ["a", "b"] }, '{ k = ["a", "b"] }'],
  ];
  it.each(cases)("%s: evaluates and prints", (_what, f, value, hcl) => {
    expect(evaluate(f, scope)).toEqual(value);
    expect(printFormula(f)).toBe(hcl);
  });

  it("prints literal text escaped, so no text is ever evaluated as a template", () => {
    const f = tpl`${text('a ${b} %{c} "q" \\ $')}${name("x")}`;
    expect(printFormula(f)).toBe('"a $${b} %%{c} \\"q\\" \\\\ ${"$"}${x}"');
    expect(evaluate(f, { x: "!" })).toBe('a ${b} %{c} "q" \\ $!');
  });

  it("evaluates a named function by binding its parameters, and prints a call", () => {
    const twice = fn("twice", ["s"], (s) => tpl`${s}${s}`);
    expect(evaluate(apply(twice, text("ab")), {})).toBe("abab");
    expect(printFormula(apply(twice, name("v")))).toBe("twice(v)");
  });

  it("names the model computes are the formulas the bake file prints", () => {
    expect(extensionTargetName("pgvector", 17, "trixie")).toBe("pgvector-17-trixie");
    expect(operandTargetName("team/pg.x", 17, "minimal", "trixie")).toBe("team-pg-x-17-minimal-trixie");
    expect(tagSafeVersion("1.0+dfsg~rc1")).toBe("1.0_dfsgrc1");
  });

  it("refuses a name that is not in scope instead of guessing", () => {
    expect(() => evaluate(name("missing"), {})).toThrow(/missing is not in scope/);
  });
});
