// The hostile user's recipes of issue 15, each through the CLI with its exact message: a write
// that cannot happen is refused before anything changes (and the next run is not wedged),
// paths that cannot be an output directory, bad metadata files, encodings, sizes, unknown bake
// targets under --dry-run, control characters in `explain`, editors' files in the catalog.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bakePrint } from "./helpers/buildx.js";
import { cliPath, pgbake } from "./helpers/cli.js";
import { snapshotTree } from "./helpers/snapshot.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-recipes-");
afterAll(() => work.cleanup());
let n = 0;

/** A copy of the corpus base project; `generate` there writes into out/. */
function project(): { dir: string; run: (...args: string[]) => ReturnType<typeof pgbake>; config: string; ext: string } {
  const dir = join(work.dir, `p${n++}`);
  cpSync(join(repoRoot, "tests/corpus/_base"), dir, { recursive: true });
  const run = (...args: string[]) => pgbake([...args, "--config", "pgbake.yaml", "--extensions", "extensions"], dir);
  return { dir, run, config: join(dir, "pgbake.yaml"), ext: join(dir, "extensions/pgvector.yaml") };
}
const edit = (file: string, from: string | RegExp, to: string): void => {
  const text = readFileSync(file, "utf8");
  const next = text.replace(from, to);
  expect(next, `${String(from)} in ${file}`).not.toBe(text);
  writeFileSync(file, next);
};

describe("writes that cannot happen are refused before anything changes", () => {
  it.each([
    ["image", /^image: postgresql$/m, `image: ${"a".repeat(300)}`, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 347],
    ["flavors.full.image", "  full:\n", `  full:\n    image: ${"b".repeat(300)}\n`, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 342],
  ])("%s of 300 characters: exit 2 naming the file, output untouched, and the next run works", async (_field, from, to, shownName, bytes) => {
    const p = project();
    expect((await p.run("generate", "--out", "out")).exitCode).toBe(0);
    const before = snapshotTree(join(p.dir, "out"));
    const original = readFileSync(p.config, "utf8");
    edit(p.config, from, to);
    const r = await p.run("generate", "--out", "out");
    expect(r.stderr).toBe(
      `pgbake: cannot write ${p.dir}/out/dockerfiles/${shownName}...: the file name is ${bytes} bytes, more than the 255 a file system allows (a shorter image or flavor name makes it shorter)`,
    );
    expect(r.exitCode).toBe(2);
    expect(snapshotTree(join(p.dir, "out"))).toEqual(before);
    writeFileSync(p.config, original);
    const again = await p.run("generate", "--out", "out");
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 files written, 0 removed/);
  });

  // Permissions stop only users other than root; CI runs as root, so the run is made as `nobody`.
  it.runIf(process.getuid?.() === 0)("a read-only dockerfiles/ (as a user other than root): exit 2 naming it, nothing written", async () => {
    const p = project();
    expect((await p.run("generate", "--out", "out")).exitCode).toBe(0);
    chmodSync(work.dir, 0o755);
    spawnSync("chmod", ["-R", "a+rX", p.dir]);
    spawnSync("chown", ["-R", "nobody", join(p.dir, "out")]);
    chmodSync(join(p.dir, "out/dockerfiles"), 0o555);
    // Without flavor full, its Dockerfile goes: a change inside dockerfiles/.
    edit(p.config, /^ {2}full:\n.*\n/m, "");
    const before = snapshotTree(join(p.dir, "out"));
    const r = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, cliPath, "generate", "--config", "pgbake.yaml", "--extensions", "extensions", "--out", "out"], {
      cwd: p.dir,
      encoding: "utf8",
    });
    expect(r.stderr).toBe(`pgbake: cannot write into ${p.dir}/out/dockerfiles: permission denied (EACCES)\n`);
    expect(r.status).toBe(2);
    expect(snapshotTree(join(p.dir, "out"))).toEqual(before);
  });

  it("a file where dockerfiles/ must be: exit 2 naming it, nothing written", async () => {
    const p = project();
    mkdirSync(join(p.dir, "out"));
    writeFileSync(join(p.dir, "out/dockerfiles"), "not a directory\n");
    const r = await p.run("generate", "--out", "out");
    expect(r.stderr).toBe(`pgbake: cannot write ${p.dir}/out/dockerfiles/extension-package.Dockerfile: ${p.dir}/out/dockerfiles is a file, not a directory`);
    expect(r.exitCode).toBe(2);
    expect(Object.keys(snapshotTree(join(p.dir, "out")))).toEqual(["dockerfiles"]);
  });
});

describe("paths that cannot be an output directory, and metadata files that are not bake metadata", () => {
  it.each([
    ["the config file", "pgbake.yaml", (d: string) => `pgbake: ${d}/pgbake.yaml cannot be an output directory: it is an input of this run`],
    ["the extensions directory", "extensions", (d: string) => `pgbake: ${d}/extensions cannot be an output directory: it is an input of this run`],
    ["the root", "/", () => "pgbake: / cannot be an output directory: it is the root of the file system"],
    ["a kernel file system", "/proc/sys", () => "pgbake: /proc/sys cannot be an output directory: it is on a kernel file system"],
    ["a path under a file", "pgbake.yaml/out", (d: string) => `pgbake: cannot inspect ${d}/pgbake.yaml/out: a part of the path is not a directory (ENOTDIR)`],
  ])("--out %s: exit 2 with a message", async (_what, out, message) => {
    const p = project();
    const before = snapshotTree(p.dir);
    const r = await p.run("generate", "--out", out);
    expect(r.stderr).toBe(message(p.dir));
    expect(r.exitCode).toBe(2);
    expect(snapshotTree(p.dir)).toEqual(before);
  });

  it.each([
    ["missing", undefined, "pgbake: cannot read missing.json: no such file or directory (ENOENT)"],
    ["not JSON", "{ oops", "pgbake: bad.json is not JSON (Expected property name or '}' in JSON at position 2); expected the file of docker buildx bake --metadata-file"],
    ["null", "null", "pgbake: bad.json holds null, not an object of targets; expected the file of docker buildx bake --metadata-file"],
  ])("catalog --metadata of a %s file: exit 2 with a message", async (_what, content, message) => {
    const p = project();
    const file = content === undefined ? "missing.json" : "bad.json";
    if (content !== undefined) writeFileSync(join(p.dir, file), content);
    const r = await p.run("catalog", "--metadata", file);
    expect(r.stderr).toBe(message);
    expect(r.exitCode).toBe(2);
  });
});

describe("inputs", () => {
  it("text is normalised to NFC at load: a decomposed 'Cafe\\u0301' reaches buildx as the 'Café' it prints", async () => {
    const p = project();
    edit(p.ext, /^description: .*$/m, "description: Cafe\u0301 vectors");
    const r = await p.run("generate", "--out", "out");
    expect(r.exitCode, r.stderr).toBe(0);
    const hcl = readFileSync(join(p.dir, "out/docker-bake.hcl"), "utf8");
    expect(hcl).toContain("Caf\u00e9 vectors");
    expect(hcl).not.toContain("Cafe\u0301");
    const printed = await bakePrint(join(p.dir, "out"), ["pgvector-17-bookworm"]);
    expect(printed.target["pgvector-17-bookworm"]!.labels!["org.opencontainers.image.description"]).toBe("Caf\u00e9 vectors (extension image for CloudNativePG image volumes)");
  });

  const flow = (n: number, item: (i: number) => string): string => Array.from({ length: n }, (_, i) => item(i)).join(", ");
  it.each([
    [
      "100,000 keys under runtime_packages_by_base (1.9 MB)",
      `runtime_packages_by_base:\n${Array.from({ length: 100_000 }, (_, i) => `  k${i}: [libfoo]\n`).join("")}`,
      "extensions/pgvector.yaml: the file is 1889122 bytes; pgbake reads input files of up to 1048576 bytes (1 MiB)",
    ],
    ["a 44 MB list", `runtime_packages:\n${"  - libfoo\n".repeat(4_000_000)}`, "extensions/pgvector.yaml: the file is 44000224 bytes; pgbake reads input files of up to 1048576 bytes (1 MiB)"],
    [
      "100,000 keys in one flow mapping (0.9 MB)",
      `runtime_packages_by_base: {${flow(100_000, (i) => `${i.toString(36)}: 0`)}}\n`,
      "extensions/pgvector.yaml:9:27: a mapping of 100000 entries; pgbake reads at most 10000 in one mapping",
    ],
    [
      "100,000 items in one flow list (0.6 MB)",
      `runtime_packages: [${flow(100_000, (i) => i.toString(36))}]\n`,
      "extensions/pgvector.yaml:9:19: a list of 100000 items; pgbake reads at most 10000 in one list",
    ],
  ])("%s: refused before any schema work, exit 2", async (_what, added, message) => {
    const p = project();
    writeFileSync(p.ext, `${readFileSync(p.ext, "utf8")}${added}`);
    const r = await p.run("generate", "--out", "out");
    expect(r.stderr).toBe(`pgbake: 1 problem(s) in the input:\n${message}`);
    expect(r.exitCode).toBe(2);
  });

  it("a matrix that multiplies into more than 100,000 targets is refused before planning", async () => {
    const p = project();
    const bases = Array.from({ length: 400 }, (_, i) => `  b${i}: { image: "debian:bookworm-slim", codename: bookworm }\n`).join("");
    const types = Array.from({ length: 400 }, (_, i) => `  t${i}: { description: x }\n`).join("");
    edit(p.config, /^bases:\n(?: {2}.*\n| {4}.*\n)+/m, `bases:\n${bases}`);
    edit(p.config, /^types:\n(?: {2}.*\n| {4}.*\n)+/m, `types:\n${types}`);
    const r = await p.run("generate", "--out", "out");
    expect(r.stderr).toBe("pgbake: 1 problem(s) in the input:\npgbake.yaml:1:1: this matrix makes 320000 operand targets (flavors × postgres × types × bases); pgbake plans at most 100000");
    expect(r.exitCode).toBe(2);
  });

  it("9,990 unknown keys: the first 50 problems and a count of the rest", async () => {
    const p = project();
    writeFileSync(p.ext, `${readFileSync(p.ext, "utf8")}${Array.from({ length: 9_990 }, (_, i) => `unknown_${i}: x\n`).join("")}`);
    const r = await p.run("generate", "--out", "out");
    const lines = r.stderr.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "pgbake: 51 problem(s) in the input:",
      "extensions/pgvector.yaml: and 9940 more problems in this file",
      "extensions/pgvector.yaml:9:1: unknown_0: unknown field",
      "extensions/pgvector.yaml:10:1: unknown_1: unknown field",
    ]);
    expect(lines).toHaveLength(52);
    expect(r.exitCode).toBe(2);
  });

  it("editors' lock, swap and backup files in the catalog directory are not catalog files", async () => {
    const p = project();
    const dir = join(p.dir, "extensions");
    symlinkSync("user@host.1234:1700000000", join(dir, ".#pgvector.yaml")); // emacs: a dangling link
    writeFileSync(join(dir, "pgvector.yaml~"), "name: [broken\n");
    writeFileSync(join(dir, ".pgvector.yaml.swp"), "\u0000\u0001binary");
    writeFileSync(join(dir, "#pgvector.yaml#"), "name: [broken\n");
    writeFileSync(join(dir, ".hidden.yaml"), "name: [broken\n");
    const r = await p.run("generate", "--out", "out");
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

describe("commands", () => {
  it("bake --dry-run of an unknown target fails exactly as the real run does", async () => {
    const p = project();
    expect((await p.run("generate")).exitCode).toBe(0);
    const dry = await p.run("bake", "no-such-target", "--dry-run");
    const real = await p.run("bake", "postgresql-17-minimal-bokworm");
    expect(dry.stderr).toBe(
      "pgbake bake: no target or group 'no-such-target' in this plan\nusage: pgbake bake [TARGET...] [--push] [--check] [--print] [--dry-run] [--set K=V]... [--registry R] [--base NAME=IMAGE]... [--outdated [--keyring FILE]...]",
    );
    expect(dry.exitCode).toBe(2);
    expect(real.stderr).toMatch(/^pgbake bake: no target or group 'postgresql-17-minimal-bokworm' in this plan \(did you mean 'postgresql-17-minimal-bookworm'\?\)\n/);
    expect(real.exitCode).toBe(2);
    expect((await p.run("bake", "no-such-target")).stderr).toBe(dry.stderr);
  });

  it("explain escapes control characters, in what it echoes and in the plan's text", async () => {
    const p = project();
    writeFileSync(p.ext, `${readFileSync(p.ext, "utf8")}disabled: true\ndisabled_reason: "upstream \\e[31mred\\e[0m broke"\n`);
    const r = await p.run("explain", "postgresql-full-17-minimal-bookworm");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("  - pgvector: excluded because disabled: upstream \\u001b[31mred\\u001b[0m broke\n");
    expect(r.stdout).not.toContain("\u001b");
    const unknown = await p.run("explain", "\u001b]0;pwned\u0007");
    expect(unknown.stderr).toBe("pgbake: '\\u001b]0;pwned\\u0007' is no target, extension or group of this plan");
    expect(unknown.exitCode).toBe(2);
  });
});
