// scripts/e2e/setup-env.sh refuses, before touching apt or Docker, on a host that is not Debian
// and where a Docker engine it did not start is running. The refusals are driven by environment
// overrides (another os-release, another state directory): the engine the tests use stays up.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/workspace.js";

const dir = mkdtempSync(join(tmpdir(), "pgbake-setup-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const setupEnv = (env: Record<string, string>) => execa("bash", [join(repoRoot, "scripts/e2e/setup-env.sh")], { env: { ...env, PGBAKE_E2E_PREFLIGHT_ONLY: "1" }, reject: false, all: true });

describe("setup-env.sh preflight", () => {
  it("refuses a host that is not Debian, naming what it read", async () => {
    writeFileSync(join(dir, "os-release"), "ID=ubuntu\nID_LIKE=debian\n");
    const r = await setupEnv({ PGBAKE_E2E_OS_RELEASE: join(dir, "os-release") });
    expect(r.exitCode).toBe(1);
    expect(r.all).toMatch(/refusing: .*runs on Debian only; .*os-release says ID=ubuntu/);
  });

  it("refuses when a Docker engine it did not start is listening (no pid of its own in the state directory)", async () => {
    const sock = join(dir, "live.sock");
    const server = createServer((c) => c.end());
    await new Promise<void>((ok) => server.listen(sock, ok));
    try {
      const r = await setupEnv({ PGBAKE_E2E_STATE: join(dir, "state"), PGBAKE_E2E_DOCKER_SOCK: sock, PGBAKE_CI: "0" });
      expect(r.exitCode).toBe(1);
      expect(r.all).toContain(`refusing: a Docker engine this script did not start is listening on ${sock}`);
      // CI's disposable machine keeps using such an engine, as setup-env.sh always did there.
      const ci = await setupEnv({ PGBAKE_E2E_STATE: join(dir, "state"), PGBAKE_E2E_DOCKER_SOCK: sock, PGBAKE_CI: "1" });
      expect(ci.all).toMatch(/warning: a Docker engine this script did not start .*PGBAKE_CI=1, so using it[\s\S]*preflight ok/);
      expect(ci.exitCode).toBe(0);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it("takes a socket file nobody listens on (left by a dockerd that is gone) for no engine", async () => {
    const sock = join(dir, "stale.sock");
    // A listener killed with SIGKILL leaves its socket file behind, as a dockerd that died does.
    await execa("node", ["-e", 'require("net").createServer().listen(process.argv[1], () => process.kill(process.pid, "SIGKILL"))', sock], { reject: false });
    expect(statSync(sock).isSocket()).toBe(true);
    const r = await setupEnv({ PGBAKE_E2E_STATE: join(dir, "state"), PGBAKE_E2E_DOCKER_SOCK: sock, PGBAKE_CI: "0" });
    expect(r.all).toMatch(/preflight ok/);
    expect(r.exitCode).toBe(0);
  });

  it("passes on this Debian machine with the engine it started", async () => {
    const r = await setupEnv({});
    expect(r.all).toMatch(/preflight ok/);
    expect(r.exitCode).toBe(0);
  });

  it("runs the engine and the registry it started from /, so a deleted checkout cannot break BuildKit's git sources", () => {
    const state = process.env.PGBAKE_E2E_STATE ?? "/var/lib/pgbake-e2e";
    for (const daemon of ["dockerd", "registry"]) {
      const pid = readFileSync(join(state, `${daemon}.pid`), "utf8").trim();
      expect(readlinkSync(`/proc/${pid}/cwd`), daemon).toBe("/");
    }
  });

  it("scopes Check-Valid-Until to the sid source it adds", async () => {
    const r = await execa("bash", ["-c", `source ${join(repoRoot, "scripts/e2e/lib.sh")}; source ${join(repoRoot, "scripts/e2e/packages.sh")}; declare -f setup_sid_source`]);
    expect(r.stdout).toContain("Check-Valid-Until: no");
    expect(r.stdout).not.toMatch(/apt\.conf\.d/);
  });
});

// ensure_space runs against the real free space of a temporary state directory; `docker` is a
// stand-in that records its arguments, so that these tests never prune the engine the other
// tests build with.
describe("setup-env.sh ensure_space", () => {
  const state = join(dir, "space-state");
  const calls = join(dir, "docker-calls");
  const ensureSpace = (env: Record<string, string>) => {
    mkdirSync(join(state, "registry/data"), { recursive: true });
    writeFileSync(join(state, "registry/data/pushed"), "a user's image\n");
    writeFileSync(calls, "");
    const script = [
      `source ${join(repoRoot, "scripts/e2e/lib.sh")}`,
      `source ${join(repoRoot, "scripts/e2e/daemons.sh")}`,
      `source ${join(repoRoot, "scripts/e2e/space.sh")}`,
      `DOCKER=${join(dir, "docker")}`,
      'start_registry() { log "registry started"; }',
      "ensure_space",
    ].join("\n");
    return execa("bash", ["-c", script], { env: { ...env, PGBAKE_E2E_STATE: state }, reject: false, all: true });
  };
  writeFileSync(join(dir, "docker"), `#!/bin/sh\necho "$*" >> ${calls}\n`, { mode: 0o755 });

  it("touches nothing when the disk has the room the run needs", async () => {
    const r = await ensureSpace({ PGBAKE_E2E_MIN_FREE_GB: "0", PGBAKE_CI: "1" });
    expect(r.all).toMatch(/disk: \d+ GB free under .*space-state \(the e2e run needs 0\)/);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(calls, "utf8")).toBe("");
    expect(existsSync(join(state, "registry/data/pushed"))).toBe(true);
  });

  it("prunes its engine's cache when short and, on a user's machine, keeps the registry and stops naming both numbers", async () => {
    const r = await ensureSpace({ PGBAKE_E2E_MIN_FREE_GB: "1000000", PGBAKE_CI: "0" });
    expect(readFileSync(calls, "utf8").split("\n").filter(Boolean)).toEqual(["container prune -f", "builder prune -af", "image prune -af"]);
    expect(r.all).toMatch(/ERROR: disk: only \d+ GB free under .*space-state after pruning the build cache, and the e2e run needs 1000000\..*cleanup-env\.sh --keep-cache/);
    expect(r.exitCode).toBe(1);
    expect(existsSync(join(state, "registry/data/pushed"))).toBe(true);
  });

  it("empties the registry on CI's own machine before giving up", async () => {
    const r = await ensureSpace({ PGBAKE_E2E_MIN_FREE_GB: "1000000", PGBAKE_CI: "1" });
    expect(r.all).toMatch(/PGBAKE_CI=1: emptying the local registry[\s\S]*registry started[\s\S]*ERROR: disk: only/);
    expect(existsSync(join(state, "registry/data/pushed"))).toBe(false);
    expect(r.exitCode).toBe(1);
  });
});
