// Messages made true (issue 21, "Messages"): each recipe as a user runs it, with the exact text.
// (`!!binary`, `!!timestamp` and `.nan` are corpus cases: tests/corpus/hostile-yaml-*; a linked
// dockerfiles/ is in tests/output-confinement.test.ts.)
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-messages-");
afterAll(() => work.cleanup());
let n = 0;

function project(): string {
  const dir = join(work.dir, `p${n++}`);
  cpSync(join(repoRoot, "tests/corpus/_base"), dir, { recursive: true });
  return dir;
}
const run = (dir: string, ...args: string[]) => pgbakeInProcess([...args, "--config", "pgbake.yaml", "--extensions", "extensions"], dir);

describe("messages", () => {
  it("pgbake grid escapes control characters of a disabled_reason (CR, NUL, ESC) as explain does", async () => {
    const dir = project();
    const file = join(dir, "extensions/hll.yaml");
    writeFileSync(file, `${readFileSync(file, "utf8")}disabled: true\ndisabled_reason: "over\\rwritten\\0 and \\e[31mred"\n`);
    const r = await run(dir, "grid", "--title", "t\u001b[2J");
    expect(r.exitCode, r.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stdout).toContain("over\\u000dwritten\\u0000 and \\u001b[31mred");
    expect(r.stdout.split("\n")[0]).toBe("# t\\u001b[2J");
  });

  it.each([
    ["proj/pgbake.yaml", "pgbake init: init takes the project's directory, not its config file: pgbake init proj writes proj/pgbake.yaml"],
    ["afile", `pgbake init: ${"DIR"}/afile is a file, not a directory: init takes the project's directory`],
  ])("pgbake init %s: says what init takes, writes nothing", async (arg, message) => {
    const dir = join(work.dir, `init${n++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "afile"), "mine\n");
    const r = await pgbakeInProcess(["init", arg], dir);
    expect(r.stderr.split("\n")[0]).toBe(message.replace("DIR", dir));
    expect(r.exitCode).toBe(2);
    expect(existsSync(join(dir, "proj"))).toBe(false);
    expect(readFileSync(join(dir, "afile"), "utf8")).toBe("mine\n");
  });

  it("build_options takes --with-foo (autoconf's form) as well as -DFOO=ON, and the Dockerfile gets it", async () => {
    const dir = project();
    writeFileSync(
      join(dir, "extensions/hll.yaml"),
      "name: hll\ndescription: HyperLogLog\nlicense: Apache-2.0\nhomepage: https://github.com/citusdata/postgresql-hll\nkind: source\nversion: 2.18.0\n" +
        "source:\n  git: https://github.com/citusdata/postgresql-hll\n  ref: 0123456789abcdef0123456789abcdef01234567\n  build: configure\n  build_options: [--with-foo, -DBAR=ON]\n",
    );
    const r = await run(dir, "generate", "--out", "out");
    expect(r.exitCode, r.stderr).toBe(0);
    const dockerfiles = spawnSync("grep", ["-rl", "--", "--with-foo", join(dir, "out/dockerfiles")], { encoding: "utf8" })
      .stdout.trim()
      .split("\n");
    expect(dockerfiles).toHaveLength(1);
    expect(readFileSync(dockerfiles[0]!, "utf8")).toContain('./configure PG_CONFIG="$PG_CONFIG" --with-foo -DBAR=ON;');
  });
});
