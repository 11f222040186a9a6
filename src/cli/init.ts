// `pgbake init DIR`: a project of one's own on the built-in catalog. It writes pgbake.yaml (the
// built-in PG versions and bases, `catalogs: [builtin, ./extensions]`), an empty local catalog,
// a Taskfile and GitHub workflows, a .gitignore, and a package.json whose devDependency `pgbake`
// is how this pgbake was installed (install-source.ts); then generates and runs `npm install`, so
// the directory is a working project at once with its lock file: the workflows `npm ci` exactly
// that pgbake and run `npx pgbake`. Nothing is overwritten without --force.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { parse } from "yaml";
import { defaultConfigPath, packageRoot, packageVersion } from "../model/paths.js";
import { planFrom, renderFrom } from "../pipeline/index.js";
import { template, staticFile } from "../render/templates.js";
import { PgbakeError } from "../model/errors.js";
import { writeOutputs } from "../write/index.js";
import { installSource, type InstallSource } from "./install-source.js";
import { UsageError } from "./usage.js";
import { runSync } from "../model/process.js";
import { writeFileWhole } from "../write/whole.js";
import type { ConfigInput } from "../model/input.generated.js";

/** The project's files: path relative to DIR → content. Layout in templates/init/, values here. */
export function projectFiles(): Map<string, string> {
  const builtin = parse(staticFile(relative(packageRoot(), defaultConfigPath()))) as ConfigInput;
  const version = packageVersion();
  const config = template("templates/init/pgbake.yaml.hbs")({
    // The schema inside the installed package, as editors resolve it from the project directory.
    schema: "node_modules/pgbake/schemas/config.schema.json",
    version,
    postgres: builtin.postgres,
    bases: Object.entries(builtin.bases).map(([name, b]) => ({ name, image: b.image, codename: b.codename, postgres_from: b.postgres_from ?? "pgdg" })),
  });
  const workflow = (name: string): string => staticFile(`templates/init/workflows/${name}`);
  return new Map([
    ["pgbake.yaml", config],
    ["extensions/.gitkeep", ""],
    ["Taskfile.yml", staticFile("templates/init/Taskfile.yml")],
    [".github/workflows/ci.yml", workflow("ci.yml")],
    [".github/workflows/bake.yml", workflow("bake.yml")],
    [".github/workflows/update.yml", workflow("update.yml")],
    [".github/workflows/freshness.yml", workflow("freshness.yml")],
    // npm leaves files named .gitignore out of packages: the template has no dot.
    [".gitignore", staticFile("templates/init/gitignore")],
  ]);
}

/** The project's package.json with `pgbake` as a devDependency: an existing one keeps everything else. */
export function packageJson(dir: string, source: InstallSource): string {
  const path = join(dir, "package.json");
  const pkg = existsSync(path)
    ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, Record<string, string> | unknown>)
    : {
        name:
          basename(dir)
            .toLowerCase()
            .replace(/[^a-z0-9._-]+/g, "-")
            .replace(/^[._-]+/, "") || "images",
        private: true,
      };
  const deps = pkg.dependencies as Record<string, string> | undefined;
  if (deps?.pgbake !== undefined) deps.pgbake = source.spec;
  else pkg.devDependencies = { ...(pkg.devDependencies as Record<string, string> | undefined), pgbake: source.spec };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** `npm install` in the project: node_modules for `npx pgbake` and the editor's schema, and the lock file CI installs from. */
function npmInstall(dir: string, source: InstallSource): void {
  const r = runSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir });
  if (r.exitCode !== 0)
    throw new PgbakeError(
      `npm install in ${dir} failed (pgbake ${source.spec}): the project is written; run npm install there once npm can reach its sources\n${r.stderr.trim().split("\n").slice(-8).join("\n")}`,
    );
}

export const initCommand = {
  usage: "pgbake init DIR [--force] [--pgbake-source TARBALL|URL|VERSION] [--no-install]",
  summary:
    "start a project in DIR: pgbake.yaml on the built-in catalog, an empty local catalog, a Taskfile, GitHub workflows, .gitignore, and package.json + lock file pinning this pgbake (--pgbake-source: how it was installed, when npm kept no record; --no-install: no npm install, so no lock file yet)",
  options: { force: { type: "boolean" }, "pgbake-source": { type: "string" }, "no-install": { type: "boolean" } } satisfies NonNullable<ParseArgsConfig["options"]>,
  run(v: Record<string, unknown>, pos: string[], print: (s: string) => void): number {
    if (pos.length !== 1) throw new UsageError("init takes one directory");
    const dir = resolve(pos[0]!);
    if (/\.ya?ml$/i.test(dir) && !existsSync(dir))
      throw new UsageError(`init takes the project's directory, not its config file: pgbake init ${dirname(pos[0]!)} writes ${join(dirname(pos[0]!), "pgbake.yaml")}`);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file, not a directory: init takes the project's directory`);
    // Before anything is written: a source that cannot be told or used stops init here (exit 2).
    const source = installSource(v["pgbake-source"] as string | undefined, process.cwd());
    const files = projectFiles();
    const existing = [...files.keys()].filter((f) => existsSync(join(dir, f)) && f !== "extensions/.gitkeep");
    if (existing.length > 0 && !v.force) throw new UsageError(`${dir} already has ${existing.join(", ")}: nothing written (--force replaces them)`);
    for (const [path, content] of files) writeFileWhole(join(dir, path), content);
    writeFileWhole(join(dir, "package.json"), packageJson(dir, source));
    if (source.tarball && resolve(source.tarball) !== join(dir, source.spec.slice("file:".length))) {
      mkdirSync(join(dir, "vendor"), { recursive: true });
      copyFileSync(source.tarball, join(dir, source.spec.slice("file:".length)));
    }
    const planned = planFrom({ config: join(dir, "pgbake.yaml") });
    writeOutputs(planned.outDir, renderFrom(planned).files, { inputs: [planned.config.file, join(dir, "extensions")] });
    if (!v["no-install"]) npmInstall(dir, source);
    print(
      [
        `${dir}: ${[...files.keys()].join(", ")}, package.json${source.tarball ? `, ${source.spec.slice("file:".length)}` : ""}; generated docker-bake.hcl (${planned.plan.operands.length} operand targets, ${planned.plan.extensionImages.length} extension images)`,
        `pgbake ${source.spec} is the project's devDependency${v["no-install"] ? " (run npm install there for node_modules and the lock file the workflows install from)" : ", installed with its lock file: the workflows npm ci it and run npx pgbake"}`,
        "next:",
        `  cd ${pos[0]}`,
        "  npx pgbake add NAME --package PKG        # or --git URL --ref SHA --build pgxs",
        "  npx pgbake generate && docker buildx bake --print",
      ].join("\n"),
    );
    return 0;
  },
};
