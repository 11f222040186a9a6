// `generate --release` refuses unpinned inputs with file, line, column and field; previews are
// built only until their major is stable.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { pgbakeInProcess } from "./helpers/cli-in-process.js";
import { copyDefaults } from "./helpers/workspace.js";

let work = copyDefaults();
afterEach(() => {
  work.cleanup();
  work = copyDefaults();
});
const edit = (file: string, from: string, to: string): void => {
  const text = readFileSync(file, "utf8");
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
};

describe("generate --release", () => {
  it("passes on the default config: every base has a digest and every source a commit", async () => {
    const r = await pgbakeInProcess(["generate", "--release", "--config", work.config, "--extensions", work.extensions]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it("refuses an unpinned base and a tag-only source, naming file, line, column and field (exit 2)", async () => {
    edit(work.config, "debian:trixie-slim@sha256:a29215f6a35e51e22adffa17f89e9d2ef06214e64a2bad10d765c46aea49f11f", "debian:trixie-slim");
    edit(join(work.extensions, "citus.yaml"), "ref: e8e06d8d0cc103b1150feeac7250efc488a3cd5b\n", "ref: v13.2.0\n");
    const args = ["--config", work.config, "--extensions", work.extensions];
    const r = await pgbakeInProcess(["generate", "--release", ...args]);
    expect(r.exitCode).toBe(2);
    const configLine =
      readFileSync(work.config, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("image: debian:trixie-slim")) + 1;
    expect(r.stderr).toContain(`pgbake.yaml:${configLine}:12: bases.trixie.image: base image 'debian:trixie-slim' is not pinned by digest`);
    expect(r.stderr).toMatch(/citus\.yaml:10:8: source\.ref: source ref 'v13\.2\.0' is not a full 40-hex commit/);
    // Without --release the same files are fine (development builds may use tags).
    expect((await pgbakeInProcess(["generate", ...args])).exitCode).toBe(0);
  });
});

describe("preview versions", () => {
  it("builds 19~beta3 with only the extensions that declare PG 19, tagged tag-safe", () => {
    edit(work.config, '  - { major: 18, version: "18.6" }\n', '  - { major: 18, version: "18.6" }\n  - { major: 19, version: "19~beta3" }\n');
    const { plan } = planFrom({ config: work.config, extensions: work.extensions });
    const op = plan.operands.find((o) => o.name === "postgresql-vector-19-minimal-trixie")!;
    expect(op.preview).toBe(true);
    expect(op.kept.map((k) => k.name)).toEqual([]);
    expect(op.excluded).toEqual([{ name: "pgvector", excludedBecause: "PG 19 is a preview and max_pg_version is unset" }]);
    expect(op.tags).toContain("postgresql-vector:19beta3-minimal-trixie");
    expect(plan.droppedPreviews).toEqual([]);
  });

  it("drops the preview once the same major is listed as stable", () => {
    edit(work.config, '  - { major: 18, version: "18.6" }\n', '  - { major: 18, version: "18.6" }\n  - { major: 18, version: "18~rc1" }\n');
    const { plan } = planFrom({ config: work.config, extensions: work.extensions });
    expect(plan.droppedPreviews).toEqual([{ version: "18~rc1", droppedBecause: "PG 18 is stable (18.6 is listed)" }]);
    expect(plan.operands.filter((o) => o.major === 18).every((o) => o.pgVersion === "18.6")).toBe(true);
    expect(plan.runtimes.filter((r) => r.major === 18)).toHaveLength(2);
  });

  it("still refuses the same stable major twice", async () => {
    edit(work.config, '  - { major: 18, version: "18.6" }\n', '  - { major: 18, version: "18.6" }\n  - { major: 18, version: "18.3" }\n');
    const r = await pgbakeInProcess(["plan", "--config", work.config, "--extensions", work.extensions]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/postgres\[4\]\.major: PG 18 is listed twice/);
  });
});
