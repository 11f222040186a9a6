// The reference page and the descriptions it is made of: docs/reference.md is what
// `npm run docs` writes now; every schema field, map entry, list of objects and value type has a
// description (editors show them); every tag placeholder the planner fills is documented, and
// what the schema tells an editor about tags names exactly those.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extensionPlaceholders, referenceMarkdown, schemaFields, tagPlaceholders, undescribed } from "../src/docs/reference.js";
import { planFrom } from "../src/pipeline/index.js";
import { schemaNode } from "../src/validate/defaults.js";
import { schemaNames } from "../src/validate/validators.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

describe("docs/reference.md", () => {
  it("is what the generator writes now (run `npm run docs` after changing a schema or a placeholder)", () => {
    expect(readFileSync(join(repoRoot, "docs/reference.md"), "utf8")).toBe(referenceMarkdown());
  });

  it("has a section per field of both schemas, with its description", () => {
    const page = referenceMarkdown();
    const part = { config: page.split("\n## pgbake.yaml\n")[1]!.split("\n## ")[0]!, extension: page.split("\n## extensions/")[1]!.split("\n## ")[0]! };
    for (const name of schemaNames)
      for (const f of schemaFields(name)) {
        const section = part[name].split(`### \`${f.path}\`\n`)[1]?.split("\n### ")[0];
        expect(section, `${name}: ${f.path}`).toBeDefined();
        expect(section).toContain(f.own.description);
      }
  });

  it("says which fields are required, also under a condition", () => {
    const page = referenceMarkdown();
    const facts = (path: string): string => page.split(`### \`${path}\`\n\n`)[1]!.split("\n")[0]!;
    expect(facts("postgres[].version")).toContain("Required.");
    expect(facts("registry")).toBe('Type: string. Default: `"localhost:5000"`.');
    expect(facts("package")).toContain("Required when `kind: package`, unless `override: true`.");
    expect(facts("source")).toContain("Required when `kind` is source or tool, unless `override: true`.");
    expect(facts("disabled_reason")).toContain("Required when `disabled: true`, unless `override: true`.");
  });
});

describe.each(schemaNames)("the %s schema", (name) => {
  it("gives every field, map entry, list of objects and value type a description of its own", () => {
    expect(undescribed(name)).toEqual([]);
    expect(schemaFields(name).length).toBeGreaterThan(25);
  });
});

describe("tag placeholders", () => {
  const work = tempDir("pgbake-placeholders-");
  afterAll(() => work.cleanup());

  it.each(["operand", "extension"] as const)("of tags.%s: each is described, and the schema's description names exactly them", (kind) => {
    const placeholders = tagPlaceholders[kind];
    for (const [key, text] of Object.entries(placeholders)) expect(text.length, `{${key}}`).toBeGreaterThan(10);
    const said = schemaNode("config", ["tags", kind])!.description!;
    const named = [...said.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
    expect(new Set(named)).toEqual(new Set(Object.keys(placeholders)));
  });

  it("are the ones the planner fills: a tag of every documented placeholder comes out filled, {timestamp} kept for bake", () => {
    const all = (kind: "operand" | "extension"): string =>
      Object.keys(tagPlaceholders[kind])
        .map((k) => `{${k}}`)
        .join("-");
    mkdirSync(join(work.dir, "ext"));
    writeFileSync(
      join(work.dir, "pgbake.yaml"),
      [
        "postgres: [{ major: 19, version: '19~beta3' }]",
        "bases: { trixie: { image: 'debian:trixie-slim', codename: trixiecode } }",
        "platforms: [linux/amd64]",
        "types: { minimal: { description: minimal } }",
        "flavors: { plain: { extensions: [acme] } }",
        `tags: { operand: ['${all("operand")}'], extension: ['${all("extension")}'] }`,
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(work.dir, "ext", "acme.yaml"),
      [
        "name: acme",
        "description: d",
        "license: MIT",
        "homepage: https://example.org",
        "kind: package",
        "version: '2.0'",
        "versions: { '19': '2.1' }",
        "max_pg_version: 19",
        "package: postgresql-{major}-acme",
        "",
      ].join("\n"),
    );
    const { plan } = planFrom({ config: join(work.dir, "pgbake.yaml"), extensions: join(work.dir, "ext") });
    expect(plan.operands.map((o) => o.tags)).toEqual([["postgresql:19-19beta3-minimal-trixie-plain-trixiecode-{timestamp}"]]);
    expect(plan.extensionImages.map((e) => e.tags)).toEqual([["acme:2.1-19-trixie-trixiecode-acme-{timestamp}"]]);
    // The apt fields' placeholders: {major} in package, {version} in package_version (its default `{version}-*`).
    expect(plan.extensionImages[0]!.args.PACKAGES).toBe("postgresql-19-acme=2.1-*");
  });

  it.each(["package", "package_version"] as const)("of an extension's %s: each is described, and so is the field that takes it", (field) => {
    const placeholders = extensionPlaceholders[field];
    for (const [key, text] of Object.entries(placeholders)) {
      expect(text.length, `{${key}}`).toBeGreaterThan(10);
      expect(schemaNode("extension", [field])!.description).toContain(`{${key}}`);
    }
  });
});
