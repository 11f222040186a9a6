// One operand image for linux/amd64 and linux/arm64 (arm64 through qemu-user-static), pushed as
// one index, with a package extension and the source-built fixture taken through bake contexts
// from extension images that the plan gives both platforms. If a context target covered only
// amd64, buildx would copy amd64 libraries into the arm64 image (docker/buildx#2486): the arm64
// server would then fail CREATE EXTENSION, and the ELF check below names the culprit file.
// Each platform's operand image is proven by `pgbake test --platform`; the extension images are
// proven through it (the plan has no operand without them for `pgbake test` to try them in alone).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitsCiBudget } from "../helpers/ci-budget.js";
import { docker, e2eExtensions, e2eMultiarchConfig, e2ePlan, generateAndBake, imageRef, pgbakeTest } from "../helpers/e2e.js";
import { tempDir } from "../helpers/workspace.js";

const { plan, config } = e2ePlan(e2eMultiarchConfig);
const work = tempDir("pgbake-e2e-multiarch-");
afterAll(() => work.cleanup());
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

// arm64 under qemu is the slowest build here.
const enabled = process.env.PGBAKE_E2E_MULTIARCH !== "0" && fitsCiBudget("the multi-platform e2e", 14);

beforeAll(async () => {
  if (!enabled) return;
  // Only this operand and the extension images it uses: emulating the rest would only cost time.
  const run = await generateAndBake(e2eMultiarchConfig, ["--push", operand.name, ...extensionImages.map((t) => t.name)]);
  expect(run.exitCode, run.output.slice(-4000)).toBe(0);
  console.log(`multiarch bake --push: ${run.seconds.toFixed(0)} s`);
});

describe.runIf(enabled)("the multi-platform operand image", () => {
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
    it(`runs PostgreSQL on ${platform} with both extensions, built for that platform (pgbake test --platform ${platform})`, async () => {
      // The libraries' ELF machine and the kernel's view of the machine, in a container of that platform.
      await docker(["pull", "-q", "--platform", platform, ref(operand)]);
      const read = `cd "$(pg_config --pkglibdir)" && for f in ${libraries.join(" ")}; do od -An -t x1 -j 18 -N 2 "$f"; done; uname -m`;
      const elf = await docker(["run", "--rm", "--platform", platform, "--entrypoint", "sh", ref(operand), "-c", read]);
      const lines = elf.stdout
        .trim()
        .split("\n")
        .map((l) => l.trim());
      expect(lines.pop()).toBe(platform === "linux/arm64" ? "aarch64" : "x86_64");
      expect(lines, `${libraries.join(", ")} on ${platform}`).toEqual(libraries.map(() => elfMachine[platform]));

      const paths = ["--config", e2eMultiarchConfig, "--extensions", e2eExtensions];
      const { exitCode, output, report } = await pgbakeTest(["--platform", platform, operand.name], join(work.dir, platform.replace("/", "-")), paths);
      const t = report.totals;
      console.log(`pgbake test --platform ${platform}: ${t.images} images, ${t.extensions} extensions, ${t.checks} checks in ${t.seconds.toFixed(0)} s`);
      expect(exitCode, output.slice(-6000)).toBe(0);
      expect(report.subjects.map((s) => [s.target, s.mode, s.image])).toEqual([[operand.name, "operand", ref(operand)]]);
      const checks = report.subjects[0]!.checks;
      expect(checks.filter((c) => c.status !== "passed")).toEqual([]);
      // pgbake test ran the server on that platform, not on another image under the same tag.
      expect(checks.find((c) => c.name === `runs on ${platform}`)).toMatchObject({ status: "passed", detail: platform === "linux/arm64" ? "aarch64" : "x86_64" });
      for (const n of ["vector", "pgbake_fixture"])
        expect(
          checks.map((c) => c.name),
          n,
        ).toContain(`CREATE EXTENSION ${n}`);
      expect(report.subjects[0]!.extensionsChecked).toBe(2);
    });
});
