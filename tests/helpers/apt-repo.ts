// A real, signed apt repository on 127.0.0.1: .deb files laid out in a pool, indexed with
// apt-ftparchive, its Release signed (InRelease and Release.gpg) with a key made for the test,
// and served over http by a small static server on a free port.
import { execFileSync } from "node:child_process";
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join, normalize, resolve } from "node:path";
import { gzipSync } from "node:zlib";

/**
 * A copy of a .deb with another Version (a repository of our own with versions of its own), in
 * `outDir`. Repacked uncompressed: xz would take most of a minute per server package.
 */
export function reversion(deb: string, version: string, outDir: string): string {
  const tree = mkdtempSync(join(outDir, ".tree-"));
  try {
    execFileSync("dpkg-deb", ["-R", deb, tree]);
    const control = join(tree, "DEBIAN/control");
    const text = readFileSync(control, "utf8").replace(/^Version: .*$/m, `Version: ${version}`);
    writeFileSync(control, text);
    const pkg = /^Package: (.*)$/m.exec(text)![1]!;
    const arch = /^Architecture: (.*)$/m.exec(text)![1]!;
    const out = join(outDir, `${pkg}_${version}_${arch}.deb`);
    execFileSync("dpkg-deb", ["--build", "-Znone", tree, out], { stdio: "pipe" });
    return out;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/**
 * Builds `<root>/dists/<suite>/main/binary-<arch>/Packages(.gz)` and a Release signed with the key
 * in `gnupg` (made there on first use; keep it outside what is served), its public half at `<root>/key.asc`.
 * `releaseSuite` is the Release's `Suite` (`oldstable`, `unstable`; default the suite's name).
 */
export function buildRepo(root: string, suite: string, debs: string[], arches: string[], gnupg: string, releaseSuite = suite): { keyFile: string } {
  const pool = join(root, "pool/main");
  mkdirSync(pool, { recursive: true });
  for (const d of debs) copyFileSync(d, join(pool, d.split("/").pop()!));
  for (const arch of arches) {
    const dir = join(root, "dists", suite, "main", `binary-${arch}`);
    mkdirSync(dir, { recursive: true });
    const packages = execFileSync("apt-ftparchive", ["--arch", arch, "packages", "pool"], { cwd: root });
    writeFileSync(join(dir, "Packages"), packages);
    writeFileSync(join(dir, "Packages.gz"), gzipSync(packages));
  }
  const opt = (k: string, v: string): string[] => ["-o", `APT::FTPArchive::Release::${k}=${v}`];
  const release = execFileSync(
    "apt-ftparchive",
    [...opt("Origin", "pgbake-test"), ...opt("Suite", releaseSuite), ...opt("Codename", suite), ...opt("Architectures", arches.join(" ")), ...opt("Components", "main"), "release", `dists/${suite}`],
    { cwd: root },
  );
  const dists = join(root, "dists", suite);
  writeFileSync(join(dists, "Release"), release);
  mkdirSync(gnupg, { recursive: true, mode: 0o700 });
  const gpg = (args: string[]): Buffer => execFileSync("gpg", ["--batch", "--homedir", gnupg, "--pinentry-mode", "loopback", "--passphrase", "", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  if (!existsSync(join(gnupg, "pubring.kbx"))) gpg(["--quick-gen-key", "pgbake test repository <test@example.invalid>", "ed25519", "sign", "never"]);
  gpg(["--yes", "--clearsign", "--output", join(dists, "InRelease"), join(dists, "Release")]);
  gpg(["--yes", "--armor", "--detach-sign", "--output", join(dists, "Release.gpg"), join(dists, "Release")]);
  const keyFile = join(root, "key.asc");
  writeFileSync(keyFile, gpg(["--armor", "--export"]));
  return { keyFile };
}

/** A tiny library package `name` at `version` in `outDir`: one .so file whose content names the version. */
export function libraryDeb(outDir: string, name: string, version: string): string {
  const tree = join(outDir, `tree-${name}-${version}`);
  mkdirSync(join(tree, "DEBIAN"), { recursive: true });
  mkdirSync(join(tree, "usr/lib/x86_64-linux-gnu"), { recursive: true });
  writeFileSync(join(tree, `usr/lib/x86_64-linux-gnu/${name.replace(/\d+$/, "")}.so.1`), `${name} ${version}: a pgbake test library\n`);
  writeFileSync(join(tree, "DEBIAN/control"), `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: pgbake <test@example.invalid>\nDescription: pgbake test library\n`);
  const out = join(outDir, `${name}_${version}_amd64.deb`);
  execFileSync("dpkg-deb", ["--build", "--root-owner-group", "-Znone", tree, out], { stdio: "pipe" });
  return out;
}

/**
 * Serves `root` read-only on `host` (default 127.0.0.1; the docker bridge's gateway is reached by
 * build containers without the host's network) on a free port.
 */
export async function serve(root: string, host = "127.0.0.1"): Promise<{ url: string; server: Server }> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = normalize(join(base, decodeURIComponent((req.url ?? "/").split("?")[0]!)));
    if (!path.startsWith(base) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-length": statSync(path).size });
    if (req.method === "HEAD") res.end();
    else createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, host, ok));
  const port = (server.address() as { port: number }).port;
  return { url: `http://${host}:${port}`, server };
}

export const listDebs = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".deb"))
    .map((f) => join(dir, f));

/**
 * A signed suite whose index files are given as bytes (whatever a hostile mirror would publish):
 * `files` maps a path under `dists/<suite>/` (e.g. `main/binary-amd64/Packages.gz`) to its
 * content. The Release lists and signs exactly those files; the key is made in `gnupg` on first
 * use and its public half written to `keyFile`.
 */
export function buildSignedSuite(root: string, suite: string, files: Record<string, Buffer | string>, arches: string[], gnupg: string, keyFile: string): void {
  const dists = join(root, "dists", suite);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dists, path, ".."), { recursive: true });
    writeFileSync(join(dists, path), content);
  }
  const opt = (k: string, v: string): string[] => ["-o", `APT::FTPArchive::Release::${k}=${v}`];
  const release = execFileSync(
    "apt-ftparchive",
    [...opt("Origin", "pgbake-test"), ...opt("Suite", suite), ...opt("Codename", suite), ...opt("Architectures", arches.join(" ")), ...opt("Components", "main"), "release", `dists/${suite}`],
    { cwd: root },
  );
  writeFileSync(join(dists, "Release"), release);
  mkdirSync(gnupg, { recursive: true, mode: 0o700 });
  const gpg = (args: string[]): Buffer => execFileSync("gpg", ["--batch", "--homedir", gnupg, "--pinentry-mode", "loopback", "--passphrase", "", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  if (!existsSync(join(gnupg, "pubring.kbx"))) gpg(["--quick-gen-key", "pgbake test repository <test@example.invalid>", "ed25519", "sign", "never"]);
  gpg(["--yes", "--clearsign", "--output", join(dists, "InRelease"), join(dists, "Release")]);
  writeFileSync(keyFile, gpg(["--armor", "--export"]));
}
