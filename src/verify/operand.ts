// An operand image, started as a user starts it: every kept extension created and smoke tested
// (what it requires first), the preload list as planned, dropped extensions absent, uid 26, no
// compiler.
import { binariesCheck, createAndSmokeTest, droppedCheck, majorCheck, noCompilerCheck, platformCheck, preloadCheck, uidCheck } from "./checks.js";
import type { Docker } from "./docker.js";
import { Recorder, type CheckResult, type SubjectResult } from "./results.js";
import { PgServer, ServerStartError, type ServerOptions } from "./server.js";
import { startupSettings, type OperandSubject } from "./subjects.js";

export interface RunContext {
  docker: Docker;
  platform?: string;
  readySeconds?: number;
  onCheck?: (c: CheckResult) => void;
}

/** Starts a server as a check of its own: a failed start is a failed check with the server's logs; with a platform, that it runs on it. */
export async function startChecked(
  ctx: RunContext,
  rec: Recorder,
  opts: ServerOptions,
  label = "server accepts connections",
): Promise<{ server?: PgServer; logs?: string }> {
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
