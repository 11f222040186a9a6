// One operand image for linux/amd64 and linux/arm64 (arm64 through qemu-user-static), pushed as
// one index, and the arm64 image starts PostgreSQL under emulation.
import { beforeAll, describe, expect, it } from "vitest";
import { docker, e2eMultiarchConfig, e2ePlan, generateAndBake, imageRef } from "../helpers/e2e.js";
import { PgContainer } from "../helpers/postgres.js";

const { plan } = e2ePlan(e2eMultiarchConfig);
const operand = plan.operands[0]!;

interface Index {
  mediaType: string;
  manifests: { platform?: { os: string; architecture: string }; annotations?: Record<string, string> }[];
}

beforeAll(async () => {
  // Only the operand image (and what it needs): the catalog's extension images are the main
  // e2e config's, and emulating their builds would only cost time.
  const run = await generateAndBake(e2eMultiarchConfig, ["--push", operand.name]);
  expect(run.exitCode, run.output.slice(-4000)).toBe(0);
  console.log(`multiarch bake --push: ${run.seconds.toFixed(0)} s`);
});

describe("the multi-platform operand image", () => {
  it("is planned for both platforms", () => {
    expect(plan.operands).toHaveLength(1);
    expect(operand.platforms).toEqual(["linux/amd64", "linux/arm64"]);
  });

  it("is one index in the registry with an amd64 and an arm64 image", async () => {
    const { stdout } = await docker(["buildx", "imagetools", "inspect", "--raw", imageRef(operand)]);
    const index = JSON.parse(stdout) as Index;
    expect(index.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    // Attestation manifests carry platform unknown/unknown; the images are the others.
    const platforms = index.manifests
      .map((m) => m.platform)
      .filter((p) => p && p.os !== "unknown")
      .map((p) => `${p!.os}/${p!.architecture}`);
    expect(platforms.sort()).toEqual(["linux/amd64", "linux/arm64"]);
  });

  it("runs PostgreSQL on arm64", async () => {
    await docker(["pull", "-q", "--platform", "linux/arm64", imageRef(operand)]);
    const pg = await PgContainer.start(imageRef(operand), [], "linux/arm64");
    try {
      const arch = await pg.exec(["uname", "-m"]);
      expect(arch.stdout.trim()).toBe("aarch64");
      const r = await pg.sql("CREATE EXTENSION pg_trgm; SELECT similarity('pgbake', 'pgbake')");
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim().split("\n").pop()).toBe("1");
    } finally {
      await pg.remove();
    }
  });
});
