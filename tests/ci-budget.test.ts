// The CI budget guard of the costliest e2e suites (tests/helpers/ci-budget.ts): a suite runs while
// what is left of the budget holds it, is skipped (saying why) once it cannot, and always runs
// outside CI.
import { afterEach, describe, expect, it, vi } from "vitest";

const load = async (env: Record<string, string | undefined>) => {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return (await import("./helpers/ci-budget.js")).fitsCiBudget;
};
afterEach(() => vi.unstubAllEnvs());

describe("fitsCiBudget", () => {
  it("runs every suite outside CI", async () => {
    const fits = await load({ PGBAKE_CI_STARTED: "" });
    expect(fits("x", 10_000)).toBe(true);
  });

  it("runs a suite that fits what is left, skips one that does not and says why", async () => {
    const started = 1_000_000;
    const fits = await load({ PGBAKE_CI_STARTED: String(started), PGBAKE_CI_BUDGET_MINUTES: "70" });
    const said: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s) => (said.push(String(s)), true));
    expect(fits("early", 30, started + 39 * 60)).toBe(true); // 39 + 30 = 69
    expect(fits("late", 30, started + 41 * 60)).toBe(false); // 41 + 30 = 71
    spy.mockRestore();
    expect(said).toEqual([expect.stringContaining("late skipped: 41 of 70 minutes used and it takes about 30 cold")]);
  });
});
