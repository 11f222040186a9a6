// An extension that lacks a platform on one base is dropped there with its reason and kept where it
// fits; one that fits no base at all is an input error naming the extension file (tests/corpus).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { copyDefaults } from "./helpers/workspace.js";

describe("platform filtering", () => {
  it("keeps pgvector on an amd64-only base and drops it from the multi-arch one, with the reason", () => {
    const work = copyDefaults();
    try {
      const ext = join(work.extensions, "pgvector.yaml");
      writeFileSync(ext, `${readFileSync(ext, "utf8")}platforms: [linux/amd64]\n`);
      const config = readFileSync(work.config, "utf8").replace("    codename: trixie\n", "    codename: trixie\n    platforms: [linux/amd64]\n");
      expect(config).toContain("platforms: [linux/amd64]");
      writeFileSync(work.config, config);
      const { plan } = planFrom({ config: work.config, extensions: work.extensions });
      const op = (n: string) => plan.operands.find((o) => o.name === n)!;
      expect(op("postgresql-vector-17-minimal-trixie").kept.map((k) => k.name)).toEqual(["pgvector"]);
      expect(op("postgresql-vector-17-minimal-trixie").platforms).toEqual(["linux/amd64"]);
      expect(op("postgresql-vector-17-minimal-bookworm").excluded).toEqual([{ name: "pgvector", excludedBecause: "platform linux/arm64 not supported" }]);
    } finally {
      work.cleanup();
    }
  });
});
