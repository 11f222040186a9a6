// Shared libraries, checked inside the server's container (so with the mounts and LD_LIBRARY_PATH
// CloudNativePG gives the pod):
// - every ELF file of an extension image (or of an operand image's own directories) resolves
//   all its libraries with `ldd`: an extension image sees only itself and what it requires;
// - images mounted together ship no library of the same name with different content, since the
//   dynamic linker takes the first one on LD_LIBRARY_PATH for every image that needs that name.
import { CheckFailure, expect, Recorder, type CheckResult, type SubjectResult } from "./results.js";
import type { PgServer } from "./server.js";
import { shellWord } from "../model/shell.js";

/** One ELF file's library that `ldd` did not find (a soname, or a symbol version it lacks). */
export interface MissingLibrary {
  file: string;
  soname: string;
}

const fileMarker = "==> ";

/**
 * What ELF files lack, from `ldd` output with each file's part headed `==> FILE` (as
 * elfScript prints it): `libfoo.so.1 => not found`, and `version 'V' not found` lines.
 */
export function parseLddOutput(output: string): MissingLibrary[] {
  const out: MissingLibrary[] = [];
  let file = "";
  for (const line of output.split("\n")) {
    if (line.startsWith(fileMarker)) {
      file = line.slice(fileMarker.length).trim();
      continue;
    }
    const missing = /^\s*(\S+) => not found\s*$/.exec(line);
    if (missing) {
      out.push({ file, soname: missing[1]! });
      continue;
    }
    // e.g. "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.42' not found (required by /x/lib/a.so)"
    const version = /^\s*\S*?([^/\s]+): version [`']([^'`]+)' not found/.exec(line);
    if (version) out.push({ file, soname: `${version[1]} (version ${version[2]})` });
  }
  return out;
}

/** Missing libraries, one line per file: `FILE: needs A, B`. */
export function describeMissing(missing: MissingLibrary[], shown = 10): string {
  const byFile = new Map<string, string[]>();
  for (const m of missing) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m.soname]);
  const lines = [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, s]) => `${f} needs ${[...new Set(s)].join(", ")}, not found`);
  const more = lines.length > shown ? `; and ${lines.length - shown} more files` : "";
  return lines.slice(0, shown).join("; ") + more;
}

/**
 * A shell script that runs `ldd` on every ELF file under the directories (the first four bytes
 * tell an ELF file; `ldd` itself is too slow to try on every file), each headed `==> FILE`.
 */
export function elfScript(dirs: string[]): string {
  return [
    `for d in ${dirs.map(shellWord).join(" ")}; do [ -d "$d" ] && find "$d" -type f \\( -name '*.so' -o -name '*.so.*' -o -perm -u+x \\); done |`,
    `while IFS= read -r f; do`,
    `  [ "$(head -c 4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \\n')" = 7f454c46 ] || continue`,
    `  echo "${fileMarker}$f"; ldd "$f" 2>&1`,
    `done`,
  ].join("\n");
}

/** Every ELF file under `dirs` resolves all of its libraries in the server's container. */
export async function librariesCheck(rec: Recorder, pg: PgServer, name: string, dirs: string[], env: Record<string, string>): Promise<void> {
  await rec.check(
    name,
    async () => {
      const r = await pg.exec(["sh", "-c", elfScript(dirs)]);
      if (r.exitCode !== 0 && r.stdout.trim() === "") throw new CheckFailure(`ldd could not be run: ${r.stderr.trim()}`);
      const files = r.stdout.split("\n").filter((l) => l.startsWith(fileMarker)).length;
      const missing = parseLddOutput(r.stdout);
      const ld = env.LD_LIBRARY_PATH ? ` (LD_LIBRARY_PATH=${env.LD_LIBRARY_PATH})` : "";
      expect(missing.length === 0, `${describeMissing(missing)}${ld}`);
      return `${files} ELF files resolve`;
    },
    "libraries",
  );
}

/** A library file of a mounted image: its directory in the image (lib or system), name and content hash. */
export interface LibraryFile {
  image: string;
  /** The mount's name (the extension). */
  mount: string;
  dir: string;
  name: string;
  sha256: string;
}

export interface LibraryClash {
  /** `dir/name`, e.g. `system/libfoo.so.1`. */
  path: string;
  files: LibraryFile[];
}

const isLibrary = (name: string): boolean => /\.so(\.|$)/.test(name);

/** Libraries of the same directory and name, in two images or more, with different content. */
export function findClashes(files: LibraryFile[]): LibraryClash[] {
  const byPath = new Map<string, LibraryFile[]>();
  for (const f of files) {
    if (!isLibrary(f.name)) continue;
    const key = `${f.dir}/${f.name}`;
    byPath.set(key, [...(byPath.get(key) ?? []), f]);
  }
  const out: LibraryClash[] = [];
  for (const [path, group] of [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const images = new Set(group.map((f) => f.image));
    const contents = new Set(group.map((f) => f.sha256));
    if (images.size > 1 && contents.size > 1) out.push({ path, files: group });
  }
  return out;
}

export function describeClash(c: LibraryClash): string {
  return `${c.path} differs between ${c.files.map((f) => `${f.mount} (${f.image}, sha256 ${f.sha256.slice(0, 12)})`).join(" and ")}`;
}

/** `sha256sum` lines of `/extensions/<mount>/<dir>/<name>` files, as library files of the mounts' images. */
export function parseHashes(output: string, baseDir: string, images: Map<string, string>): LibraryFile[] {
  const out: LibraryFile[] = [];
  for (const line of output.split("\n")) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (!m) continue;
    const rest = m[2]!.startsWith(`${baseDir}/`) ? m[2]!.slice(baseDir.length + 1).split("/") : [];
    if (rest.length < 3) continue;
    const [mount, dir, ...name] = rest;
    const image = images.get(mount!);
    if (image === undefined || (dir !== "lib" && dir !== "system")) continue;
    out.push({ image, mount: mount!, dir: dir!, name: name.join("/"), sha256: m[1]! });
  }
  return out;
}

/** The mounted images' lib/ and system/ library files, hashed inside the server's container. */
export async function mountedLibraries(pg: PgServer, baseDir: string, mounts: { name: string; image: string }[]): Promise<LibraryFile[]> {
  const dirs = mounts.flatMap((m) => [`${baseDir}/${m.name}/lib`, `${baseDir}/${m.name}/system`]);
  const script = `for d in ${dirs.map(shellWord).join(" ")}; do [ -d "$d" ] && find "$d" \\( -type f -o -type l \\) \\( -name '*.so' -o -name '*.so.*' \\) -exec sha256sum {} +; done; true`;
  const r = await pg.exec(["sh", "-c", script]);
  if (r.exitCode !== 0) throw new CheckFailure(`the mounted libraries could not be hashed: ${r.stderr.trim()}`);
  return parseHashes(r.stdout, baseDir, new Map(mounts.map((m) => [m.name, m.image])));
}

/** Images mounted together (a Cluster's extensions) hold no library of the same name with different content. */
export async function clashCheck(rec: Recorder, read: () => Promise<LibraryFile[]>, label: string): Promise<LibraryFile[]> {
  let files: LibraryFile[] = [];
  await rec.check(
    `no library clash ${label}`,
    async () => {
      files = await read();
      const clashes = findClashes(files);
      expect(clashes.length === 0, clashes.map(describeClash).join("; "));
      return `${new Set(files.map((f) => f.image)).size} images, ${files.length} library files`;
    },
    "library-clash",
  );
  return files;
}

/** One extension image's own library files, as its subject saw them mounted. */
export interface ImageLibraries {
  target: string;
  image: string;
  major: number;
  base: string;
  files: LibraryFile[];
}

/**
 * The run's extension images of one major and base, all together: a Cluster may mount any of
 * them with any other (pgbake catalog offers each), so no two may ship a library of the same
 * name with different content. One result per major and base, each clash a failed check.
 */
export async function togetherResults(images: ImageLibraries[], onCheck?: (c: CheckResult) => void): Promise<SubjectResult[]> {
  const groups = new Map<string, ImageLibraries[]>();
  for (const i of images) groups.set(`${i.major} ${i.base}`, [...(groups.get(`${i.major} ${i.base}`) ?? []), i]);
  const out: SubjectResult[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const rec = new Recorder(onCheck);
    const clashes = findClashes(group.flatMap((g) => g.files));
    if (clashes.length === 0) await rec.check(`no library clash among ${group.length} images`, async () => `${group.reduce((n, g) => n + g.files.length, 0)} library files`, "library-clash");
    for (const c of clashes) rec.fail(`no library clash: ${c.path}`, describeClash(c), "library-clash");
    const { major, base } = group[0]!;
    out.push({ target: `extension images of PostgreSQL ${major} on ${base}`, image: group.map((g) => g.image).join(" "), mode: "together", checks: rec.checks, seconds: 0, extensionsChecked: 0 });
  }
  return out;
}
