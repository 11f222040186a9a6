import { defineConfig } from "vitest/config";

// The file name says where a test runs. tests/*.docker.test.ts need docker (buildx reads, real
// builds, the local registry) and run one at a time; every other tests/*.test.ts is pure (no
// docker) and runs in parallel first; tests/e2e/** run last, sharing one build of the e2e config
// (tests/e2e/setup.ts). tests/test-split.test.ts refuses a pure-named file that calls docker.
const docker = "tests/*.docker.test.ts";

export default defineConfig({
  test: {
    // Real buildx and real builds are slow on two cores; nothing here asserts on time.
    testTimeout: 600_000,
    hookTimeout: 3_600_000,
    reporters: ["default"],
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      { extends: true, test: { name: "pure", include: ["tests/*.test.ts"], exclude: [docker], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "docker", include: [docker], fileParallelism: false, sequence: { groupOrder: 1 } } },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          fileParallelism: false,
          globalSetup: ["tests/e2e/setup.ts"],
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
