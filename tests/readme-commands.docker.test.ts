// Every command README.md and examples/*/README.md show is run as written, in a scratch copy of
// the repository (so commands that write, such as `pgbake generate` or `pgbake init`, write
// there): `pgbake ...` with the built CLI on PATH, `task ...` expanded from Taskfile.yml, and
// `docker buildx bake ...` with real buildx. What would build offline becomes --print (buildx)
// or --dry-run (pgbake bake), and every target buildx prints must resolve to a Dockerfile in the
// directory of the bake file it came from: from the README's own directory, and once more from
// an unrelated directory with the paths made absolute.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BakePrint } from "./helpers/buildx.js";
import { expandTask, parseTaskLine, readTaskfile } from "./helpers/taskfile.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const readmes = ["README.md", ...readdirSync(join(repoRoot, "examples")).map((e) => `examples/${e}/README.md`)].filter((f) => existsSync(join(repoRoot, f)));

/**
 * Lines that are not run here, each with where it is checked instead. A new README command that
 * is neither run nor listed here fails the test.
 */
const checkedElsewhere: Record<string, string> = {
  "npm run setup": "runs npm ci, which would replace this checkout's node_modules; .ci/run runs the same steps",
  "npm test": "is this suite",
  "bash scripts/e2e/setup-env.sh": "tests/setup-env.docker.test.ts (its refusals); .ci/run runs it",
  "npm run bench": "bench/ (measures, never asserts)",
  "npm install --global ./pgbake-0.1.0.tgz": "tests/package.docker.test.ts installs the packed tarball",
  "npm pack": "tests/package.docker.test.ts",
  "bash scripts/e2e/cleanup-env.sh": "never run by tests: it stops the engine the tests use",
  // A project of your own, from an empty directory: tests/own-project.docker.test.ts runs these from npm pack.
  "mkdir my-project && cd my-project": "tests/own-project.docker.test.ts",
  "npm install ../pgbake-0.1.0.tgz": "tests/own-project.docker.test.ts",
  "npx pgbake init .": "tests/own-project.docker.test.ts",
  "npx pgbake generate": "tests/own-project.docker.test.ts",
  "npx pgbake bake postgresql-17-minimal-trixie --push": "tests/own-project.docker.test.ts (through the project's bake.yml)",
  "npx pgbake test postgresql-17-minimal-trixie": "tests/own-project.docker.test.ts",
};
/**
 * pgbake subcommands whose README lines are not run here, and why: each needs what this offline
 * scratch copy has not (the network, or images a real bake pushed to a registry).
 */
const needsNetworkOrRegistry: Record<string, string> = {
  update: "reads live apt indexes, git remotes and registries over the network (tests/update-*.test.ts run it against local mirrors)",
  test: "pulls and starts the images a `pgbake bake --push` pushed to a registry (tests/e2e run it after their build)",
  catalog: "reads the metadata file of a bake that pushed to a registry (tests/catalog.docker.test.ts)",
  outdated: "reads pushed images and live apt indexes (tests/e2e/outdated.test.ts runs it against a local signed repository)",
};
/** Commands a task may run besides pgbake's: read-only, run as they are, each with what its output shows. */
const harmless: Record<string, RegExp> = {
  "node --version": /^v\d+\./,
  "docker version": /^Server:/m,
  "docker buildx version": /buildx v?\d+\./,
  "task --list": /./,
};

/** Shell commands in ```bash blocks and in inline code that starts like a command. */
function commandsOf(markdown: string): string[] {
  const out: string[] = [];
  const fenced = [...markdown.matchAll(/```(?:bash|sh|console)\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split("\n"));
  const inline = [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!).filter((c) => /^(pgbake |task |docker buildx bake|([a-z_]+=\S+ )+docker buildx bake)/.test(c));
  for (const raw of [...fenced, ...inline]) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (!line || line.startsWith("#")) continue;
    // Placeholders (`--metadata FILE`, `[--dir DIR]`) are usage, not a command.
    if (/\[|\b(FILE|DIR|NAME|IMAGE|URL|SHA|PKG|TARGET\.\.\.)\b/.test(line.replace(/\b[A-Z_]+=/g, ""))) continue;
    out.push(line);
  }
  return out;
}

let scratch: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let bin: string;
const env = (): Record<string, string> => ({ PATH: `${bin}:${process.env.PATH}`, BUILDX_BAKE_ENTITLEMENTS_FS: "0" });

beforeAll(async () => {
  scratch = tempDir("pgbake-readme-");
  elsewhere = tempDir("pgbake-elsewhere-");
  const tracked = (await execa("git", ["ls-files", "-z"], { cwd: repoRoot })).stdout.split("\0").filter(Boolean);
  for (const f of tracked) {
    if (!existsSync(join(repoRoot, f))) continue;
    mkdirSync(dirname(join(scratch.dir, f)), { recursive: true });
    cpSync(join(repoRoot, f), join(scratch.dir, f));
  }
  cpSync(join(repoRoot, "dist"), join(scratch.dir, "dist"), { recursive: true });
  // The tarball the README installs and `init --pgbake-source` names, where the README has it.
  await execa("npm", ["pack", "--ignore-scripts", "--pack-destination", scratch.dir], { cwd: repoRoot });
  symlinkSync(join(repoRoot, "node_modules"), join(scratch.dir, "node_modules"));
  // `pgbake` on PATH is this copy's CLI, as `npm install --global` would make it.
  bin = join(scratch.dir, ".bin");
  mkdirSync(bin);
  symlinkSync(join(scratch.dir, "dist/src/cli/main.js"), join(bin, "pgbake"));
});
afterAll(() => {
  scratch?.cleanup();
  elsewhere?.cleanup();
});

async function sh(line: string, cwd: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa("bash", ["-c", line], { cwd, env: env(), reject: false });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** `docker buildx bake ...` → the same with --print instead of building; the bake file it reads. */
function asPrint(line: string, cwd: string): { line: string; file: string } {
  const words = line.split(/\s+/);
  const f = words.findIndex((w) => w === "-f" || w === "--file");
  const file = resolve(cwd, f >= 0 ? words[f + 1]! : "docker-bake.hcl");
  const kept = words.filter((w) => !["--push", "--load", "--check", "--sbom=false", "--provenance=false"].includes(w));
  if (!kept.includes("--print")) kept.push("--print");
  return { line: kept.join(" "), file };
}

/** Every printed target's Dockerfile, resolved as buildx does (context against the working directory). */
function checkDockerfiles(printed: string, cwd: string, bakeFile: string): string[] {
  const json = JSON.parse(printed) as BakePrint;
  const problems: string[] = [];
  for (const [name, t] of Object.entries(json.target)) {
    const context = resolve(cwd, t.context ?? ".");
    const dockerfile = isAbsolute(t.dockerfile ?? "") ? t.dockerfile! : join(context, t.dockerfile ?? "Dockerfile");
    if (!existsSync(dockerfile)) problems.push(`${name}: ${dockerfile} does not exist`);
    else if (context !== dirname(bakeFile)) problems.push(`${name}: context ${context} is not the bake file's directory ${dirname(bakeFile)}`);
  }
  expect(Object.keys(json.target).length).toBeGreaterThan(0);
  return problems;
}

async function runBuildx(line: string, cwd: string): Promise<void> {
  const { line: print, file } = asPrint(line, cwd);
  const r = await sh(print, cwd);
  expect(r.exitCode, `${print}\n${r.stderr}`).toBe(0);
  expect(checkDockerfiles(r.stdout, cwd, file), `${print} in ${cwd}`).toEqual([]);
}

/** The value after `flag` in a command's words. */
const option = (words: string[], flag: string): string | undefined => {
  const i = words.indexOf(flag);
  return i >= 0 ? words[i + 1] : undefined;
};

/**
 * What each pgbake subcommand's output must show besides exit 0, so that a README line that runs
 * but does nothing (or the wrong thing) fails. `words` are the line's words after `pgbake`.
 */
const facts: Record<string, (words: string[], stdout: string, cwd: string) => void> = {
  "--version": (_, out) => expect(out.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version),
  init: (words, out, cwd) => {
    const dir = resolve(cwd, words[1]!);
    expect(out).toMatch(new RegExp(`^${dir}: pgbake.yaml, [^\\n]*generated docker-bake.hcl \\([1-9]\\d* operand targets`));
    for (const f of ["pgbake.yaml", "docker-bake.hcl"]) expect(existsSync(join(dir, f)), join(dir, f)).toBe(true);
  },
  add: (words, out, cwd) => {
    const file = join(dirname(resolve(cwd, option(words, "--config") ?? "pgbake.yaml")), "extensions", `${words[1]}.yaml`);
    expect(out).toContain(`${file}: ${words[1]} (`);
    expect(readFileSync(file, "utf8")).toMatch(new RegExp(`^name: ${words[1]}$`, "m"));
  },
  generate: (words, out, cwd) => {
    const m = /^(\d+) operand targets, (\d+) extension images, \d+ runtimes; .* in (\S+)$/m.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBeGreaterThan(0);
    // Where it wrote: --out, else the config's `output` (the e2e config's is elsewhere), else the config's directory.
    const outFlag = option(words, "--out");
    if (outFlag !== undefined) expect(m![3]).toBe(resolve(cwd, outFlag));
    expect(existsSync(join(m![3]!, "docker-bake.hcl")), m![3]).toBe(true);
  },
  plan: (_, out) => {
    const plan = JSON.parse(out) as { operands: unknown[]; extensionImages: unknown[] };
    expect(plan.operands.length).toBeGreaterThan(0);
    expect(plan.extensionImages.length).toBeGreaterThan(0);
  },
  explain: (words, out) => expect(out.split("\n")[0]).toMatch(new RegExp(`^${words[1]}:`)),
  matrix: (words, out) => {
    const rows = (JSON.parse(out) as { include: { target: string }[] }).include;
    expect(rows.length).toBeGreaterThan(0);
    const group = option(words, "--group");
    if (group === "pg18") expect(rows.filter((r) => !r.target.includes("-18-")).map((r) => r.target)).toEqual([]);
  },
  import: (words, out, cwd) => {
    const outDir = resolve(cwd, option(words, "--out") ?? ".");
    if (words[1] === "cnpg-extensions") {
      // "<source>: N entries written to <dir>"; each a catalog entry named after its file.
      const m = /: (\d+) entries written to (\S+?);/.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(0);
      expect(m![2]).toBe(outDir);
      const files = readdirSync(outDir).filter((f) => f.endsWith(".yaml"));
      expect(files.length).toBe(Number(m![1]));
      for (const f of files) expect(readFileSync(join(outDir, f), "utf8")).toMatch(new RegExp(`^name: ${f.replace(/\.yaml$/, "")}$`, "m"));
    } else {
      expect(existsSync(join(outDir, "pgbake.yaml")), join(outDir, "pgbake.yaml")).toBe(true);
      expect(readFileSync(join(outDir, "pgbake.yaml"), "utf8")).toMatch(/^postgres:/m);
    }
  },
  derive: (words, out, cwd) => {
    const file = resolve(cwd, option(words, "--write")!);
    expect(out).toMatch(/: [1-9]\d* operand targets, [1-9]\d* extension images on /);
    expect(readFileSync(file, "utf8")).toMatch(/postgres_from: distro/);
  },
  grid: (_, out) => {
    expect(out).toMatch(/^# Compatibility grid/);
    expect(out.split("\n").filter((l) => /^\| [a-z]/.test(l)).length).toBeGreaterThan(10);
  },
};

/** A `pgbake ...` line as run: bake never builds (--dry-run, then its printed buildx line is read with --print). */
async function runPgbake(line: string, cwd: string): Promise<void> {
  const words = line.split(/\s+/);
  const isBake = words[1] === "bake" && !words.includes("--print");
  const r = await sh(isBake && !words.includes("--dry-run") ? `${line} --dry-run` : line, cwd);
  expect(r.exitCode, `${line}\n${r.stdout}\n${r.stderr}`).toBe(0);
  if (isBake) {
    const m = /^cd (\S+) && (.*)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const buildx = m![2]!.replace(/^.*?docker buildx bake/, "docker buildx bake");
    // What the user asked of bake reaches buildx.
    for (const flag of ["--push", "--check"]) if (words.includes(flag)) expect(buildx.split(/\s+/), flag).toContain(flag);
    await runBuildx(buildx, m![1]!.replace(/^'|'$/g, ""));
    return;
  }
  const fact = facts[words[1]!];
  if (!fact) throw new Error(`no fact of the output of '${line}' is checked: add one to facts`);
  fact(words.slice(1), r.stdout, cwd);
}

describe.each(readmes)("commands in %s", (readme) => {
  const commands = commandsOf(readFileSync(join(repoRoot, readme), "utf8"));

  it("shows commands, each run here or named as checked elsewhere", () => {
    expect(commands.length).toBeGreaterThan(0);
  });

  for (const line of commands) {
    it(`runs: ${line}`, async () => {
      // Commands are written for the repository root (README.md says so, and so do the examples').
      const cwd = scratch.dir;
      // Listed above with the reason each is not run here.
      if (line in checkedElsewhere || (line.split(/\s+/)[1] ?? "") in needsNetworkOrRegistry) return;
      if (/^([a-z_]+=\S+ )*docker buildx bake/.test(line)) {
        await runBuildx(line, cwd);
        // The same from an unrelated directory: every relative path made absolute.
        const absolute = line
          .replace(/(^|\s)bake_dir=(\S+)/, (_, pre: string, p: string) => `${pre}bake_dir=${resolve(cwd, p)}`)
          .replace(/(^|\s)([A-Za-z0-9._-]+\/\S*)/g, (whole, pre: string, p: string) => (existsSync(join(cwd, p)) ? `${pre}${join(cwd, p)}` : whole));
        const anywhere = /\s(-f|--file)\s/.test(absolute) ? absolute : absolute.replace("docker buildx bake", `docker buildx bake -f ${join(cwd, "docker-bake.hcl")}`);
        const withDir = /(^|\s)bake_dir=/.test(anywhere) ? anywhere : `bake_dir=${dirname(asPrint(anywhere, elsewhere.dir).file)} ${anywhere}`;
        await runBuildx(withDir, elsewhere.dir);
      } else if (line.startsWith("pgbake ")) {
        await runPgbake(line, cwd);
      } else if (line.startsWith("task ")) {
        const { name, vars } = parseTaskLine(line);
        const tf = readTaskfile(join(cwd, "Taskfile.yml"));
        // PGBAKE: the CLI on PATH (the Taskfile's default `npx pgbake` is the same CLI in a clone).
        for (const cmd of expandTask(tf, name, { PGBAKE: "pgbake", ...vars })) {
          const shown = harmless[cmd];
          if (cmd.startsWith("pgbake ")) {
            if (!((cmd.split(/\s+/)[1] ?? "") in needsNetworkOrRegistry)) await runPgbake(cmd, cwd);
          } else if (shown && cmd !== "task --list") {
            const r = await sh(cmd, cwd);
            expect(r.exitCode, cmd).toBe(0);
            expect(r.stdout, cmd).toMatch(shown);
          } else if (!shown && !(cmd in checkedElsewhere)) throw new Error(`task ${name} runs '${cmd}', which this test does not know how to run`);
        }
      } else {
        throw new Error(`'${line}' in ${readme} is neither run by this test nor listed in checkedElsewhere`);
      }
    });
  }
});
