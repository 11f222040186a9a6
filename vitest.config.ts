import { defineConfig } from "vitest/config";

// Tests that run docker: buildx reads (--print, --check), real builds, the local registry. They
// run one file at a time, after the pure tests (which run in parallel); the e2e files last,
// sharing one build of the e2e config (tests/e2e/setup.ts).
const docker = [
  "tests/bake-file.test.ts",
  "tests/bake-files.test.ts",
  "tests/bake-print.test.ts",
  "tests/build-options.test.ts",
  "tests/catalog.test.ts",
  "tests/check.test.ts",
  "tests/examples.test.ts",
  "tests/injection.test.ts",
  "tests/majors.test.ts",
  "tests/naming.test.ts",
  "tests/property.test.ts",
  "tests/release.test.ts",
  "tests/taskfile.test.ts",
  "tests/update-sources-bases.test.ts",
];

export default defineConfig({
  test: {
    // Real buildx and real builds are slow on two cores; nothing here asserts on time.
    testTimeout: 600_000,
    hookTimeout: 3_600_000,
    reporters: ["default"],
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      { extends: true, test: { name: "pure", include: ["tests/*.test.ts"], exclude: docker, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "docker", include: docker, fileParallelism: false, sequence: { groupOrder: 1 } } },
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
