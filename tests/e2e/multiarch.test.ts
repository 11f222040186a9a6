// One operand image for linux/amd64 and linux/arm64 (arm64 through qemu-user-static), pushed as
// one index, with a package extension and the source-built fixture taken through bake contexts
// from extension images that the plan gives both platforms. If a context target covered only
// amd64, buildx would copy amd64 libraries into the arm64 image (docker/buildx#2486): the arm64
// server would then fail CREATE EXTENSION, and the ELF check below names the culprit file.
import { beforeAll, describe, expect, it } from "vitest";
import { docker, e2eMultiarchConfig, e2ePlan, generateAndBake, imageRef } from "../helpers/e2e.js";
import { extensionSql, PgContainer } from "../helpers/postgres.js";

const { plan, catalog, config } = e2ePlan(e2eMultiarchConfig);
const operand = plan.operands[0]!;
const extensionImages = plan.extensionImages.filter((t) => operand.kept.some((k) => k.imageTarget === t.name));
const ref = (target: { tags: string[] }) => imageRef(target, config.registry);
// ELF e_machine (bytes 18-19, little-endian) per platform.
const elfMachine: Record<string, string> = { "linux/amd64": "3e 00", "linux/arm64": "b7 00" };
const libraries = ["vector.so", "pgbake_fixture.so"];

interface Index {
  mediaType: string;
  manifests: { platform?: { os: string; architecture: string } }[];
}

async function indexPlatforms(image: string): Promise<string[]> {
  const { stdout } = await docker(["buildx", "imagetools", "inspect", "--raw", image]);
  const index = JSON.parse(stdout) as Index;
  expect(index.mediaType).toBe("application/vnd.oci.image.index.v1+json");
  // Attestation manifests carry platform unknown/unknown; the images are the others.
  return index.manifests
    .map((m) => m.platform)
    .filter((p) => p && p.os !== "unknown")
    .map((p) => `${p!.os}/${p!.architecture}`)
    .sort();
}

beforeAll(async () => {
  // Only this operand and the extension images it uses: emulating the rest would only cost time.
  const run = await generateAndBake(e2eMultiarchConfig, ["--push", operand.name, ...extensionImages.map((t) => t.name)]);
  expect(run.exitCode, run.output.slice(-4000)).toBe(0);
  console.log(`multiarch bake --push: ${run.seconds.toFixed(0)} s`);
});

describe("the multi-platform operand image", () => {
  it("is planned for both platforms, and so is every extension image it copies from", () => {
    expect(plan.operands).toHaveLength(1);
    expect(operand.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(extensionImages.map((t) => t.extension).sort()).toEqual(["pgbake_fixture", "pgvector"]);
    for (const t of extensionImages) expect(t.platforms).toEqual(operand.platforms);
  });

  it("is one index in the registry with an amd64 and an arm64 image, as is each extension image", async () => {
    expect(await indexPlatforms(ref(operand))).toEqual(["linux/amd64", "linux/arm64"]);
    for (const t of extensionImages) expect(await indexPlatforms(ref(t)), t.name).toEqual(["linux/amd64", "linux/arm64"]);
  });

  for (const platform of ["linux/amd64", "linux/arm64"])
    it(`runs PostgreSQL on ${platform} with both extensions, built for that platform`, async () => {
      await docker(["pull", "-q", "--platform", platform, ref(operand)]);
      const pg = await PgContainer.start(ref(operand), [], platform);
      try {
        const arch = await pg.exec(["uname", "-m"]);
        expect(arch.stdout.trim()).toBe(platform === "linux/arm64" ? "aarch64" : "x86_64");
        const libdir = (await pg.exec(["pg_config", "--pkglibdir"])).stdout.trim();
        for (const lib of libraries) {
          const machine = await pg.exec(["od", "-An", "-t", "x1", "-j", "18", "-N", "2", `${libdir}/${lib}`]);
          expect(machine.stdout.trim(), `${lib} on ${platform}`).toBe(elfMachine[platform]);
        }
        for (const kept of operand.kept) {
          const spec = catalog.extensions.find((e) => e.name === kept.name)!;
          const r = await pg.sql(extensionSql(spec.sql_names.length > 0 ? spec.sql_names : [spec.name], spec.smoke_test));
          expect(r.exitCode, `${kept.name} on ${platform}: ${r.stderr}`).toBe(0);
          expect(r.stdout.trim().split("\n").pop(), kept.name).not.toBe("f");
        }
      } finally {
        await pg.remove();
      }
    });
});
