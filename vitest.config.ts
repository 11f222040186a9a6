import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// The file name says where a test runs:
// - tests/*.test.ts: unit. pgbake in this process (its modules, and its CLI's `main` through
//   tests/helpers/cli-in-process.ts); no docker. Files in parallel, first: what a contributor runs
//   after each change.
// - tests/*.process.test.ts: pgbake as a running program, the built CLI in child processes
//   (killed at every step, read through pipes, run side by side, timed out by hostile servers);
//   no docker. Files in parallel, after the unit files.
// - tests/*.docker.test.ts: docker (buildx reads, real builds, the local registry), one at a time.
// - tests/e2e/**: last, sharing one build of the e2e config (tests/e2e/setup.ts).
// tests/test-split.test.ts refuses a unit-named file that runs the built CLI or calls docker, and a
// process-named file that calls docker.
const docker = "tests/*.docker.test.ts";
const processTests = "tests/*.process.test.ts";

export default defineConfig({
  test: {
    // Real buildx and real builds are slow on two cores; nothing here asserts on time.
    testTimeout: 600_000,
    hookTimeout: 3_600_000,
    // Every core (two at least): unit files are CPU-bound in-process work, process files mostly wait on children.
    maxWorkers: Math.max(2, availableParallelism()),
    reporters: ["default"],
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/*.test.ts"], exclude: [docker, processTests], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "process", include: [processTests], sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: "docker", include: [docker], fileParallelism: false, sequence: { groupOrder: 2 } } },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          fileParallelism: false,
          globalSetup: ["tests/e2e/setup.ts"],
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
