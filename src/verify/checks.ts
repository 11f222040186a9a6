// The checks that a running server passes, shared by operand images, mounted extension images and
// upgrades. Each returns what it saw (for the report) or throws a CheckFailure saying what is wrong.
import { shellWord } from "../model/shell.js";
import type { Docker } from "./docker.js";
import { CheckFailure, expect, type Recorder } from "./results.js";
import { psqlError, quoteIdent, quoteLiteral, type PgServer } from "./server.js";
import type { DroppedExtension, ExtensionUnderTest } from "./subjects.js";

/**
 * CREATE EXTENSION for each SQL name, then the smoke test. What the extension requires was
 * created before it; CASCADE only covers a control file's dependencies that the catalog does
 * not list as extensions of its own (plpgsql, ...).
 */
export async function createAndSmokeTest(rec: Recorder, pg: PgServer, ext: ExtensionUnderTest): Promise<number> {
  let created = 0;
  for (const sqlName of ext.sqlNames) {
    const ok = await rec.check(`CREATE EXTENSION ${sqlName}`, async () => {
      const r = await pg.sql(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(sqlName)} CASCADE;\nSELECT extversion FROM pg_extension WHERE extname = ${quoteLiteral(sqlName)};`);
      if (r.exitCode !== 0) throw new CheckFailure(`${ext.name}: CREATE EXTENSION ${sqlName} failed: ${psqlError(r.stderr)}`);
      return `version ${r.stdout.trim()}`;
    });
    if (ok) created++;
  }
  if (ext.smokeTest && created === ext.sqlNames.length) await smokeTest(rec, pg, ext);
  return created;
}

export async function smokeTest(rec: Recorder, pg: PgServer, ext: ExtensionUnderTest): Promise<boolean> {
  if (!ext.smokeTest) return true;
  return rec.check(`smoke test ${ext.name}`, async () => {
    const last = await runSmokeTest(pg, ext, "postgres", "smoke test");
    return last ? `returned ${last.slice(0, 60)}` : undefined;
  });
}

// psql prints NULL and an empty string alike; the marker tells a NULL last result (a smoke test
// whose comparison met a NULL proves nothing) from a statement that returns no value.
export const NULL_MARKER = "(pgbake-null)";

/**
 * Runs an entry's smoke test in `database`: its last result must not be false or NULL. `what` names
 * the run in messages ("smoke test", "smoke test after x 1.0 -> 1.1"). Returns that last line.
 */
export async function runSmokeTest(pg: PgServer, ext: ExtensionUnderTest, database: string, what: string): Promise<string> {
  const r = await pg.sql(`\\pset null '${NULL_MARKER}'\n${ext.smokeTest};`, database);
  if (r.exitCode !== 0) throw new CheckFailure(`${ext.name}: ${what} failed: ${psqlError(r.stderr)}`);
  return smokeResult(r.stdout, `${ext.name}: ${what}`, ext.smokeTest ?? "");
}

/** The last line of a smoke test's output; a CheckFailure when it is false or NULL. */
export function smokeResult(stdout: string, label: string, sql: string): string {
  const last = stdout.trim().split("\n").pop() ?? "";
  // A smoke test that is a boolean expression fails by returning false.
  expect(last !== "f", `${label} returned false: ${sql}`);
  expect(last !== NULL_MARKER, `${label} returned NULL: ${sql}`);
  return last;
}

export async function preloadCheck(rec: Recorder, pg: PgServer, expected: string[]): Promise<void> {
  await rec.check("shared_preload_libraries", async () => {
    const r = await pg.sql("SHOW shared_preload_libraries");
    if (r.exitCode !== 0) throw new CheckFailure(psqlError(r.stderr));
    const seen = r.stdout
      .trim()
      .split(",")
      .map((s) => s.trim().replace(/^"|"$/g, ""))
      .filter(Boolean);
    const want = [...new Set(expected)];
    expect(seen.length === want.length && want.every((w, i) => seen[i] === w), `shared_preload_libraries is '${seen.join(",")}', the plan says '${want.join(",")}'`);
    return seen.join(",") || "(empty)";
  });
}

/** A dropped extension must not be installable: no control file of it in the image. */
export async function droppedCheck(rec: Recorder, pg: PgServer, dropped: DroppedExtension): Promise<void> {
  const name = `${dropped.name} absent`;
  if (dropped.kind === "contrib") return rec.skip(name, "a contrib module ships with the server whatever the plan says");
  if (dropped.sqlNames.length === 0) return rec.skip(name, "no SQL name to look for");
  await rec.check(name, async () => {
    const list = dropped.sqlNames.map(quoteLiteral).join(", ");
    const r = await pg.sql(`SELECT name FROM pg_available_extensions WHERE name IN (${list}) ORDER BY 1`);
    if (r.exitCode !== 0) throw new CheckFailure(psqlError(r.stderr));
    const found = r.stdout.trim();
    expect(found === "", `${dropped.name} was dropped (${dropped.reason}) but the image offers ${found.split("\n").join(", ")}`);
    return `dropped: ${dropped.reason}`;
  });
}

/** The server process is uid 26 (CloudNativePG's postgres user) and so is the image's USER. */
export async function uidCheck(rec: Recorder, pg: PgServer, docker: Docker): Promise<void> {
  await rec.check("runs as uid 26", async () => {
    const status = await pg.exec(["cat", "/proc/1/status"]);
    const uid = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status.stdout);
    expect(uid?.[1] === "26" && uid[2] === "26", `the server runs as uid ${uid?.[1] ?? "?"}, not 26`);
    const user = (await docker.run(["image", "inspect", "-f", "{{.Config.User}}", pg.image])).stdout.trim();
    expect(user === "26" || user.startsWith("26:"), `the image's USER is '${user}', not 26`);
    return undefined;
  });
}

export async function majorCheck(rec: Recorder, pg: PgServer, major: number): Promise<void> {
  await rec.check(`PostgreSQL ${major}`, async () => {
    const r = await pg.sql("SHOW server_version");
    if (r.exitCode !== 0) throw new CheckFailure(psqlError(r.stderr));
    const version = r.stdout.trim();
    expect(Number.parseInt(version, 10) === major, `the server is PostgreSQL ${version}, the plan says ${major}`);
    return version;
  });
}

/** What `uname -m` says on each platform Docker runs (natively or through qemu). */
const machines: Record<string, string[]> = {
  "linux/amd64": ["x86_64"],
  "linux/arm64": ["aarch64"],
  "linux/arm64/v8": ["aarch64"],
  "linux/arm/v7": ["armv7l", "armv8l"],
  "linux/arm/v6": ["armv6l"],
  "linux/386": ["i686", "i386"],
  "linux/ppc64le": ["ppc64le"],
  "linux/s390x": ["s390x"],
  "linux/riscv64": ["riscv64"],
};

/** The server runs on the platform asked for (`--platform`), not on an image of another one under the same tag. */
export async function platformCheck(rec: Recorder, pg: PgServer, platform: string): Promise<void> {
  const name = `runs on ${platform}`;
  const expected = machines[platform];
  if (!expected) return rec.skip(name, `no machine name known for ${platform}`);
  await rec.check(name, async () => {
    const machine = (await pg.exec(["uname", "-m"])).stdout.trim();
    expect(expected.includes(machine), `the server runs on ${machine || "an unknown machine"}, not ${platform}`);
    return machine;
  });
}

const compilers = ["cc", "gcc", "clang", "c++", "g++"];

export async function noCompilerCheck(rec: Recorder, pg: PgServer): Promise<void> {
  await rec.check("no compiler", async () => {
    const script = compilers.map((c) => `command -v ${c} || true`).join("; ");
    const r = await pg.exec(["sh", "-c", script]);
    const found = r.stdout.trim();
    expect(found === "", `the image holds a compiler: ${found.split("\n").join(", ")}`);
    return undefined;
  });
}

/** A tool's binaries are on PATH (operand) or in the mounted image's bin/. */
export async function binariesCheck(rec: Recorder, pg: PgServer, tool: string, binaries: string[], dir?: string): Promise<void> {
  if (binaries.length === 0) return;
  await rec.check(`${tool} binaries`, async () => {
    const script = binaries.map((b) => (dir ? `test -x ${shellWord(`${dir}/${b}`)} || echo ${shellWord(b)}` : `command -v ${shellWord(b)} >/dev/null || echo ${shellWord(b)}`)).join("; ");
    const r = await pg.exec(["sh", "-c", script]);
    expect(r.stdout.trim() === "", `${tool}: missing ${r.stdout.trim().split("\n").join(", ")}`);
    return binaries.join(", ");
  });
}
