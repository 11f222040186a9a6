// `pgbake init DIR`: a project of one's own on the built-in catalog. It writes pgbake.yaml (the
// built-in PG versions and bases, `catalogs: [builtin, ./extensions]`), an empty local catalog,
// a Taskfile and GitHub workflows that call the installed CLI `pgbake`, and a .gitignore; then
// generates, so the directory is a working project at once. Nothing is overwritten without --force.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { parse } from "yaml";
import { defaultConfigPath, packageRoot, packageVersion } from "../model/paths.js";
import { planFrom, renderFrom } from "../pipeline/index.js";
import { template, staticFile } from "../render/templates.js";
import { writeOutputs } from "../write/index.js";
import { UsageError } from "./usage.js";

interface BuiltinConfig {
  postgres: { major: number; version: string }[];
  bases: Record<string, { image: string; codename: string; postgres_from?: string }>;
}

/** The project's files: path relative to DIR → content. Layout in templates/init/, values here. */
export function projectFiles(): Map<string, string> {
  const builtin = parse(staticFile(relative(packageRoot(), defaultConfigPath()))) as BuiltinConfig;
  const version = packageVersion();
  const config = template("templates/init/pgbake.yaml.hbs")({
    // The schema inside the installed package, as editors resolve it from the project directory.
    schema: "node_modules/pgbake/schemas/config.schema.json",
    version,
    postgres: builtin.postgres,
    bases: Object.entries(builtin.bases).map(([name, b]) => ({ name, image: b.image, codename: b.codename, postgres_from: b.postgres_from ?? "pgdg" })),
  });
  const workflow = (name: string): string => staticFile(`templates/init/workflows/${name}`).replaceAll("__PGBAKE_VERSION__", version);
  return new Map([
    ["pgbake.yaml", config],
    ["extensions/.gitkeep", ""],
    ["Taskfile.yml", staticFile("templates/init/Taskfile.yml")],
    [".github/workflows/ci.yml", workflow("ci.yml")],
    [".github/workflows/bake.yml", workflow("bake.yml")],
    // npm leaves files named .gitignore out of packages: the template has no dot.
    [".gitignore", staticFile("templates/init/gitignore")],
  ]);
}

/** Write + rename: a file is either absent or whole. */
function writeWhole(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.pgbake-init.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

export const initCommand = {
  usage: "pgbake init DIR [--force]",
  summary: "start a project in DIR: pgbake.yaml on the built-in catalog, an empty local catalog, a Taskfile, GitHub workflows, .gitignore",
  options: { force: { type: "boolean" } } satisfies NonNullable<ParseArgsConfig["options"]>,
  run(v: Record<string, unknown>, pos: string[], print: (s: string) => void): number {
    if (pos.length !== 1) throw new UsageError("init takes one directory");
    const dir = resolve(pos[0]!);
    if (/\.ya?ml$/i.test(dir) && !existsSync(dir))
      throw new UsageError(`init takes the project's directory, not its config file: pgbake init ${dirname(pos[0]!)} writes ${join(dirname(pos[0]!), "pgbake.yaml")}`);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file, not a directory: init takes the project's directory`);
    const files = projectFiles();
    const existing = [...files.keys()].filter((f) => existsSync(join(dir, f)) && f !== "extensions/.gitkeep");
    if (existing.length > 0 && !v.force)
      throw new UsageError(`${dir} already has ${existing.join(", ")}: nothing written (--force replaces them)`);
    for (const [path, content] of files) writeWhole(join(dir, path), content);
    const planned = planFrom({ config: join(dir, "pgbake.yaml") });
    writeOutputs(planned.outDir, renderFrom(planned).files, { inputs: [planned.config.file, join(dir, "extensions")] });
    print(
      [
        `${dir}: ${[...files.keys()].join(", ")}; generated docker-bake.hcl (${planned.plan.operands.length} operand targets, ${planned.plan.extensionImages.length} extension images)`,
        "next:",
        `  cd ${pos[0]}`,
        "  pgbake add NAME --package PKG            # or --git URL --ref SHA --build pgxs",
        "  pgbake generate && docker buildx bake --print",
      ].join("\n"),
    );
    return 0;
  },
};
