import { defineConfig } from "vitest/config";

// Tests that need neither docker nor a registry run in parallel; every other file runs one at a
// time after them (buildx reads, real builds, the local registry), and the e2e files last, sharing
// one build of the e2e config (tests/e2e/setup.ts). A new test file is serial until listed here.
const pure = [
  "tests/architecture.test.ts",
  "tests/catalog-layers.test.ts",
  "tests/ci-budget.test.ts",
  "tests/cli-commands.test.ts",
  "tests/cnpg-manifests.test.ts",
  "tests/compat.test.ts",
  "tests/composition.test.ts",
  "tests/corpus.test.ts",
  "tests/determinism.test.ts",
  "tests/dry-run.test.ts",
  "tests/errors.test.ts",
  "tests/extension-only.test.ts",
  "tests/first-use.test.ts",
  "tests/freshness.test.ts",
  "tests/grid.test.ts",
  "tests/import-cnpg.test.ts",
  "tests/input-edges.test.ts",
  "tests/input-shape.test.ts",
  "tests/install-source.test.ts",
  "tests/messages.test.ts",
  "tests/output-confinement.test.ts",
  "tests/pins-preview.test.ts",
  "tests/pipes.test.ts",
  "tests/plan.test.ts",
  "tests/process.test.ts",
  "tests/platform-filter.test.ts",
  "tests/reference-data.test.ts",
  "tests/scale.test.ts",
  "tests/reference-docs.test.ts",
  "tests/shared-helpers.test.ts",
  "tests/smoke-tests.test.ts",
  "tests/source-check.test.ts",
  "tests/suites.test.ts",
  "tests/update-debversion.test.ts",
  "tests/update-faults.test.ts",
  "tests/update-hostile-mirror.test.ts",
  "tests/update-pure.test.ts",
  "tests/update-suites.test.ts",
  "tests/update-yaml-edit.test.ts",
  "tests/verify-checks.test.ts",
  "tests/workflows.test.ts",
  "tests/write-concurrency.test.ts",
  "tests/write-faults.test.ts",
];

export default defineConfig({
  test: {
    // Real buildx and real builds are slow on two cores; nothing here asserts on time.
    testTimeout: 600_000,
    hookTimeout: 3_600_000,
    reporters: ["default"],
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      { extends: true, test: { name: "pure", include: pure, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "docker", include: ["tests/*.test.ts"], exclude: pure, fileParallelism: false, sequence: { groupOrder: 1 } } },
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
