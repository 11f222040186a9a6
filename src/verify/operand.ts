// An operand image, started as a user starts it: every kept extension created and smoke tested
// (what it requires first), the preload list as planned, dropped extensions absent, uid 26, no
// compiler.
import { binariesCheck, createAndSmokeTest, droppedCheck, majorCheck, noCompilerCheck, platformCheck, preloadCheck, uidCheck } from "./checks.js";
import type { Docker } from "./docker.js";
import { librariesCheck, type ImageLibraries } from "./libraries.js";
import { Recorder, type CheckResult, type SubjectResult } from "./results.js";
import { logLineCount, serverLogCheck, type LogSpan } from "./server-log.js";
import { snapshotCheck, type SnapshotOptions } from "./snapshot.js";
import { upgradePathChecks } from "./upgrade-paths.js";
import { PgServer, ServerStartError, type ServerOptions } from "./server.js";
import { startupSettings, type ExtensionUnderTest, type OperandSubject } from "./subjects.js";

export interface RunContext {
  docker: Docker;
  platform?: string;
  readySeconds?: number;
  onCheck?: (c: CheckResult) => void;
  /** `--deep`: server log, ldd, library clash and upgrade path checks too. */
  deep?: boolean;
  /** `--snapshot DIR`: each extension's SQL interface written or compared. */
  snapshot?: SnapshotOptions;
  /** Receives each extension image's own library files, for the check of all images together. */
  onLibraries?: (libs: ImageLibraries) => void;
}

/**
 * Where an operand image's own ELF files are: PostgreSQL's programs and modules (the server's,
 * contrib's and every packaged extension's) and what pgbake builds into /usr/local. `ldd` follows
 * each through all it loads, so a library missing anywhere below them is found too. The rest of
 * /usr is the base system's: a library there is checked standalone by nobody who loads it (systemd's
 * libsystemd-core needs libsystemd-shared through its programs' RUNPATH), and scanning it takes
 * over a minute per image.
 */
export const operandElfDirs = ["/usr/lib/postgresql", "/usr/local"];

/** Whether every CREATE EXTENSION of it passed: only then are its interface and upgrade paths read. */
export const created = (rec: Recorder, ext: ExtensionUnderTest): boolean =>
  ext.sqlNames.length > 0 && ext.sqlNames.every((n) => rec.checks.some((c) => c.name === `CREATE EXTENSION ${n}` && c.status === "passed"));

/**
 * After the extensions are created: their interface snapshots (with --snapshot), then, with
 * --deep, every upgrade path each ships. Returns the span of the server log the paths wrote: old versions'
 * scripts are run on purpose there (each path is its own check), so the log check leaves it out.
 */
export async function interfaceChecks(ctx: RunContext, rec: Recorder, pg: PgServer, extensions: ExtensionUnderTest[], major: number): Promise<LogSpan> {
  const made = extensions.filter((e) => created(rec, e));
  // Snapshots first: an upgrade path drops and re-creates its extension (and what depends on it).
  if (ctx.snapshot) for (const ext of made) await snapshotCheck(rec, pg, ext, major, ctx.snapshot);
  if (!ctx.deep) return { from: 0, to: 0 };
  const from = logLineCount(await pg.logs());
  let paths = 0;
  for (const ext of made) paths += await upgradePathChecks(rec, pg, ext);
  return { from, to: paths > 0 ? logLineCount(await pg.logs()) : from };
}

/** Starts a server as a check of its own: a failed start is a failed check with the server's logs; with a platform, that it runs on it. */
export async function startChecked(ctx: RunContext, rec: Recorder, opts: ServerOptions, label = "server accepts connections"): Promise<{ server?: PgServer; logs?: string }> {
  let server: PgServer | undefined;
  let logs: string | undefined;
  await rec.check(label, async () => {
    try {
      server = await PgServer.start(ctx.docker, { platform: ctx.platform, readySeconds: ctx.readySeconds, ...opts });
    } catch (err) {
      if (err instanceof ServerStartError) logs = err.logs;
      throw err;
    }
    return undefined;
  });
  if (server && ctx.platform) await platformCheck(rec, server, ctx.platform);
  return { server, logs };
}

export async function testOperand(ctx: RunContext, s: OperandSubject): Promise<SubjectResult> {
  const started = Date.now();
  const rec = new Recorder(ctx.onCheck);
  // What its entries need at startup (wal_level=logical for a logical decoding plugin), as a deployment sets it.
  const { server: pg, logs } = await startChecked(ctx, rec, { image: s.image, settings: startupSettings(s.extensions) });
  let extensionsChecked = 0;
  let failedLogs = logs;
  if (pg) {
    try {
      await majorCheck(rec, pg, s.major);
      await uidCheck(rec, pg, ctx.docker);
      await preloadCheck(rec, pg, s.preload);
      for (const ext of s.extensions) {
        extensionsChecked += await createAndSmokeTest(rec, pg, ext);
        await binariesCheck(rec, pg, ext.name, ext.binaries);
      }
      for (const d of s.dropped) await droppedCheck(rec, pg, d);
      await noCompilerCheck(rec, pg);
      if (ctx.deep) await librariesCheck(rec, pg, "libraries resolve", operandElfDirs, {});
      const paths = await interfaceChecks(ctx, rec, pg, s.extensions, s.major);
      if (ctx.deep)
        await serverLogCheck(
          rec,
          pg,
          s.extensions.flatMap((e) => e.expectedLog),
          [paths],
        );
      if (rec.failed) failedLogs = await pg.logs();
    } finally {
      await pg.remove();
    }
  }
  return {
    target: s.target,
    image: s.image,
    mode: "operand",
    checks: rec.checks,
    seconds: (Date.now() - started) / 1000,
    extensionsChecked,
    ...(failedLogs ? { logs: failedLogs } : {}),
  };
}
