// Reads apt repositories the way apt does: the suite's InRelease (or Release + Release.gpg),
// verified with gpgv against named keyrings, then each component's Packages index, checked
// against the SHA256 the signed Release lists. Plain node fetch over http(s); no apt state.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { UpdateError } from "./errors.js";
import { defaultBudget, getFile, mib, type NetworkBudget } from "./http.js";
import { runSync } from "../model/process.js";

/** What one source may send: a Release, an index as served, an index decompressed. */
export const LIMITS = { release: 16 << 20, compressed: 64 << 20, decompressed: 256 << 20 };

export interface AptRepository {
  /** Repository root, e.g. https://apt.postgresql.org/pub/repos/apt */
  uri: string;
  suite: string;
  components: string[];
  /** Keyring files (binary or ASCII-armored) whose keys may sign this suite's Release. */
  keyrings: string[];
  /** A suite that may be absent (e.g. sid has no sid-updates): a 404 skips it, silence never. */
  optional?: boolean;
}

/** Debian's name of a platform's architecture. */
export function debianArch(platform: string): string {
  const arch = platform.replace(/^linux\//, "");
  const names: Record<string, string> = { "arm/v7": "armhf", "arm/v6": "armel", "386": "i386", ppc64le: "ppc64el" };
  return names[arch] ?? arch;
}

const trimSlash = (uri: string): string => uri.replace(/\/+$/, "");

/** Fields of one deb822 paragraph (continuation lines joined with "\n"). */
function parseParagraph(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let key = "";
  for (const line of text.split("\n")) {
    if (/^[ \t]/.test(line) && key) fields.set(key, `${fields.get(key)}\n${line.trim()}`);
    else {
      const m = /^([^:\s]+):\s*(.*)$/.exec(line);
      if (m) {
        key = m[1]!;
        fields.set(key, m[2]!);
      }
    }
  }
  return fields;
}

/** A gpgv-readable keyring: armored keys are dearmored into `dir`. */
function keyringFile(file: string, dir: string, n: number): string {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    throw new UpdateError(file, "keyring not readable");
  }
  if (!data.subarray(0, 40).toString("latin1").includes("-----BEGIN PGP")) return file;
  const out = join(dir, `key${n}.gpg`);
  const r = runSync("gpg", ["--batch", "--yes", "--dearmor", "--output", out, file]);
  if (r.exitCode !== 0) throw new UpdateError(file, `not a key gpg can read (${r.stderr.trim().split("\n").at(-1)})`);
  return out;
}

/** The signed text of a Release, or an UpdateError naming the URL. */
function verified(url: string, keyrings: string[], signed: Buffer, detached?: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "pgbake-gpgv-"));
  try {
    const rings = keyrings.filter(existsSync);
    if (rings.length === 0) throw new UpdateError(url, `no keyring to verify it with (looked for ${keyrings.join(", ") || "none"})`);
    const args = rings.flatMap((k, i) => ["--keyring", keyringFile(k, dir, i)]);
    const data = join(dir, "data");
    writeFileSync(data, signed);
    if (detached) writeFileSync(join(dir, "sig"), detached);
    const r = runSync("gpgv", detached ? [...args, join(dir, "sig"), data] : [...args, "--output", join(dir, "out"), data]);
    if (r.exitCode !== 0) throw new UpdateError(url, `signature not verified against ${rings.join(", ")} (${r.stderr.trim().split("\n").slice(-2).join("; ")})`);
    return detached ? signed.toString("utf8") : readFileSync(join(dir, "out"), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ReleaseInfo {
  url: string;
  architectures: string[];
  components: string[];
  /** path -> [sha256, size] */
  files: Map<string, { sha256: string; size: number }>;
  noArchAllIndex: boolean;
  /** The Release's `Suite` (stable, oldstable, unstable, bookworm-pgdg): whether it still takes new packages. */
  suiteClass?: string;
  /** The Release's Date (when the suite last changed), as it says it. */
  date?: string;
}

/** Per (repository, suite) the verified Release; per index URL the package versions. */
export class AptIndexReader {
  private releases = new Map<string, Promise<ReleaseInfo | undefined>>();
  private indexes = new Map<string, Promise<Map<string, string[]>>>();

  constructor(private readonly budget: NetworkBudget = defaultBudget()) {}

  private get(url: string, maxBytes: number, limitOf?: string): Promise<Buffer | undefined> {
    return getFile(url, this.budget, maxBytes, limitOf);
  }

  release(repo: AptRepository): Promise<ReleaseInfo | undefined> {
    const base = `${trimSlash(repo.uri)}/dists/${repo.suite}`;
    let p = this.releases.get(base);
    if (!p) {
      p = this.readRelease(base, repo);
      this.releases.set(base, p);
    }
    return p;
  }

  private async readRelease(base: string, repo: AptRepository): Promise<ReleaseInfo | undefined> {
    let text: string;
    const inRelease = await this.get(`${base}/InRelease`, LIMITS.release);
    if (inRelease) text = verified(`${base}/InRelease`, repo.keyrings, inRelease);
    else {
      const release = await this.get(`${base}/Release`, LIMITS.release);
      if (!release) {
        if (repo.optional) return undefined;
        throw new UpdateError(`${base}/InRelease`, "not found (nor Release): is the suite right?");
      }
      const sig = await this.get(`${base}/Release.gpg`, LIMITS.release);
      if (!sig) throw new UpdateError(`${base}/Release.gpg`, "not found: the Release is unsigned");
      text = verified(`${base}/Release`, repo.keyrings, release, sig);
    }
    const fields = parseParagraph(text.replace(/\r/g, ""));
    const files = new Map<string, { sha256: string; size: number }>();
    for (const line of (fields.get("SHA256") ?? "").split("\n")) {
      const m = /^([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line.trim());
      if (m) files.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
    }
    if (files.size === 0) throw new UpdateError(`${base}/Release`, "lists no SHA256 index files");
    return {
      url: base,
      architectures: (fields.get("Architectures") ?? "").split(/\s+/).filter(Boolean),
      components: (fields.get("Components") ?? "").split(/\s+/).filter(Boolean),
      files,
      noArchAllIndex: /\bPackages\b/.test(fields.get("No-Support-for-Architecture-all") ?? ""),
      suiteClass: fields.get("Suite"),
      date: fields.get("Date"),
    };
  }

  /**
   * Package name -> every version the suite lists for `arch` (architecture `all` included).
   * Undefined when an optional suite does not exist.
   */
  async versions(repo: AptRepository, arch: string): Promise<Map<string, string[]> | undefined> {
    const rel = await this.release(repo);
    if (!rel) return undefined;
    const merged = new Map<string, string[]>();
    for (const component of repo.components) {
      // Components are checked by the files the Release lists (Debian's security suite names
      // its components `updates/main` but lists the files under `main/`).
      if (![...rel.files.keys()].some((f) => f.startsWith(`${component}/`))) throw new UpdateError(`${rel.url}/Release`, `has no component '${component}' (it has ${rel.components.join(", ")})`);
      const dirs = [`${component}/binary-${arch}`];
      // As apt: binary-all only when the Release names architecture `all` and does not say its
      // packages are in the per-architecture indexes already.
      if (!rel.noArchAllIndex && rel.architectures.includes("all") && arch !== "all") dirs.push(`${component}/binary-all`);
      for (const dir of dirs)
        for (const [name, vs] of await this.index(rel, dir)) {
          const list = merged.get(name);
          if (list) for (const v of vs) list.push(v);
          else merged.set(name, [...vs]);
        }
    }
    return merged;
  }

  private index(rel: ReleaseInfo, dir: string): Promise<Map<string, string[]>> {
    const key = `${rel.url}/${dir}`;
    let p = this.indexes.get(key);
    if (!p) {
      p = this.readIndex(rel, dir);
      this.indexes.set(key, p);
    }
    return p;
  }

  private async readIndex(rel: ReleaseInfo, dir: string): Promise<Map<string, string[]>> {
    // A Release may list an uncompressed index that the mirror does not serve (apt never fetches
    // it): compressed first, .gz with node's zlib, .xz with xz(1) (Debian's essential xz-utils).
    const candidates = [`${dir}/Packages.gz`, `${dir}/Packages.xz`, `${dir}/Packages`].filter((f) => rel.files.has(f));
    if (candidates.length === 0) throw new UpdateError(`${rel.url}/Release`, `lists no ${dir}/Packages (architectures: ${rel.architectures.join(", ")})`);
    const path = candidates[0]!;
    const url = `${rel.url}/${path}`;
    const want = rel.files.get(path)!;
    // The signed Release says how large the file is: a body beyond that is not the file.
    const plain = path === `${dir}/Packages`;
    const limit = Math.min(want.size, plain ? LIMITS.decompressed : LIMITS.compressed);
    if (want.size > limit) throw new UpdateError(url, `is ${mib(want.size)} by the signed Release, more than the ${mib(limit)} pgbake reads from one index`);
    const body = await this.get(url, limit, limit === want.size ? "the signed Release lists for it" : undefined);
    if (!body) throw new UpdateError(url, "not found, though the Release lists it");
    const got = createHash("sha256").update(body).digest("hex");
    if (got !== want.sha256) throw new UpdateError(url, `SHA256 ${got} differs from the signed Release's ${want.sha256}`);
    // Decompressed, an index is no larger than the Release says its uncompressed form is (when it lists one).
    const listed = rel.files.get(`${dir}/Packages`)?.size;
    const text = decompress(url, body, Math.min(listed ?? LIMITS.decompressed, LIMITS.decompressed)).toString("utf8");
    return parsePackages(text);
  }
}

/** The index decompressed, at most `limit` bytes: a bomb, a truncated or a mislabelled file is one message naming the URL. */
export function decompress(url: string, body: Buffer, limit = LIMITS.decompressed): Buffer {
  const tooLarge = (): UpdateError => new UpdateError(url, `is more than ${mib(limit)} once decompressed (pgbake's limit for this index)`);
  if (url.endsWith(".gz")) {
    try {
      return gunzipSync(body, { maxOutputLength: limit });
    } catch (err) {
      if ((err as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge();
      throw new UpdateError(url, `is not a whole gzip file (${(err as Error).message})`);
    }
  }
  if (!url.endsWith(".xz")) return body;
  const r = runSync("xz", ["--decompress", "--stdout"], { input: body, maxBuffer: limit });
  if (r.overflowed) throw tooLarge();
  if (r.exitCode !== 0) throw new UpdateError(url, `is not a whole xz file (${r.stderr.trim().split("\n").at(-1) || `exit ${r.exitCode}`})`);
  return r.stdoutBytes;
}

/** Package -> versions from a Packages index (only the two fields pgbake needs); linear in its size. */
export function parsePackages(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let name: string | undefined;
  let version: string | undefined;
  const flush = (): void => {
    if (name && version) {
      const list = out.get(name);
      if (list) list.push(version);
      else out.set(name, [version]);
    }
    name = version = undefined;
  };
  for (const line of text.split("\n")) {
    if (line === "" || line === "\r") flush();
    else if (line.startsWith("Package: ")) name = line.slice(9).trim();
    else if (line.startsWith("Version: ")) version = line.slice(9).trim();
  }
  flush();
  return out;
}
