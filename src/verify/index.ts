// Stage "test" (after bake): prove the plan's images in the registry the way their users run them.
// Subjects come from the plan (./subjects.ts); each is pulled, started and checked in turn, with
// progress as it goes; every container, volume and throwaway image is removed at the end, after a
// failure, and on SIGINT/SIGTERM.
import { Docker } from "./docker.js";
import { testExtensionImage, type ExtensionRunContext } from "./extension-image.js";
import { testOperand } from "./operand.js";
import { Recorder, type CheckResult, type SubjectResult, type TestRun } from "./results.js";
import type { Subject } from "./subjects.js";
import { extensionUpgrade, operandUpgrade, testUpgrade, upgradeSource } from "./upgrade.js";

export interface TestOptions {
  platform?: string;
  /** Test upgrades from this image or tag instead (operand images, and extension images mounted on PG 18+). */
  upgradeFrom?: string;
  /** Seconds to wait for a server to accept connections. */
  readySeconds?: number;
  /** Progress lines (stdout by default). */
  log?: (line: string) => void;
  /** For tests: how extension entries become mounts and settings (CloudNativePG's way by default). */
  imageVolume?: ExtensionRunContext["imageVolume"];
  /** Skip `docker pull` (images already local). */
  noPull?: boolean;
}

const mark = { passed: "ok  ", failed: "FAIL", skipped: "skip" } as const;

function imagesOf(s: Subject, upgradeFrom?: string): string[] {
  const old = upgradeFrom === undefined ? [] : [upgradeSource(upgradeFrom, s.image)];
  if (s.kind === "operand") return [...old, s.image];
  return [...(s.operand ? [s.operand.image] : []), ...s.mounts.map((m) => m.image), ...old];
}

export async function runTests(subjects: Subject[], opts: TestOptions = {}): Promise<TestRun> {
  const log = opts.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const docker = new Docker();
  const untrap = docker.trapSignals();
  const startedAt = new Date();
  const results: SubjectResult[] = [];
  const onCheck = (c: CheckResult): void =>
    log(`    ${mark[c.status]}  ${c.name}${c.detail ? `: ${c.detail}` : ""}${c.seconds >= 1 ? ` (${c.seconds.toFixed(1)} s)` : ""}`);
  const pulled = new Map<string, string | undefined>();
  try {
    for (const [i, s] of subjects.entries()) {
      const mode = opts.upgradeFrom !== undefined ? "upgrade" : s.kind;
      log(`[${i + 1}/${subjects.length}] ${s.target} (${mode}): ${s.image}`);
      const ctx = { docker, platform: opts.platform, readySeconds: opts.readySeconds, onCheck, imageVolume: opts.imageVolume };
      const upgrade = opts.upgradeFrom === undefined ? undefined : s.kind === "operand" ? operandUpgrade(s, opts.upgradeFrom) : extensionUpgrade(s, opts.upgradeFrom, opts.imageVolume);
      const otherPlatform = opts.platform !== undefined && !s.platforms.includes(opts.platform);
      const skipped = otherPlatform ? `${s.target} is not built for ${opts.platform}` : upgrade && "skip" in upgrade ? upgrade.skip : undefined;
      const cannot = !otherPlatform && upgrade && "fail" in upgrade ? upgrade.fail : undefined;
      let result: SubjectResult;
      if (skipped || cannot) {
        const rec = new Recorder(onCheck);
        if (cannot) rec.fail("operand image", cannot);
        else rec.skip(otherPlatform ? "platform" : "upgrade", skipped!);
        result = { target: s.target, image: s.image, mode: upgrade !== undefined ? "upgrade" : s.kind === "operand" ? "operand" : "image-volume", checks: rec.checks, seconds: 0, extensionsChecked: 0 };
      } else {
        const pullFailure = opts.noPull ? undefined : await pullAll(docker, imagesOf(s, opts.upgradeFrom), opts.platform, pulled);
        if (pullFailure) {
          const rec = new Recorder(onCheck);
          rec.fail("pulled from the registry", pullFailure);
          result = { target: s.target, image: s.image, mode: opts.upgradeFrom !== undefined ? "upgrade" : s.kind === "operand" ? "operand" : "image-volume", checks: rec.checks, seconds: 0, extensionsChecked: 0 };
        } else if (upgrade && "before" in upgrade) result = await testUpgrade(ctx, upgrade);
        else if (s.kind === "operand") result = await testOperand(ctx, s);
        else result = await testExtensionImage(ctx, s);
      }
      results.push(result);
      const failed = result.checks.filter((c) => c.status === "failed").length;
      if (result.note) log(`    note: ${result.note}`);
      for (const v of result.versions ?? []) log(`    ${v.sqlName}: ${v.before ?? "?"} -> ${v.after ?? "?"}`);
      if (failed > 0 && result.logs) log(`    server log:\n${indent(result.logs.trim().split("\n").slice(-40).join("\n"), "      | ")}`);
      log(`  ${failed > 0 ? "FAILED" : "passed"}: ${result.checks.length} checks, ${result.extensionsChecked} extensions, ${result.seconds.toFixed(1)} s`);
    }
  } finally {
    await docker.releaseAll();
    untrap();
  }
  return { started: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, subjects: results };
}

/** Pulls each image once per run; returns why an image could not be pulled. */
async function pullAll(docker: Docker, images: string[], platform: string | undefined, pulled: Map<string, string | undefined>): Promise<string | undefined> {
  for (const image of images) {
    if (!pulled.has(image)) {
      const r = await docker.run(["pull", "-q", ...(platform ? ["--platform", platform] : []), image]);
      pulled.set(image, r.exitCode === 0 ? undefined : `${image}: ${r.stderr.trim().split("\n").pop() ?? "docker pull failed"}`);
    }
    const why = pulled.get(image);
    if (why) return why;
  }
  return undefined;
}

const indent = (text: string, prefix: string): string => text.split("\n").map((l) => prefix + l).join("\n");

export { runFailed } from "./results.js";
export { selectTargets, subjectsFor, SubjectError, type Subject } from "./subjects.js";
