// `--upgrade-from`: a data directory made by an older image, with every extension created there,
// started by the new image; ALTER EXTENSION ... UPDATE for each, its version before and after
// reported, the smoke tests run. The data directory is a docker volume, removed afterwards.
// For an operand image the older image is an older operand; for an extension image it is the
// older extension image, mounted the CloudNativePG way in the same operand (as a Cluster whose
// extension `image.reference` moves on), PostgreSQL 18 and later only.
import { posix } from "node:path";
import { extensionConfiguration, imageVolumeMinMajor, imageVolumeRun, type ExtensionConfiguration, type ImageVolumeRun } from "./cnpg.js";
import { createAndSmokeTest, smokeTest } from "./checks.js";
import { startChecked, type RunContext } from "./operand.js";
import { CheckFailure, Recorder, type SubjectResult, type VersionChange } from "./results.js";
import { serverLogCheck } from "./server-log.js";
import { psqlError, quoteIdent, quoteLiteral, type PgServer, type ServerOptions } from "./server.js";
import { preloadFor, type ExtensionImageSubject, type ExtensionUnderTest, type OperandSubject } from "./subjects.js";

/** One upgrade: the server before and after (without the data volume) and the extensions to carry over. */
export interface UpgradeCase {
  target: string;
  image: string;
  /** The older image, for the report. */
  from: string;
  before: ServerOptions;
  after: ServerOptions;
  extensions: ExtensionUnderTest[];
}

export function operandUpgrade(s: OperandSubject, from: string): UpgradeCase {
  const old = upgradeSource(from, s.image);
  // The new image gets the preload list its plan gives (a Cluster's configuration, not the old postgresql.conf).
  const settings = s.preload.length > 0 ? { shared_preload_libraries: s.preload.join(",") } : undefined;
  return { target: s.target, image: s.image, from: old, before: { image: old }, after: { image: s.image, settings }, extensions: s.extensions };
}

/** The upgrade of a mounted extension image; `skip` when there is none to test, `fail` when it cannot be tested. */
export function extensionUpgrade(
  s: ExtensionImageSubject,
  from: string,
  imageVolume: (entries: ExtensionConfiguration[]) => ImageVolumeRun = imageVolumeRun,
): UpgradeCase | { skip: string } | { fail: string } {
  if (s.extension.kind !== "tool" && s.major < imageVolumeMinMajor) return { skip: `PostgreSQL ${s.major} cannot mount extension images (no extension_control_path)` };
  if (s.extension.sqlNames.length === 0) return { skip: `${s.extension.name} has no SQL objects to update` };
  if (!s.operand) return { fail: `the plan has no operand image of PostgreSQL ${s.major} on ${s.base} without ${s.extension.name} to mount it in: give one with --operand IMAGE` };
  const old = upgradeSource(from, s.image);
  const preload = preloadFor(s);
  const server = (ownImage: string): ServerOptions => {
    const run = imageVolume(s.mounts.map((m, i) => extensionConfiguration(i === s.mounts.length - 1 ? { ...m, image: ownImage } : m)));
    const settings = { ...run.settings, ...(preload.length > 0 ? { shared_preload_libraries: preload.join(",") } : {}) };
    return { image: s.operand!.image, imageMounts: run.mounts, settings, env: run.env };
  };
  return { target: s.target, image: s.image, from: old, before: server(old), after: server(s.image), extensions: [...s.required, s.extension] };
}

/**
 * A tag or a digest alone names the same repository (a digest as `repo@sha256:...`, the way a
 * user copies one from a registry listing); anything else with a `/` or `:` is a whole image reference.
 */
export function upgradeSource(from: string, image: string): string {
  const repo = image.replace(/@.*$/, "").replace(/:[^:/]*$/, "");
  if (/^sha256:[0-9a-f]{64}$/.test(from)) return `${repo}@${from}`;
  if (/[/:]/.test(from)) return from;
  return `${repo}:${from}`;
}

async function versions(pg: PgServer): Promise<Map<string, string>> {
  const r = await pg.sql("SELECT extname || '=' || extversion FROM pg_extension");
  if (r.exitCode !== 0) throw new CheckFailure(psqlError(r.stderr));
  return new Map(
    r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("=", 2) as [string, string]),
  );
}

async function available(pg: PgServer): Promise<Set<string>> {
  const r = await pg.sql("SELECT name FROM pg_available_extensions");
  return new Set(r.stdout.split("\n").filter(Boolean));
}

export async function testUpgrade(ctx: RunContext, s: UpgradeCase): Promise<SubjectResult> {
  const started = Date.now();
  const rec = new Recorder(ctx.onCheck);
  const old = s.from;
  const changes: VersionChange[] = [];
  let extensionsChecked = 0;
  let logs: string | undefined;
  const result = (): SubjectResult => ({
    target: s.target,
    image: s.image,
    mode: "upgrade",
    checks: rec.checks,
    seconds: (Date.now() - started) / 1000,
    extensionsChecked,
    versions: changes,
    note: `from ${old}`,
    ...(logs ? { logs } : {}),
  });
  const pgdata = (await ctx.docker.run(["image", "inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", s.after.image])).stdout
    .split("\n")
    .find((l) => l.startsWith("PGDATA="))
    ?.slice("PGDATA=".length);
  if (!pgdata) {
    rec.fail("data directory", `${s.after.image} sets no PGDATA: pgbake test knows no place for the data directory`);
    return result();
  }
  const volume = (await ctx.docker.must(["volume", "create", "--label", "dev.pgbake.test=1"])).trim();
  ctx.docker.own("volume", volume);
  // The volume holds PGDATA's parent, which the image owns as uid 26: docker copies that ownership in.
  const mount = { name: volume, target: posix.dirname(pgdata) };
  try {
    const before = await startChecked(ctx, rec, { ...s.before, volume: mount }, `old image ${old} accepts connections`);
    if (!before.server) {
      logs = before.logs;
      return result();
    }
    const created: ExtensionUnderTest[] = [];
    let oldVersions = new Map<string, string>();
    try {
      const offered = await available(before.server);
      for (const ext of s.extensions) {
        if (ext.sqlNames.length === 0) continue;
        if (!ext.sqlNames.every((n) => offered.has(n))) {
          rec.skip(`${ext.name} in the old image`, `${old} does not offer ${ext.name}: nothing to update`);
          continue;
        }
        const ok = await rec.check(`${ext.name} created by the old image`, async () => {
          for (const n of ext.sqlNames) {
            const r = await before.server!.sql(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(n)} CASCADE`);
            if (r.exitCode !== 0) throw new CheckFailure(`${ext.name}: CREATE EXTENSION ${n} failed in ${old}: ${psqlError(r.stderr)}`);
          }
          return undefined;
        });
        if (ok) created.push(ext);
      }
      oldVersions = await versions(before.server);
    } finally {
      await before.server.stop();
      await before.server.remove();
    }

    const after = await startChecked(ctx, rec, { ...s.after, volume: mount }, `${s.image} starts on the old data directory`);
    if (!after.server) {
      logs = after.logs;
      return result();
    }
    const pg = after.server;
    try {
      for (const ext of s.extensions) {
        if (!created.includes(ext)) {
          // New in this image: created and smoke tested like on a fresh cluster.
          extensionsChecked += await createAndSmokeTest(rec, pg, ext);
          continue;
        }
        let updated = true;
        for (const n of ext.sqlNames) {
          const change: VersionChange = { extension: ext.name, sqlName: n, before: oldVersions.get(n) };
          changes.push(change);
          updated &&= await rec.check(`ALTER EXTENSION ${n} UPDATE`, async () => {
            const target = (await pg.sql(`SELECT default_version FROM pg_available_extensions WHERE name = ${quoteLiteral(n)}`)).stdout.trim();
            const r = await pg.sql(`ALTER EXTENSION ${quoteIdent(n)} UPDATE`);
            if (r.exitCode !== 0) throw new CheckFailure(`${ext.name}: ALTER EXTENSION ${n} UPDATE from ${change.before ?? "?"} to ${target || "?"} failed: ${psqlError(r.stderr)}`);
            change.after = (await versions(pg)).get(n);
            return `${change.before ?? "?"} -> ${change.after ?? "?"}`;
          });
        }
        if (updated) {
          extensionsChecked += ext.sqlNames.length;
          await smokeTest(rec, pg, ext);
        }
      }
      if (ctx.deep)
        await serverLogCheck(
          rec,
          pg,
          s.extensions.flatMap((e) => e.expectedLog),
        );
      if (rec.failed) logs = await pg.logs();
    } finally {
      await pg.remove();
    }
  } finally {
    await ctx.docker.release("volume", volume);
  }
  return result();
}
