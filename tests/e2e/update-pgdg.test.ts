// The PGDG code path, built for real offline: a PGDG-shaped apt repository (suite trixie-pgdg,
// Debian's own PostgreSQL 17 packages re-versioned the way PGDG versions them, Release signed with
// a key made here) served on 127.0.0.1 and set as the default config's trixie base's PGDG mirror,
// on the local trixie base image. `pgbake update` reads it, and the default config's
// `postgres_from: pgdg` runtime builds from it, starts and answers SELECT version().
//
// The base keeps Debian's own sources, which carry the same minor: the build must install PGDG's
// package, not Debian's. The repository's version (`<minor>-0~pgdg13+1`) sorts below Debian's
// `<minor>-0+deb13u1`, as a Debian revision ahead of PGDG's does (sid), so the highest version
// matching a plain `<minor>-*` pin would be Debian's: only the runtime's PGDG pin chooses this one.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { buildRepo, listDebs, reversion, serve } from "../helpers/apt-repo.js";
import { bakePrint } from "../helpers/buildx.js";
import { cliPath, pgbake } from "../helpers/cli.js";
import { docker } from "../helpers/e2e.js";
import { defaultConfig, defaultExtensions, repoRoot, tempDir } from "../helpers/workspace.js";

const work = tempDir("pgbake-update-pgdg-");
const config = join(work.dir, "pgbake.yaml");
const extensions = join(work.dir, "extensions");
const paths = ["--config", config, "--extensions", extensions];
// Never pushed: loaded into the engine under this test's own repository prefix.
const image = "localhost:5000/pgbake-pgdg/runtime:17-trixie";
const stalePin = "17.1";
let server: Server | undefined;
let mirror = "";
/** Debian's own version of the packages (the base's sources serve it too), e.g. 17.12-0+deb13u1. */
let debianVersion = "";
/** The PostgreSQL minor of those packages, e.g. 17.12. */
let minor = "";
/** The local PGDG repository's version of the same packages. */
let pgdgVersion = "";

/** `docker run -d` of the image's own entrypoint (initdb, then the server); resolves once it accepts connections. */
async function startServer(): Promise<string> {
  const id = (await docker(["run", "-d", image])).stdout.trim();
  for (let i = 0; i < 120; i++) {
    if ((await docker(["exec", id, "pg_isready", "-q", "-U", "postgres"], { reject: false })).exitCode === 0) return id;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  const logs = await docker(["logs", id], { reject: false });
  await docker(["rm", "-f", "-v", id], { reject: false });
  throw new Error(`the server in ${image} did not accept connections:\n${logs.stdout}\n${logs.stderr}`);
}

const debField = (deb: string, field: string): string => execFileSync("dpkg-deb", ["-f", deb, field], { encoding: "utf8" }).trim();

beforeAll(async () => {
  // Debian's trixie server and client packages, downloaded by apt inside the trixie base (the
  // machine's own mirror: the newest 17.x it has).
  const debs = join(work.dir, "debs");
  mkdirSync(debs);
  await docker([
    "run",
    "--rm",
    "-v",
    `${debs}:/out`,
    "-w",
    "/out",
    "localhost:5000/debian:trixie",
    "sh",
    "-c",
    "apt-get update -qq && apt-get download -qq postgresql-17 postgresql-client-17 2>/dev/null",
  ]);
  const downloaded = listDebs(debs);
  expect(downloaded.map((d) => debField(d, "Package")).sort()).toEqual(["postgresql-17", "postgresql-client-17"]);
  debianVersion = debField(downloaded[0]!, "Version");
  minor = debianVersion.replace(/-[^-]+$/, "");
  pgdgVersion = `${minor}-0~pgdg13+1`;
  const sortsBelow = (await execa("dpkg", ["--compare-versions", pgdgVersion, "lt", debianVersion], { reject: false })).exitCode === 0;
  expect(sortsBelow, `${pgdgVersion} < ${debianVersion}`).toBe(true);

  const repacked = join(work.dir, "repacked");
  mkdirSync(repacked);
  const root = join(work.dir, "www", "pgdg");
  buildRepo(
    root,
    "trixie-pgdg",
    downloaded.map((d) => reversion(d, pgdgVersion, repacked)),
    ["amd64"],
    join(work.dir, "gnupg"),
  );
  const served = await serve(join(work.dir, "www"));
  server = served.server;
  mirror = `${served.url}/pgdg`;

  // The default config, narrowed to its trixie base (on the local base image, with the local
  // mirror and its key), one major with a stale minor, and one platform; nothing pushed.
  cpSync(defaultExtensions, extensions, { recursive: true });
  const doc = parseDocument(readFileSync(defaultConfig, "utf8"));
  expect(doc.getIn(["bases", "trixie", "postgres_from"])).toBe("pgdg");
  doc.set("registry", "localhost:5000/pgbake-pgdg");
  doc.set("output", "out");
  doc.set("postgres", doc.createNode([{ major: 17, version: stalePin }]));
  doc.set("platforms", doc.createNode(["linux/amd64"]));
  doc.set("build", doc.createNode({ attest: false, cache: false }));
  for (const base of Object.keys(doc.toJS().bases as object)) if (base !== "trixie") doc.deleteIn(["bases", base]);
  doc.setIn(["bases", "trixie", "image"], "localhost:5000/debian:trixie");
  doc.setIn(["bases", "trixie", "apt"], doc.createNode({ pgdg_mirror: mirror, pgdg_key: `${mirror}/key.asc` }));
  writeFileSync(config, doc.toString());
}, 600_000);
afterAll(async () => {
  await new Promise((ok) => (server ? server.close(() => ok(undefined)) : ok(undefined)));
  await docker(["rmi", "-f", image], { reject: false });
  work.cleanup();
});

describe("the PGDG path against a local PGDG-shaped repository", () => {
  it("update --check reads the mirror's signed index and names the stale minor", async () => {
    const r = await pgbake(["update", "--check", "--only", "pg", ...paths]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toContain(`| PostgreSQL 17 | `);
    expect(r.stdout).toMatch(new RegExp(`\\| ${stalePin.replace(".", "\\.")} \\| ${minor.replace(".", "\\.")} \\|`));
  });

  it("a Release signed by another key is refused, and an unreachable key is named, exit 2", async () => {
    // Another key, served beside the repository: the signature does not verify against it.
    const gnupg = join(work.dir, "other-gnupg");
    mkdirSync(gnupg, { mode: 0o700 });
    const gpg = ["--batch", "--homedir", gnupg, "--pinentry-mode", "loopback", "--passphrase", ""];
    await execa("gpg", [...gpg, "--quick-gen-key", "someone else <other@example.invalid>", "ed25519", "sign", "never"]);
    writeFileSync(join(work.dir, "www/pgdg/other.asc"), (await execa("gpg", [...gpg, "--armor", "--export"])).stdout);
    const text = readFileSync(config, "utf8");
    try {
      writeFileSync(config, text.replace(`pgdg_key: ${mirror}/key.asc`, `pgdg_key: ${mirror}/other.asc`));
      const wrong = await pgbake(["update", "--check", "--only", "pg", ...paths]);
      expect(wrong.exitCode).toBe(2);
      expect(wrong.stderr).toContain(`${mirror}/dists/trixie-pgdg/InRelease: signature not verified`);
      writeFileSync(config, text.replace(`pgdg_key: ${mirror}/key.asc`, `pgdg_key: ${mirror}/no-such-key.asc`));
      const missing = await pgbake(["update", "--check", "--only", "pg", ...paths]);
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toContain(`${mirror}/no-such-key.asc: HTTP 404`);
    } finally {
      writeFileSync(config, text);
    }
  });

  it("update moves the pin to the mirror's minor and regenerates the default config's runtime", async () => {
    const r = await pgbake(["update", "--only", "pg", ...paths]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(parseDocument(readFileSync(config, "utf8")).getIn(["postgres", 0, "version"])).toBe(minor);
    // The runtime Dockerfile is the one the built-in default config commits.
    expect(readFileSync(join(work.dir, "out/dockerfiles/runtime-pgdg.Dockerfile"), "utf8")).toBe(readFileSync(join(repoRoot, "dockerfiles/runtime-pgdg.Dockerfile"), "utf8"));
    const hcl = readFileSync(join(work.dir, "out/docker-bake.hcl"), "utf8");
    expect(hcl).toContain(`PGDG_MIRROR = "${mirror}"`);
    // buildx resolves the runtime with the mirror's minor, from the mirror, in the host's network (the mirror is on loopback).
    const runtime = (await bakePrint(join(work.dir, "out"), ["runtime-17-trixie"])).target["runtime-17-trixie"]!;
    expect(runtime.args).toMatchObject({ PG_VERSION: minor, PGDG_MIRROR: mirror, PGDG_KEYRING_URL: `${mirror}/key.asc` });
    expect(runtime.network).toBe("host");
  });

  it("the runtime builds from the mirror, installs PGDG's build over Debian's, starts and answers SELECT version()", async () => {
    const r = await execa("node", [cliPath, "bake", ...paths, "--set", `runtime-17-trixie.output=type=docker,name=${image}`, "runtime-17-trixie"], {
      reject: false,
      all: true,
      env: { BUILDKIT_PROGRESS: "plain" },
    });
    expect(r.exitCode, (r.all ?? "").slice(-4000)).toBe(0);
    const id = await startServer();
    try {
      const v = await docker(["exec", id, "psql", "-U", "postgres", "-X", "-At", "-c", "SELECT version()"]);
      expect(v.stdout).toMatch(new RegExp(`^PostgreSQL ${minor.replace(".", "\\.")} `));
      // Which repository served them: only the local PGDG mirror has this version.
      const installed = await docker(["exec", id, "dpkg-query", "-W", "-f", "${Package} ${Version}\\n", "postgresql-17", "postgresql-client-17"]);
      expect(installed.stdout.trim().split("\n").sort()).toEqual([`postgresql-17 ${pgdgVersion}`, `postgresql-client-17 ${pgdgVersion}`]);
      const sources = await docker(["exec", id, "cat", "/etc/apt/sources.list.d/pgdg.list"]);
      expect(sources.stdout).toContain(`${mirror} trixie-pgdg main`);
    } finally {
      await docker(["rm", "-f", "-v", id], { reject: false });
    }
  });
});
