// How the pgbake that runs `init` was installed, as an npm dependency spec the new project can
// install again anywhere (its CI runs `npm ci`, never an unpinned public name):
// - a tarball on this disk: copied into the project (vendor/), the spec names the copy;
// - a tarball URL or a git URL: the spec is that URL (the lock file pins the commit);
// - a registry: the exact version.
// `--pgbake-source` says it; without it, npm's record of the install is read: the lock file of the
// node_modules the running package sits in (a project-local install or npx). A global install
// keeps no such record, and a checkout is no package: then init asks for the flag.
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { PgbakeError } from "../model/errors.js";
import { packageRoot, packageVersion } from "../model/paths.js";

export interface InstallSource {
  /** The dependency spec written into the project's package.json. */
  spec: string;
  /** For a tarball on this disk: its absolute path, copied to `spec`'s path in the project. */
  tarball?: string;
}

const exactVersion = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const gitSpec = /^(?:git\+[a-z]+:\/\/|git:\/\/|github:|gitlab:|bitbucket:)|\.git(?:#|$)/;
const registryTarball = /\/pgbake\/-\/pgbake-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.tgz$/;
const tarballName = /\.(?:tgz|tar\.gz)$/;

const asking = "pass --pgbake-source with a tarball (path or URL), a git URL (with #commit) or a published version";

/** A local tarball: vendored into the project, so the project installs it on any machine. */
function vendored(path: string, said: string): InstallSource {
  if (!existsSync(path)) throw new PgbakeError(`pgbake source ${said}: ${path} does not exist: ${asking}`);
  if (!statSync(path).isFile() || !tarballName.test(path))
    throw new PgbakeError(`pgbake source ${said}: ${path} is not a tarball (.tgz): a directory cannot be installed by the project's CI (npm pack makes the tarball)`);
  return { spec: `file:vendor/${basename(path)}`, tarball: path };
}

/** A spec as npm's lock file records it (`resolved`), read against the lock file's directory. */
export function fromResolved(resolved: string, lockDir: string): InstallSource {
  if (resolved.startsWith("file:")) return vendored(resolve(lockDir, resolved.slice(5)), resolved);
  const registry = registryTarball.exec(resolved);
  if (registry) return { spec: registry[1]! };
  if (gitSpec.test(resolved) || /^https?:\/\//.test(resolved)) return { spec: resolved };
  throw new PgbakeError(`pgbake was installed from ${resolved}, which init cannot reuse: ${asking}`);
}

/** `--pgbake-source VALUE`: a version, a URL (tarball or git), or a tarball path (against `cwd`). */
export function fromFlag(value: string, cwd: string): InstallSource {
  if (exactVersion.test(value)) return { spec: value };
  if (gitSpec.test(value) || /^https?:\/\//.test(value)) return { spec: value };
  return vendored(resolve(cwd, value.replace(/^file:/, "")), value);
}

/** What npm recorded when it installed the running package, if it sits in a node_modules with a lock file. */
export function detected(root = packageRoot()): InstallSource | undefined {
  const modules = dirname(root);
  if (basename(modules) !== "node_modules") return undefined;
  const prefix = dirname(modules);
  // npm keeps a copy of the lock in node_modules (also under npx's cache); the project's own lock is the fallback.
  for (const lock of [join(modules, ".package-lock.json"), join(prefix, "package-lock.json")]) {
    if (!existsSync(lock)) continue;
    const entry = (JSON.parse(readFileSync(lock, "utf8")) as { packages?: Record<string, { resolved?: string }> }).packages?.["node_modules/pgbake"];
    if (entry?.resolved) return fromResolved(entry.resolved, prefix);
  }
  return undefined;
}

/** The flag if given, else what npm recorded, else a clear request for the flag (exit 2). */
export function installSource(flag: string | undefined, cwd: string): InstallSource {
  if (flag !== undefined) return fromFlag(flag, cwd);
  const found = detected();
  if (found) return found;
  throw new PgbakeError(
    `cannot tell how this pgbake (${packageRoot()}) was installed (a global install or a checkout keeps no record): ${asking}, e.g. --pgbake-source ./pgbake-${packageVersion()}.tgz`,
  );
}
