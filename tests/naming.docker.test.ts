// A flavor published under a namespaced repository (`team/pg`) still gives bake names buildx accepts.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bakePrint } from "./helpers/buildx.js";
import { pgbake } from "./helpers/cli.js";
import { copyDefaults } from "./helpers/workspace.js";

describe("namespaced flavor images", () => {
  it("become group and target names with '-' and tags with '/'", async () => {
    const work = copyDefaults();
    try {
      const config = readFileSync(work.config, "utf8").replace(
        "  vector:\n    description: vector similarity search\n",
        "  vector:\n    description: vector similarity search\n    image: team/pg-vector\n",
      );
      expect(config).toContain("image: team/pg-vector");
      writeFileSync(work.config, config);
      const r = await pgbake(["generate", "--config", work.config, "--extensions", work.extensions]);
      expect(r.exitCode, r.stderr).toBe(0);
      const p = await bakePrint(work.dir, ["team-pg-vector"], { timestamp: "202611211200" });
      expect(p.group?.["team-pg-vector"]?.targets).toContain("team-pg-vector-17-minimal-bookworm");
      expect(p.target["team-pg-vector-17-minimal-bookworm"]!.tags).toContain("localhost:5000/team/pg-vector:17-minimal-bookworm");
    } finally {
      work.cleanup();
    }
  });
});
