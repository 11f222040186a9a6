// Stage "test" (after bake): prove the plan's images in the registry the way their users run them.
// Subjects come from the plan (./subjects.ts); each is pulled, started and checked in turn, with
// progress as it goes; every container, volume and throwaway image is removed at the end, after a
// failure, and on SIGINT/SIGTERM.
import { Docker } from "./docker.js";
import { testExtensionImage, type ExtensionRunContext } from "./extension-image.js";
import { testOperand } from "./operand.js";
import { Recorder, type CheckResult, type SubjectResult, type TestRun } from "./results.js";
import { togetherResults, type ImageLibraries } from "./libraries.js";
import type { SnapshotOptions } from "./snapshot.js";
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
  /** Subjects checked at once (default 1). Each has its own server; its lines print together when it ends. */
  jobs?: number;
  /**
   * `--deep`: also the server log, ldd, library clash (each image's mounts, and the run's extension
   * images of one major and base together) and every shipped upgrade path. Off by default: they
   * add server time per image (the wide catalog e2e runs them; docs/catalog.md).
   */
  deep?: boolean;
  /** `--snapshot DIR` (and `--accept`): each extension's SQL interface written or compared; needs no `deep`. */
  snapshot?: SnapshotOptions;
  /** Receives each extension image's own library files (runTests sets it). */
  onLibraries?: (libs: ImageLibraries) => void;
}

const mark = { passed: "ok  ", failed: "FAIL", skipped: "skip" } as const;

function imagesOf(s: Subject, upgradeFrom?: string): string[] {
  const old = upgradeFrom === undefined ? [] : [upgradeSource(upgradeFrom, s.image)];
  if (s.kind === "operand") return [...old, s.image];
  return [...(s.operand ? [s.operand.image] : []), ...s.mounts.map((m) => m.image), ...old];
}

export async function runTests(subjects: Subject[], opts: TestOptions = {}): Promise<TestRun> {
  const print = opts.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, subjects.length));
  const docker = new Docker();
  const untrap = docker.trapSignals();
  const startedAt = new Date();
  const results: SubjectResult[] = [];
  const pulled = new Map<string, Promise<string | undefined>>();
  const libraries: ImageLibraries[] = [];
  const onLibraries = (l: ImageLibraries): void => void libraries.push(l);
  let next = 0;
  // One worker per job takes the next subject; with one job, lines stream as they come, with
  // more they are held per subject so that a subject's lines stay together.
  const worker = async (): Promise<void> => {
    while (next < subjects.length) {
      const i = next++;
      const held: string[] = [];
      const log = jobs === 1 ? print : (line: string) => void held.push(line);
      try {
        results[i] = await testOne(docker, subjects[i]!, `[${i + 1}/${subjects.length}]`, opts.deep ? { ...opts, onLibraries } : opts, log, pulled);
      } finally {
        for (const line of held) print(line);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
    const together = opts.deep ? await togetherResults(libraries) : [];
    for (const t of together) {
      print(`${t.target} (together):`);
      for (const c of t.checks) print(`    ${mark[c.status]}  ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
      results.push(t);
    }
  } finally {
    await docker.releaseAll();
    untrap();
  }
  return { started: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, subjects: results };
}

async function testOne(docker: Docker, s: Subject, counter: string, opts: TestOptions, log: (line: string) => void, pulled: Map<string, Promise<string | undefined>>): Promise<SubjectResult> {
  const onCheck = (c: CheckResult): void => log(`    ${mark[c.status]}  ${c.name}${c.detail ? `: ${c.detail}` : ""}${c.seconds >= 1 ? ` (${c.seconds.toFixed(1)} s)` : ""}`);
  const mode = opts.upgradeFrom !== undefined ? "upgrade" : s.kind;
  log(`${counter} ${s.target} (${mode}): ${s.image}`);
  const ctx = { docker, platform: opts.platform, readySeconds: opts.readySeconds, onCheck, imageVolume: opts.imageVolume, deep: opts.deep, snapshot: opts.snapshot, onLibraries: opts.onLibraries };
  const upgrade = opts.upgradeFrom === undefined ? undefined : s.kind === "operand" ? operandUpgrade(s, opts.upgradeFrom) : extensionUpgrade(s, opts.upgradeFrom, opts.imageVolume);
  const otherPlatform = opts.platform !== undefined && !s.platforms.includes(opts.platform);
  // Neither mounted nor copied: its files work only where apt put them, as operand images hold them.
  const notMountable = s.kind === "extension-image" && s.imageVolumeUnsupported ? `not an image volume: ${s.imageVolumeUnsupported} (test an operand image that holds ${s.extension.name})` : undefined;
  const skip = otherPlatform
    ? { check: "platform", why: `${s.target} is not built for ${opts.platform}` }
    : notMountable
      ? { check: "image volume", why: notMountable }
      : upgrade && "skip" in upgrade
        ? { check: "upgrade", why: upgrade.skip }
        : undefined;
  const cannot = !otherPlatform && upgrade && "fail" in upgrade ? upgrade.fail : undefined;
  // A subject that never reaches a server: one skipped or failed check says why.
  const notRun = (record: (rec: Recorder) => void): SubjectResult => {
    const rec = new Recorder(onCheck);
    record(rec);
    const resultMode = upgrade !== undefined ? "upgrade" : s.kind === "operand" ? "operand" : "image-volume";
    return { target: s.target, image: s.image, mode: resultMode, checks: rec.checks, seconds: 0, extensionsChecked: 0 };
  };
  let result: SubjectResult;
  if (cannot) result = notRun((rec) => rec.fail("operand image", cannot));
  else if (skip) result = notRun((rec) => rec.skip(skip.check, skip.why));
  else {
    const pullFailure = opts.noPull ? undefined : await pullAll(docker, imagesOf(s, opts.upgradeFrom), opts.platform, pulled);
    if (pullFailure) result = notRun((rec) => rec.fail("pulled from the registry", pullFailure));
    else if (upgrade && "before" in upgrade) result = await testUpgrade(ctx, upgrade);
    else if (s.kind === "operand") result = await testOperand(ctx, s);
    else result = await testExtensionImage(ctx, s);
  }
  const failed = result.checks.filter((c) => c.status === "failed").length;
  if (result.note) log(`    note: ${result.note}`);
  for (const v of result.versions ?? []) log(`    ${v.sqlName}: ${v.before ?? "?"} -> ${v.after ?? "?"}`);
  if (failed > 0 && result.logs) log(`    server log:\n${indent(result.logs.trim().split("\n").slice(-40).join("\n"), "      | ")}`);
  log(`  ${failed > 0 ? "FAILED" : "passed"}: ${result.checks.length} checks, ${result.extensionsChecked} extensions, ${result.seconds.toFixed(1)} s`);
  return result;
}

/** Pulls each image once per run (a pull under way is shared); returns why an image could not be pulled. */
async function pullAll(docker: Docker, images: string[], platform: string | undefined, pulled: Map<string, Promise<string | undefined>>): Promise<string | undefined> {
  for (const image of images) {
    if (!pulled.has(image))
      pulled.set(
        image,
        docker
          .run(["pull", "-q", ...(platform ? ["--platform", platform] : []), image])
          .then((r) => (r.exitCode === 0 ? undefined : `${image}: ${r.stderr.trim().split("\n").pop() ?? "docker pull failed"}`)),
      );
    const why = await pulled.get(image);
    if (why) return why;
  }
  return undefined;
}

const indent = (text: string, prefix: string): string =>
  text
    .split("\n")
    .map((l) => prefix + l)
    .join("\n");

export { runFailed } from "./results.js";
export { selectTargets, subjectsFor, SubjectError, type Subject } from "./subjects.js";
