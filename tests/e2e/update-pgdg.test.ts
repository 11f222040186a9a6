// The PGDG code path, built for real offline: a PGDG-shaped apt repository (suite trixie-pgdg,
// Debian's own PostgreSQL 17 packages re-versioned the way PGDG versions them, Release signed with
// a key made here) served on 127.0.0.1 and set as the base's PGDG mirror. `pgbake update` reads
// it, and the default config's `postgres_from: pgdg` runtime builds from it, starts and answers.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { buildRepo, listDebs, reversion, serve } from "../helpers/apt-repo.js";
import { cliPath, pgbake } from "../helpers/cli.js";
import { docker } from "../helpers/e2e.js";
import { PgContainer } from "../helpers/postgres.js";
import { defaultConfig, defaultExtensions, repoRoot, tempDir } from "../helpers/workspace.js";

const work = tempDir("pgbake-update-pgdg-");
const config = join(work.dir, "pgbake.yaml");
const extensions = join(work.dir, "extensions");
const paths = ["--config", config, "--extensions", extensions];
const pgdgVersion = "17.12-1.pgdg13+1";
const image = "pgbake-update-pgdg/runtime:17";
let server: Server | undefined;
let mirror = "";

beforeAll(async () => {
  // Debian's trixie packages, fetched by apt inside the trixie base (the machine's own mirror).
  const debs = join(work.dir, "debs");
  mkdirSync(debs);
  await docker(["run", "--rm", "-v", `${debs}:/out`, "localhost:5000/debian:trixie", "sh", "-c", "apt-get update -qq && cd /out && apt-get download -q postgresql-17 postgresql-client-17 2>/dev/null"]);
  const repacked = join(work.dir, "repacked");
  mkdirSync(repacked);
  const pgdgDebs = listDebs(debs).map((d) => reversion(d, pgdgVersion, repacked));
  const root = join(work.dir, "www", "pgdg");
  buildRepo(root, "trixie-pgdg", pgdgDebs, ["amd64"]);
  const served = await serve(join(work.dir, "www"));
  server = served.server;
  mirror = `${served.url}/pgdg`;

  // The default config, narrowed to one base and major, with the local mirror and its key.
  cpSync(defaultExtensions, extensions, { recursive: true });
  const doc = parseDocument(readFileSync(defaultConfig, "utf8"));
  doc.set("registry", "localhost:5000/pgbake-update-pgdg");
  doc.set("output", "out");
  doc.set("postgres", doc.createNode([{ major: 17, version: "17.10" }]));
  doc.set("platforms", doc.createNode(["linux/amd64"]));
  doc.set("build", doc.createNode({ attest: false, cache: false }));
  doc.set(
    "bases",
    doc.createNode({
      trixie: { image: "localhost:5000/debian:trixie", codename: "trixie", postgres_from: "pgdg", apt: { pgdg_mirror: mirror, pgdg_key: `${mirror}/key.asc` } },
    }),
  );
  writeFileSync(config, doc.toString());
}, 1_800_000);
afterAll(async () => {
  await new Promise((ok) => (server ? server.close(() => ok(undefined)) : ok(undefined)));
  await docker(["rmi", "-f", image], { reject: false });
  work.cleanup();
});

describe("the PGDG path against a local PGDG-shaped repository", () => {
  it("update --check reads the mirror's signed index and names the stale minor", async () => {
    const r = await pgbake(["update", "--check", "--only", "pg", ...paths]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/\| PostgreSQL 17 \| .* \| 17\.10 \| 17\.12 \|/);
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

  it("update moves the pin and regenerates the default config's runtime Dockerfile", async () => {
    const r = await pgbake(["update", "--only", "pg", ...paths]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(parseDocument(readFileSync(config, "utf8")).getIn(["postgres", 0, "version"])).toBe("17.12");
    // The runtime Dockerfile is the one the built-in default config commits.
    expect(readFileSync(join(work.dir, "out/dockerfiles/runtime-pgdg.Dockerfile"), "utf8")).toBe(readFileSync(join(repoRoot, "dockerfiles/runtime-pgdg.Dockerfile"), "utf8"));
    const hcl = readFileSync(join(work.dir, "out/docker-bake.hcl"), "utf8");
    expect(hcl).toContain(`PGDG_MIRROR = "${mirror}"`);
    expect(hcl).toContain('network = "host"');
  });

  it("the runtime builds from the mirror (host network), starts and answers SELECT version()", async () => {
    const r = await execa("node", [cliPath, "bake", ...paths, "--set", `runtime-17-trixie.output=type=docker,name=${image}`, "runtime-17-trixie"], {
      reject: false,
      all: true,
      env: { BUILDKIT_PROGRESS: "plain" },
    });
    expect(r.exitCode, (r.all ?? "").slice(-4000)).toBe(0);
    const pg = await PgContainer.start(image);
    try {
      const v = await pg.sql("SELECT version()");
      expect(v.stdout).toMatch(/^PostgreSQL 17\.12 /);
      // Installed from the PGDG mirror: PGDG's version, not Debian's 17.12-0+deb13u1.
      const pkg = await pg.exec(["dpkg-query", "-W", "-f", "${Version}", "postgresql-17"]);
      expect(pkg.stdout).toBe(pgdgVersion);
      const sources = await pg.exec(["cat", "/etc/apt/sources.list.d/pgdg.list"]);
      expect(sources.stdout).toContain(`${mirror} trixie-pgdg main`);
    } finally {
      await pg.remove();
    }
  });
});
