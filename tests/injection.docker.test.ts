// Nothing injected: user text that reaches HCL or a shell line goes through src/render/escape.ts,
// and comes back out of hcl2json, `docker buildx bake --print` and a real build byte for byte,
// without running anything.
import { parse } from "@cdktn/hcl2json";
import { execa } from "execa";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dockerComment } from "../src/render/escape.js";
import { shellWord } from "../src/model/shell.js";
import { attr, block, printHcl, str, stringMap, strings, type Attribute } from "../src/render/hcl.js";
import { bakePrint } from "./helpers/buildx.js";
import { fromHclJson, nastyFragments } from "./helpers/hostile.js";
import { tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-injection-");
afterAll(() => work.cleanup());

// Each fragment alone, and all of them in one string.
const values = [...nastyFragments, nastyFragments.join("")];
const args = Object.fromEntries(values.map((v, i) => [`V${i}`, v]));

/** A bake file written by pgbake's HCL printer, with `values` as args and labels. */
function bakeFile(extra: Attribute[] = [], values: Record<string, string> = args): string {
  const body = [attr("dockerfile", str("Dockerfile")), attr("platforms", strings(["linux/amd64"])), ...extra, attr("args", stringMap(values, true)), attr("labels", stringMap(values, true))];
  return printHcl({ header: [], body: [block("target", ["t"], body)] });
}

describe("hostile strings through the HCL escaper", () => {
  it("come back from hcl2json exactly", async () => {
    const json = (await parse("docker-bake.hcl", bakeFile())) as { target: { t: [{ args: Record<string, string>; labels: Record<string, string> }] } };
    const t = json.target.t[0];
    for (const [k, v] of Object.entries(args)) {
      expect(fromHclJson(t.args[k]!), k).toBe(v);
      expect(fromHclJson(t.labels[k]!), k).toBe(v);
    }
  });

  it("come back from docker buildx bake --print exactly", async () => {
    writeFileSync(join(work.dir, "docker-bake.hcl"), bakeFile());
    writeFileSync(join(work.dir, "Dockerfile"), "FROM scratch\n");
    const printed = await bakePrint(work.dir, ["t"]);
    const t = printed.target.t!;
    for (const [k, v] of Object.entries(args)) {
      expect(fromHclJson(t.args![k]!), k).toBe(v);
      expect(fromHclJson(t.labels![k]!), k).toBe(v);
    }
  });

  it("reach a real build as plain data: the build sees each value exactly, and no command in them runs", async () => {
    const dir = join(work.dir, "build");
    // runc refuses an environment value holding NUL (the build fails, nothing runs): leave those out.
    const buildArgs = Object.fromEntries(Object.entries(args).filter(([, v]) => !v.includes("\u0000")));
    const probe = [
      "FROM localhost:5000/debian:bookworm AS probe",
      ...Object.keys(buildArgs).map((k) => `ARG ${k}`),
      `RUN mkdir /out && for k in ${Object.keys(buildArgs).join(" ")}; do printenv "$k" > "/out/$k" || echo unset > "/out/$k"; done; ls -A /tmp > /out/tmp-listing`,
      "FROM scratch",
      "COPY --from=probe /out/ /",
    ].join("\n");
    await execa("mkdir", ["-p", dir]);
    writeFileSync(join(dir, "Dockerfile"), `${probe}\n`);
    writeFileSync(join(dir, "docker-bake.hcl"), bakeFile([attr("output", strings(["type=local,dest=out"]))], buildArgs));
    const r = await execa("docker", ["buildx", "bake", "t"], { cwd: dir, reject: false, all: true, env: { BUILDX_BAKE_ENTITLEMENTS_FS: "0" } });
    expect(r.exitCode, r.all).toBe(0);
    expect(Object.keys(buildArgs).length).toBeGreaterThan(40);
    for (const [k, v] of Object.entries(buildArgs)) {
      expect(readFileSync(join(dir, "out", k), "utf8"), k).toBe(`${v}\n`);
    }
    expect(readFileSync(join(dir, "out/tmp-listing"), "utf8")).toBe("");
    expect(existsSync("/tmp/pwned")).toBe(false);
  });
});

describe("the shell and Dockerfile escapers", () => {
  it("shellWord gives each value back exactly from a real sh", async () => {
    const words = values.filter((v) => !v.includes("\u0000"));
    const script = `printf '%s\\0' ${words.map(shellWord).join(" ")}`;
    const { stdout } = await execa("sh", ["-c", script], { stripFinalNewline: false });
    expect(stdout.split("\u0000").slice(0, -1)).toEqual(words);
    expect(readdirSync(work.dir)).not.toContain("pwned");
  });

  it("dockerComment never starts a new Dockerfile line", () => {
    for (const v of values) expect(dockerComment(v)).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
  });
});
