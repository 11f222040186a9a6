// `source.build_options` reach the configure/cmake/meson line of the extension's own Dockerfile,
// quoted, and only that extension's: TimescaleDB's Apache-2.0 edition needs -DAPACHE_ONLY=ON.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bakePrint } from "./helpers/buildx.js";
import { repoRoot } from "./helpers/workspace.js";

describe("source build options", () => {
  it("reach the cmake line of the TimescaleDB images, and no other Dockerfile", async () => {
    const printed = await bakePrint(repoRoot, ["timescaledb", "postgis"]);
    const files = new Map<string, string[]>();
    for (const [name, t] of Object.entries(printed.target)) files.set(t.dockerfile!, [...(files.get(t.dockerfile!) ?? []), name]);
    const withOption = [...files.keys()].filter((f) => readFileSync(join(repoRoot, f), "utf8").includes("-DAPACHE_ONLY=ON"));
    expect(withOption).toHaveLength(1);
    const [optionFile = ""] = withOption;
    const users = files.get(optionFile)!;
    expect(users.length).toBeGreaterThanOrEqual(4);
    expect(users.every((t) => t.startsWith("timescaledb-"))).toBe(true);
    const text = readFileSync(join(repoRoot, optionFile), "utf8");
    expect(text).toMatch(/cmake -S \. -B build [^\n]*-DTAP_CHECKS=OFF -DAPACHE_ONLY=ON; cmake --build build/);
  });
});
