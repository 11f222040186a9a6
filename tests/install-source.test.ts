// How `pgbake init` tells the spec the new project installs pgbake by: from --pgbake-source, or
// from the lock file npm wrote when it installed the running package (a project or npx).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detected, fromFlag, fromResolved } from "../src/cli/install-source.js";
import { tempDir } from "./helpers/workspace.js";

const t = tempDir("pgbake-install-source-");
afterAll(() => t.cleanup());
const tarball = join(t.dir, "pgbake-0.1.0.tgz");
writeFileSync(tarball, "not really gzip: only its path matters here");

describe("fromResolved: a lock file's `resolved`", () => {
  it("a tarball on disk (relative to the lock's directory) is vendored into the project", () => {
    expect(fromResolved("file:../pgbake-0.1.0.tgz", join(t.dir, "app"))).toEqual({ spec: "file:vendor/pgbake-0.1.0.tgz", tarball });
  });
  it("a registry tarball is its exact version, whichever registry served it", () => {
    expect(fromResolved("https://registry.npmjs.org/pgbake/-/pgbake-0.2.1.tgz", t.dir)).toEqual({ spec: "0.2.1" });
    expect(fromResolved("https://npm.acme.example/pgbake/-/pgbake-1.0.0-rc.1.tgz", t.dir)).toEqual({ spec: "1.0.0-rc.1" });
  });
  it("a git URL with its commit, and any other tarball URL, are kept as they are", () => {
    const git = "git+ssh://git@github.com/acme/pgbake.git#0123456789abcdef0123456789abcdef01234567";
    expect(fromResolved(git, t.dir)).toEqual({ spec: git });
    expect(fromResolved("https://files.acme.example/pgbake-0.1.0.tgz", t.dir)).toEqual({ spec: "https://files.acme.example/pgbake-0.1.0.tgz" });
  });
  it("a directory (a link install) is refused: CI could not install it", () => {
    expect(() => fromResolved("file:.", t.dir)).toThrow(/is not a tarball \(\.tgz\): a directory cannot be installed by the project's CI/);
  });
});

describe("fromFlag: --pgbake-source", () => {
  it("takes a version, a URL or a tarball path (against the working directory)", () => {
    expect(fromFlag("0.1.0", "/")).toEqual({ spec: "0.1.0" });
    expect(fromFlag("github:acme/pgbake#v0.1.0", "/")).toEqual({ spec: "github:acme/pgbake#v0.1.0" });
    expect(fromFlag("./pgbake-0.1.0.tgz", t.dir)).toEqual({ spec: "file:vendor/pgbake-0.1.0.tgz", tarball });
  });
  it("refuses a tarball that is not there, naming what to pass", () => {
    expect(() => fromFlag("./nothing.tgz", t.dir)).toThrow(/nothing\.tgz does not exist: pass --pgbake-source with a tarball/);
  });
});

describe("detected: npm's record of the running package", () => {
  it("reads node_modules/.package-lock.json of the node_modules the package sits in", () => {
    const root = join(t.dir, "app/node_modules/pgbake");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(t.dir, "app/node_modules/.package-lock.json"), JSON.stringify({ packages: { "node_modules/pgbake": { resolved: "file:../pgbake-0.1.0.tgz" } } }));
    expect(detected(root)).toEqual({ spec: "file:vendor/pgbake-0.1.0.tgz", tarball });
  });
  it("has nothing for a global install (no lock) or a checkout (not in node_modules)", () => {
    const global = join(t.dir, "prefix/lib/node_modules/pgbake");
    mkdirSync(global, { recursive: true });
    expect(detected(global)).toBeUndefined();
    expect(detected(join(t.dir, "checkout"))).toBeUndefined();
  });
});
