// A config without flavors (and types) is a project of extension images only, like CloudNativePG's
// postgres-extensions-containers; flavors without any type are refused with a position.
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { defaultExtensions, tempDir } from "./helpers/workspace.js";

const work = tempDir();
afterAll(() => work.cleanup());
cpSync(join(defaultExtensions, "pgvector.yaml"), join(work.dir, "extensions", "pgvector.yaml"), { recursive: true });
cpSync(join(defaultExtensions, "pg_stat_statements.yaml"), join(work.dir, "extensions", "pg_stat_statements.yaml"));
const head = `postgres:\n  - { major: 17, version: "17.10" }\n  - { major: 18, version: "18.4" }\nbases:\n  trixie: { image: debian:trixie-slim, codename: trixie }\nplatforms: [linux/amd64]\n`;

describe("a config without flavors", () => {
  it("plans extension images and runtimes and no operand image", () => {
    writeFileSync(join(work.dir, "pgbake.yaml"), head);
    const { plan } = planFrom({ config: join(work.dir, "pgbake.yaml"), extensions: join(work.dir, "extensions") });
    expect(plan.operands).toEqual([]);
    expect(plan.extensionImages.map((t) => t.name)).toEqual(["pgvector-17-trixie", "pgvector-18-trixie"]);
    expect(plan.runtimes.map((t) => t.name)).toEqual(["runtime-17-trixie", "runtime-18-trixie"]);
    expect(plan.groups.find((g) => g.name === "default")?.targets).toEqual(["pgvector-17-trixie", "pgvector-18-trixie"]);
  });

  it("refuses flavors when there is no type", async () => {
    writeFileSync(join(work.dir, "flavors.yaml"), `${head}flavors:\n  base: { extensions: [] }\n`);
    const r = await pgbakeInProcess(["plan", "--config", join(work.dir, "flavors.yaml"), "--extensions", join(work.dir, "extensions")]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/flavors\.yaml:\d+:\d+.*need at least one entry under types/);
  });
});
