// Each command of the CLI in its own file with options typed from their declaration
// (src/cli/command.ts): the usage line names the command, and the values a command receives have
// the types parseArgs gives them (checked by `npm run typecheck`: the @ts-expect-error lines fail
// the type check the day a value is typed loosely again).
import { describe, expect, it } from "vitest";
import { command } from "../src/cli/command.js";
import { commands } from "../src/cli/main.js";

describe("the commands", () => {
  it("each has a usage line naming it and a summary", () => {
    for (const [name, c] of Object.entries(commands)) {
      expect(c.usage.startsWith(`pgbake ${name}`), name).toBe(true);
      expect(c.summary.length, name).toBeGreaterThan(10);
    }
  });

  it("a command's values are typed by its options", async () => {
    const seen: unknown[] = [];
    const c = command({
      usage: "pgbake x",
      summary: "a command for the test",
      options: { json: { type: "boolean" }, keyring: { type: "string", multiple: true } },
      run(v) {
        const json: boolean | undefined = v.json;
        const keyrings: string[] | undefined = v.keyring;
        const config: string | undefined = v.config;
        // @ts-expect-error a boolean flag is no string
        const wrong: string | undefined = v.json;
        // @ts-expect-error an option the command does not declare
        void v.nope;
        seen.push(json, keyrings, config, wrong);
        return 0;
      },
    });
    expect(await c.run({ json: true, keyring: ["a", "b"], config: "p.yaml" }, [])).toBe(0);
    expect(seen).toEqual([true, ["a", "b"], "p.yaml", true]);
  });
});
