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
  "bash scripts/e2e/setup-env.sh": "tests/setup-env.test.ts (its refusals); .ci/run runs it",
  "npm run bench": "bench/ (measures, never asserts)",
  "npm install --global ./pgbake-0.1.0.tgz": "tests/package.test.ts installs the packed tarball",
  "npm pack": "tests/package.test.ts",
  "bash scripts/e2e/cleanup-env.sh": "never run by tests: it stops the engine the tests use",
};
/** Commands a task may run besides pgbake's: read-only, run as they are. */
const harmless = new Set(["node --version", "docker version", "docker buildx version", "task --list"]);

/** Shell commands in ```bash blocks and in inline code that starts like a command. */
function commandsOf(markdown: string): string[] {
  const out: string[] = [];
  const fenced = [...markdown.matchAll(/```(?:bash|sh|console)\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split("\n"));
  const inline = [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)]
    .map((m) => m[1]!)
    .filter((c) => /^(pgbake |task |docker buildx bake|([a-z_]+=\S+ )+docker buildx bake)/.test(c));
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

/** A `pgbake ...` line as run: bake never builds (--dry-run, then its printed buildx line is read with --print). */
async function runPgbake(line: string, cwd: string): Promise<void> {
  const words = line.split(/\s+/);
  const isBake = words[1] === "bake" && !words.includes("--print");
  const r = await sh(isBake && !words.includes("--dry-run") ? `${line} --dry-run` : line, cwd);
  expect(r.exitCode, `${line}\n${r.stdout}\n${r.stderr}`).toBe(0);
  if (isBake) {
    const m = /^cd (\S+) && (.*)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    await runBuildx(m![2]!.replace(/^.*?docker buildx bake/, "docker buildx bake"), m![1]!.replace(/^'|'$/g, ""));
  }
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
      // update reads live package indexes (tests/update-*.test.ts, tests/e2e/update-pgdg.test.ts use local
      // mirrors); test and outdated read pushed images (tests/e2e); catalog needs a bake's metadata file (tests/catalog.test.ts).
      if (line in checkedElsewhere || /^pgbake (update|test|catalog|outdated)\b/.test(line)) return;
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
          if (cmd.startsWith("pgbake ")) await runPgbake(cmd, cwd);
          else if (harmless.has(cmd) && cmd !== "task --list") expect((await sh(cmd, cwd)).exitCode, cmd).toBe(0);
          else if (!harmless.has(cmd) && !(cmd in checkedElsewhere)) throw new Error(`task ${name} runs '${cmd}', which this test does not know how to run`);
        }
      } else {
        throw new Error(`'${line}' in ${readme} is neither run by this test nor listed in checkedElsewhere`);
      }
    });
  }
});
