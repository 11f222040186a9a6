// One error base class and one place for exit codes: every error class of src/ extends
// PgbakeError (read from the class declarations, so a new class cannot slip past), and what the
// CLI returns for an error is exitCodeOf's answer, 2 for the user's input and 1 for the machine.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { reportError } from "../src/cli/errors.js";
import { UsageError } from "../src/cli/usage.js";
import { exitCodeOf, FsError, InputError, InputErrors } from "../src/model/errors.js";
import { UpdateError } from "../src/update/errors.js";
import { DockerError } from "../src/verify/docker.js";
import { CheckFailure } from "../src/verify/results.js";
import { ServerStartError } from "../src/verify/server.js";

const builtinErrors = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "AggregateError"]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? sources(join(dir, n)) : n.endsWith(".ts") ? [join(dir, n)] : []));
}

/** Each class declared in the files, with the class it extends and where. */
function classes(files: string[]): Map<string, { parent: string; at: string }> {
  const out = new Map<string, { parent: string; at: string }>();
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/^\s*(?:export\s+)?(?:abstract\s+)?class\s+(\w+)(?:<[^>]*>)?\s+extends\s+([\w.]+)/gm))
      out.set(m[1]!, { parent: m[2]!, at: `${f}:${text.slice(0, m.index).split("\n").length}` });
  }
  return out;
}

/** The error classes that reach a built-in Error without passing PgbakeError. */
function outsiders(declared: Map<string, { parent: string; at: string }>): string[] {
  const out: string[] = [];
  for (const [name, { at }] of declared) {
    if (name === "PgbakeError") continue;
    let parent = declared.get(name)!.parent;
    const seen = new Set([name]);
    while (declared.has(parent) && parent !== "PgbakeError" && !seen.has(parent)) {
      seen.add(parent);
      parent = declared.get(parent)!.parent;
    }
    if (builtinErrors.has(parent)) out.push(`${at}: ${name} extends ${parent} without PgbakeError`);
  }
  return out;
}

describe("one error base class", () => {
  it("every error class of src/ extends PgbakeError", () => {
    const declared = classes(sources("src"));
    expect(declared.get("PgbakeError")?.parent).toBe("Error");
    expect([...declared.keys()]).toEqual(expect.arrayContaining(["InputErrors", "UsageError", "DockerError", "CheckFailure", "ServerStartError", "UpdateError", "FsError"]));
    expect(outsiders(declared)).toEqual([]);
  });

  it("the scan finds a class that extends Error directly or through another", () => {
    const declared = new Map([
      ["PgbakeError", { parent: "Error", at: "a.ts:1" }],
      ["Fine", { parent: "PgbakeError", at: "a.ts:2" }],
      ["Direct", { parent: "Error", at: "a.ts:3" }],
      ["Indirect", { parent: "Direct", at: "a.ts:4" }],
      ["Typed", { parent: "TypeError", at: "a.ts:5" }],
      ["NotAnError", { parent: "Map", at: "a.ts:6" }],
    ]);
    expect(outsiders(declared)).toEqual([
      "a.ts:3: Direct extends Error without PgbakeError",
      "a.ts:4: Indirect extends Error without PgbakeError",
      "a.ts:5: Typed extends TypeError without PgbakeError",
    ]);
  });
});

describe("exit codes, decided by exitCodeOf", () => {
  const parseArgsError = (() => {
    try {
      parseArgs({ args: ["--nope"], options: {}, strict: true });
    } catch (err) {
      return err;
    }
    throw new Error("parseArgs took an unknown option");
  })();
  const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: x`), { code, syscall: "open", path: "/x" });

  it.each([
    ["bad input", 2, new InputErrors([new InputError("pgbake.yaml", 3, 1, "bases", "no such base")])],
    ["a command used wrongly", 2, new UsageError("add takes one extension name")],
    ["parseArgs refusing an option", 2, parseArgsError],
    ["a source that did not answer", 2, new UpdateError("https://x", "timed out")],
    ["a missing file the user named", 2, errno("ENOENT")],
    ["a full disk", 1, errno("ENOSPC")],
    ["a full disk, wrapped", 1, new FsError("write", "/x", errno("ENOSPC"))],
    ["docker refusing", 1, new DockerError("docker run failed")],
    ["a failed check", 1, new CheckFailure("smoke test failed")],
    ["a server that did not start", 1, new ServerStartError("PostgreSQL did not start", "")],
    ["a bug", 1, new Error("plan invariant")],
    ["a thrown string", 1, "x"],
  ])("%s: exit %i, and the CLI's reportError returns the same", (_what, code, err) => {
    expect(exitCodeOf(err)).toBe(code);
    expect(reportError(err, () => undefined)).toBe(code);
  });
});
