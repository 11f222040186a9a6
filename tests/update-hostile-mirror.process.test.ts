// `pgbake update` against hostile sources, each a real one on this machine: signed apt
// repositories served on 127.0.0.1 that repeat one package 40,000 times, hold a gzip bomb, a
// truncated or a non-gzip index, trickle a byte at a time, never answer, or list a PostgreSQL
// version of 5,000 digits; and a bare git repository with tags on a blob, on a tree, and with names
// no `source.tag` may hold. Each case: the exit code, the message (naming the URL), and the
// project (inputs and outputs) byte for byte as it was.
import { execFileSync } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSignedSuite } from "./helpers/apt-repo.js";
import { pgbake } from "./helpers/cli.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-hostile-mirror-");
const www = join(work.dir, "www");
const gnupg = join(work.dir, "gnupg");
const index = "main/binary-amd64/Packages.gz";
let server: Server;
let url = "";
const hanging = new Set<ServerResponse>();
/** The size the endless case's Release lists for its index. */
let endlessListed = 0;

/** One Packages paragraph of postgresql-17. */
const paragraph = (version: string): string => `Package: postgresql-17\nVersion: ${version}\nArchitecture: amd64\nMaintainer: t <t@example.invalid>\nDescription: test\n\n`;

/** A suite `trixie-pgdg` under www/<name>, its index as given. */
function suite(name: string, packagesGz: Buffer): void {
  buildSignedSuite(join(www, name), "trixie-pgdg", { [index]: packagesGz }, ["amd64"], gnupg, join(www, "key.asc"));
}

/** The project: one base reading PGDG from `mirror` (a case of the server), outputs generated. */
async function project(mirror: string, extra = ""): Promise<{ dir: string; run: (...args: string[]) => ReturnType<typeof pgbake>; snapshot: () => unknown }> {
  const dir = join(work.dir, `project-${mirror}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(join(dir, "extensions"), { recursive: true });
  cpSync(join(repoRoot, "tests/corpus/_base/extensions/pg_trgm.yaml"), join(dir, "extensions/pg_trgm.yaml"));
  writeFileSync(
    join(dir, "pgbake.yaml"),
    [
      "registry: localhost:5000/i21-hostile",
      "output: out",
      'postgres: [{ major: 17, version: "17.12" }]',
      "bases:",
      "  trixie:",
      "    image: localhost:5000/debian:trixie",
      "    codename: trixie",
      `    apt: { pgdg_mirror: "${url}/${mirror}", pgdg_key: "${url}/key.asc" }`,
      extra,
      "types: { minimal: { description: PostgreSQL only } }",
      "platforms: [linux/amd64]",
      "flavors: { base: { extensions: [pg_trgm] } }",
      "",
    ].join("\n"),
  );
  const run = (...args: string[]) => pgbake([...args, "--config", "pgbake.yaml", "--extensions", "extensions"], dir);
  const gen = await run("generate");
  expect(gen.exitCode, gen.stderr).toBe(0);
  return { dir, run, snapshot: () => snapshotTree(dir) };
}

beforeAll(async () => {
  mkdirSync(www, { recursive: true });
  // The current minor, as an honest mirror lists it; and one newer (for the transaction's recipe).
  suite("honest", gzipSync(paragraph("17.12-1.pgdg13+1")));
  suite("newer", gzipSync(paragraph("17.12-1.pgdg13+1") + paragraph("17.13-1.pgdg13+1")));
  // 40,000 paragraphs of the one package (each its own Debian revision of the current minor).
  suite("repeated", gzipSync(Array.from({ length: 40_000 }, (_, i) => paragraph(`17.12-${i}.pgdg13+1`)).join("")));
  // 300 MiB of newlines in 30 gzip members of 10 MiB each: 300 KiB served.
  const member = gzipSync(Buffer.alloc(10 << 20, 10), { level: 9 });
  suite("bomb", Buffer.concat(Array.from({ length: 30 }, () => member)));
  const whole = gzipSync(Array.from({ length: 2000 }, (_, i) => paragraph(`17.12-${i}`)).join(""));
  suite("truncated", whole.subarray(0, whole.length >> 1));
  suite("not-gzip", Buffer.from(paragraph("17.12-1.pgdg13+1")));
  suite("absurd", gzipSync(paragraph("17.12-1.pgdg13+1") + paragraph(`17.${"1".repeat(5000)}-1.pgdg13+1`)));
  suite("trickle", gzipSync(paragraph("17.12-1.pgdg13+1")));
  // Signed over a small index; the server sends an endless one, without a length.
  suite("endless", gzipSync(paragraph("17.12-1.pgdg13+1")));
  endlessListed = readFileSync(join(www, "endless/dists/trixie-pgdg", index)).length;

  server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    // Accepts the connection and never answers.
    if (path.startsWith("/silence/")) {
      hanging.add(res);
      return;
    }
    let file: Buffer;
    try {
      file = readFileSync(join(www, path.replace(/\.\.+/g, "")));
    } catch {
      res.writeHead(404).end();
      return;
    }
    if (path.startsWith("/endless/") && path.endsWith(".gz")) {
      hanging.add(res);
      res.writeHead(200);
      const chunk = Buffer.alloc(64 << 10, 1);
      const more = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", more);
      };
      more();
      return;
    }
    // The index one byte every 1.5 s, headers at once.
    if (path.startsWith("/trickle/") && path.endsWith(".gz")) {
      hanging.add(res);
      res.writeHead(200, { "content-length": file.length });
      let i = 0;
      const tick = setInterval(() => {
        if (i >= file.length || res.destroyed) {
          clearInterval(tick);
          res.end();
          return;
        }
        res.write(file.subarray(i, ++i));
      }, 1500);
      res.on("close", () => clearInterval(tick));
      return;
    }
    res.writeHead(200, { "content-length": file.length }).end(file);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}, 600_000);

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise((ok) => server?.close(ok));
  work.cleanup();
});

const pgdg = (mirror: string): string => `${url}/${mirror}/dists/trixie-pgdg`;

describe("an apt mirror that is hostile: one message naming the URL, exit 2, nothing written", () => {
  it.each([
    ["bomb", [], (m: string) => `pgbake: ${pgdg(m)}/${index}: is more than 256 MiB once decompressed (pgbake's limit for this index)`],
    ["truncated", [], (m: string) => `pgbake: ${pgdg(m)}/${index}: is not a whole gzip file (unexpected end of file)`],
    ["not-gzip", [], (m: string) => `pgbake: ${pgdg(m)}/${index}: is not a whole gzip file (incorrect header check)`],
    ["endless", [], (m: string) => `pgbake: ${pgdg(m)}/${index}: is more than the ${endlessListed} bytes the signed Release lists for it`],
    ["trickle", ["--timeout", "2"], (m: string) => `pgbake: ${pgdg(m)}/${index}: no complete answer within 2 s (--timeout)`],
    ["silence", ["--timeout", "2"], (m: string) => `pgbake: ${pgdg(m)}/InRelease: no complete answer within 2 s (--timeout)`],
    ["trickle", ["--timeout", "60", "--deadline", "3"], (m: string) => `pgbake: ${pgdg(m)}/${index}: the update's deadline of 3 s passed while reading it (--deadline)`],
  ])("%s (%j)", async (mirror, flags, message) => {
    const p = await project(mirror);
    const before = p.snapshot();
    const r = await p.run("update", "--only", "pg", ...flags);
    // Progress first (each URL as it is read), then the one message.
    const lines = r.stderr.split("\n");
    expect(lines.at(-1)).toBe(message(mirror));
    expect(
      lines.slice(0, -1).every((l) => /^pgbake: reading http:\/\/127\.0\.0\.1:\d+\/\S+$/.test(l)),
      r.stderr,
    ).toBe(true);
    expect(lines).toContain(`pgbake: reading ${pgdg(mirror)}/InRelease`);
    expect(r.exitCode).toBe(2);
    expect(p.snapshot()).toEqual(before);
  });

  it("40,000 paragraphs of one package: read at once, all pins current, nothing written", async () => {
    const p = await project("repeated");
    const before = p.snapshot();
    const r = await p.run("update", "--only", "pg");
    expect(r.stdout).toBe("all pins current (pg)");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(p.snapshot()).toEqual(before);
  });

  it("a PostgreSQL version of 5,000 digits: skipped with a note (the schema's length), the real one kept", async () => {
    const p = await project("absurd");
    const before = p.snapshot();
    const r = await p.run("update", "--only", "pg");
    expect(r.stdout).toBe(
      `note: ${url}/absurd trixie-pgdg: postgresql-17 version '17.1111111111111111111111111111111111111...' skipped: 5003 characters, more than the 32 the field allows\nall pins current (pg)`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(p.snapshot()).toEqual(before);
  });

  it("--base reads one base only: a silent mirror of another base is not waited for", async () => {
    const other = ["  bookworm:", "    image: localhost:5000/debian:bookworm", "    codename: bookworm", `    apt: { pgdg_mirror: "${url}/silence", pgdg_key: "${url}/key.asc" }`].join("\n");
    const p = await project("newer", other);
    const all = await p.run("update", "--check", "--only", "pg", "--timeout", "1");
    expect(all.stderr.split("\n").at(-1)).toBe(`pgbake: ${url}/silence/dists/bookworm-pgdg/InRelease: no complete answer within 1 s (--timeout)`);
    expect(all.exitCode).toBe(2);
    const one = await p.run("update", "--check", "--only", "pg", "--timeout", "1", "--base", "trixie");
    expect(one.stdout).toMatch(/^note: only base trixie was read \(--base\): the other bases were not checked\n1 stale pin\(s\)/);
    expect(one.stdout).toContain("| PostgreSQL 17 | pgbake.yaml | 17.12 | 17.13 |");
    expect(one.exitCode, one.stderr).toBe(1);
    const typo = await p.run("update", "--base", "trixy");
    expect(typo.stderr).toBe(
      "pgbake update: --base: no base 'trixy' in pgbake.yaml (did you mean 'trixie'?)\nusage: pgbake update [--check] [--dry-run] [--only pg,packages,sources,bases] [--base NAME] [--keyring FILE]... [--timeout S] [--deadline S] [--exclude-missing]",
    );
    expect(typo.exitCode).toBe(2);
  });
});

describe("update is one transaction with generate", () => {
  it("an output directory holding a file pgbake did not make: update fails, pgbake.yaml unchanged, --check still reports the stale pin", async () => {
    const p = await project("newer");
    // The user's own bake file where pgbake's was: update would have to replace it.
    writeFileSync(join(p.dir, "out/docker-bake.hcl"), "# mine\n");
    const before = p.snapshot();
    const r = await p.run("update", "--only", "pg");
    expect(
      r.stderr
        .split("\n")
        .filter((l) => !l.startsWith("pgbake: reading "))
        .join("\n"),
    ).toBe(
      `pgbake: ${p.dir}/out holds files pgbake did not make (not in .pgbake-manifest.json, or without pgbake's "Generated by pgbake" header); it never replaces or removes them:\n` +
        "  docker-bake.hcl\nMove them away, or pass --force to replace them.",
    );
    expect(r.exitCode).toBe(2);
    expect(p.snapshot()).toEqual(before);
    const check = await p.run("update", "--check", "--only", "pg");
    expect(check.stdout).toContain("| PostgreSQL 17 | pgbake.yaml | 17.12 | 17.13 |");
    expect(check.exitCode).toBe(1);
    // Once the file is moved away, the same update writes both.
    rmSync(join(p.dir, "out/docker-bake.hcl"));
    const ok = await p.run("update", "--only", "pg");
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(readFileSync(join(p.dir, "pgbake.yaml"), "utf8")).toContain('version: "17.13"');
    expect(readFileSync(join(p.dir, "out/docker-bake.hcl"), "utf8")).toContain("17.13");
    expect((await p.run("generate", "--check")).exitCode).toBe(0);
  });
});

describe("update never writes through a link", () => {
  it("pgbake.yaml a symbolic link: exit 2 naming it, the link, its target and the outputs as they were", async () => {
    const p = await project("newer");
    renameSync(join(p.dir, "pgbake.yaml"), join(p.dir, "real.yaml"));
    symlinkSync("real.yaml", join(p.dir, "pgbake.yaml"));
    const before = p.snapshot();
    const r = await p.run("update", "--only", "pg");
    expect(r.stderr.split("\n").at(-1)).toBe(`pgbake: ${p.dir}/pgbake.yaml is a symbolic link: pgbake update replaces files, never links (point --config or --extensions at the files themselves)`);
    expect(r.exitCode).toBe(2);
    expect(p.snapshot()).toEqual(before);
    expect(lstatSync(join(p.dir, "pgbake.yaml")).isSymbolicLink()).toBe(true);
  });
});

describe("a git remote with hostile tags", () => {
  // Inside the project: a local source.git outside the project and its catalogs is refused (entitlements).
  let remote = "";
  const clone = join(work.dir, "clone");
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid" };
  const git = (args: string[], cwd = clone): string => execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
  const commit = (n: string): string => {
    writeFileSync(join(clone, "VERSION"), `${n}\n`);
    git(["add", "VERSION"]);
    git(["commit", "-qm", n]);
    return git(["rev-parse", "HEAD"]);
  };

  it("tags on a blob and a tree, a quote, 200 characters: each skipped by name, the newest good tag's commit taken", async () => {
    const p = await project("honest");
    remote = join(p.dir, "fixture.git");
    execFileSync("git", ["init", "-q", "--bare", remote]);
    execFileSync("git", ["clone", "-q", remote, clone], { env });
    const first = commit("1.0.0");
    git(["tag", "v1.0.0"]);
    const good = commit("1.1.0");
    git(["tag", "v1.1.0"]);
    git(["tag", "v1.2.0", git(["hash-object", "-w", "VERSION"])]); // a blob
    git(["tag", "-a", "-m", "a tree", "v1.3.0", "HEAD^{tree}"]); // an annotated tag on a tree
    commit("1.4");
    git(["tag", 'v1.4"q']);
    git(["tag", `v1.5.${"a".repeat(200)}`]);
    git(["push", "-q", "origin", "HEAD:refs/heads/main", "--tags"]);

    writeFileSync(
      join(p.dir, "extensions/fixture.yaml"),
      [
        "name: fixture",
        "description: a source following v1 tags",
        "license: Apache-2.0",
        "homepage: https://example.invalid/fixture",
        "kind: source",
        "version: 1.0.0",
        "source:",
        `  git: ${remote}`,
        `  ref: ${first}`,
        "  tag: v1.0.0",
        '  track: "v1.*"',
        "  build: pgxs",
        "",
      ].join("\n"),
    );
    expect((await p.run("generate")).exitCode).toBe(0);
    const before = p.snapshot();
    const notes = [
      `note: ${remote}: tag 'v1.5.${"a".repeat(35)}...' of fixture skipped: 205 characters, more than the 128 the field allows`,
      `note: ${remote}: tag 'v1.4"q' of fixture skipped: not of the form the field allows (^[A-Za-z0-9][A-Za-z0-9._/+-]*$)`,
      `note: ${remote}: tag 'v1.3.0' of fixture skipped: it points to a tree, not a commit`,
      `note: ${remote}: tag 'v1.2.0' of fixture skipped: it points to a blob, not a commit`,
    ];
    const check = await p.run("update", "--check", "--only", "sources");
    expect(check.stdout.split("\n").slice(0, 4)).toEqual(notes);
    expect(check.stdout).toContain(`| fixture source | extensions/fixture.yaml | v1.0.0 ${first.slice(0, 12)} | v1.1.0 ${good.slice(0, 12)} |`);
    expect(check.exitCode, check.stderr).toBe(1);
    expect(p.snapshot()).toEqual(before);

    const r = await p.run("update", "--only", "sources");
    expect(r.exitCode, r.stderr).toBe(0);
    const text = readFileSync(join(p.dir, "extensions/fixture.yaml"), "utf8");
    expect(text).toContain(`  ref: ${good}\n  tag: v1.1.0\n`);
    expect(text).toContain("version: 1.1.0\n");
    expect((await p.run("generate", "--check")).exitCode).toBe(0);
  });
});
