// scripts/e2e/setup-env.sh refuses, before touching apt or Docker, on a host that is not Debian
// and where a Docker engine it did not start is running. The refusals are driven by environment
// overrides (another os-release, another state directory): the engine the tests use stays up.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/workspace.js";

const dir = mkdtempSync(join(tmpdir(), "pgbake-setup-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const setupEnv = (env: Record<string, string>) =>
  execa("bash", [join(repoRoot, "scripts/e2e/setup-env.sh")], { env: { ...env, PGBAKE_E2E_PREFLIGHT_ONLY: "1" }, reject: false, all: true });

describe("setup-env.sh preflight", () => {
  it("refuses a host that is not Debian, naming what it read", async () => {
    writeFileSync(join(dir, "os-release"), 'ID=ubuntu\nID_LIKE=debian\n');
    const r = await setupEnv({ PGBAKE_E2E_OS_RELEASE: join(dir, "os-release") });
    expect(r.exitCode).toBe(1);
    expect(r.all).toMatch(/refusing: .*runs on Debian only; .*os-release says ID=ubuntu/);
  });

  it("refuses when a Docker engine it did not start is running (no pid of its own in the state directory)", async () => {
    const r = await setupEnv({ PGBAKE_E2E_STATE: join(dir, "state") });
    expect(r.exitCode).toBe(1);
    expect(r.all).toMatch(/refusing: a Docker engine this script did not start is listening on \/var\/run\/docker\.sock/);
  });

  it("passes on this Debian machine with the engine it started", async () => {
    const r = await setupEnv({});
    expect(r.all).toMatch(/preflight ok/);
    expect(r.exitCode).toBe(0);
  });

  it("scopes Check-Valid-Until to the sid source it adds", async () => {
    const r = await execa("bash", ["-c", `source ${join(repoRoot, "scripts/e2e/lib.sh")}; source ${join(repoRoot, "scripts/e2e/packages.sh")}; declare -f setup_sid_source`]);
    expect(r.stdout).toContain("Check-Valid-Until: no");
    expect(r.stdout).not.toMatch(/apt\.conf\.d/);
  });
});
