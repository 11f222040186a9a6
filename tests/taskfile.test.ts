// The Taskfile validates against the public Taskfile schema, and every pgbake command it runs
// is one the CLI accepts (the `task` binary cannot be installed here, so we expand it ourselves).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { pgbake } from "./helpers/cli.js";
import { repoRoot } from "./helpers/workspace.js";

const taskfile = parse(readFileSync(join(repoRoot, "Taskfile.yml"), "utf8")) as {
  vars: Record<string, string>;
  tasks: Record<string, { cmds?: (string | { task: string })[] }>;
};
const schemaPath = join(repoRoot, "..", "shared", "schemas", "taskfile.schema.json");

/**
 * The Go-template forms the Taskfile uses (`{{.X}}`, `{{.X | default "v"}}`, `{{if eq .X "v"}}…{{end}}`),
 * evaluated with the Taskfile's own `vars:` over the values a user passes: what the command is
 * comes from the Taskfile, not from this test.
 */
function template(text: string, values: Record<string, string>): string {
  return text
    .replace(/\{\{if eq \.([A-Z_]+) "([^"]*)"\}\}(.*?)\{\{end\}\}/g, (_, k: string, v: string, body: string) => (values[k] === v ? body : ""))
    .replace(/\{\{\.([A-Z_]+)(?: \| default "([^"]*)")?\}\}/g, (_, k: string, d?: string) => values[k] || d || "");
}

function expand(cmd: string, given: Record<string, string>): string {
  const values: Record<string, string> = { ...given };
  for (const [k, v] of Object.entries(taskfile.vars)) values[k] = template(v, values);
  return template(cmd, values);
}

describe("Taskfile.yml", () => {
  it("validates against the Taskfile JSON Schema", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
    const ok = validate(parse(readFileSync(join(repoRoot, "Taskfile.yml"), "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("has CloudNativePG's task names", () => {
    for (const name of ["prereqs", "generate", "checks:all", "bake", "bake:all", "e2e:setup-env", "e2e:cleanup"])
      expect(Object.keys(taskfile.tasks)).toContain(name);
  });

  it("runs only pgbake commands the CLI accepts (with DRY_RUN so nothing builds)", async () => {
    const pgbakeCmds = Object.entries(taskfile.tasks).flatMap(([name, t]) =>
      (t.cmds ?? []).filter((c): c is string => typeof c === "string" && c.includes("{{.PGBAKE}}")).map((c) => ({ name, c })),
    );
    expect(pgbakeCmds.length).toBeGreaterThanOrEqual(7);
    for (const { name, c } of pgbakeCmds) {
      const line = expand(c, { TARGET: "pgvector", PUSH: "true", DRY_RUN: "true" });
      const args = line.split(/\s+/).filter(Boolean).slice(2); // drop `node dist/src/cli/main.js`
      if (args[0] === "bake" && !args.includes("--dry-run")) args.push("--dry-run");
      if (args[0] === "bake" && args.includes("--check")) continue; // runs buildx; covered by check.test.ts
      const r = await pgbake(args);
      expect(r.exitCode, `${name}: ${line}\n${r.stderr}`).toBe(0);
      if (name === "bake") expect(r.stdout).toMatch(/docker buildx bake --file docker-bake.hcl --push pgvector$/m);
    }
  });
});
