import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Real buildx and real builds are slow on two cores; nothing here asserts on time.
    testTimeout: 600_000,
    hookTimeout: 3_600_000,
    fileParallelism: false,
    reporters: ["default"],
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
