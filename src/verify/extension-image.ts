// An extension image, run the CloudNativePG way: the plan's plainest operand image of the same
// major and base, with the extension image (and those of what it requires) mounted read-only at
// /extensions/<name> and the GUCs and LD_LIBRARY_PATH that CloudNativePG sets (./cnpg.ts).
//
// PostgreSQL < 18 has no extension_control_path, so CloudNativePG cannot use image volumes there
// (docs/src/imagevolume_extensions.md). For those majors the image's files are copied into the
// operand image, where pgbake's own operand images put them (pg_config --pkglibdir, --sharedir),
// with the same LD_LIBRARY_PATH for /system: the files are proven the way pgbake's operand
// builds use them. The whole image is also copied to /extensions/<name>, for the layout check.
import { extensionConfiguration, extensionsBaseDir, imageVolumeMinMajor, imageVolumeRun, type ExtensionConfiguration, type ImageVolumeRun } from "./cnpg.js";
import { binariesCheck, createAndSmokeTest, preloadCheck, uidCheck } from "./checks.js";
import { clashCheck, librariesCheck, mountedLibraries, type LibraryFile } from "./libraries.js";
import { interfaceChecks, startChecked, type RunContext } from "./operand.js";
import { serverLogCheck } from "./server-log.js";
import { CheckFailure, expect, Recorder, type SubjectResult } from "./results.js";
import type { PgServer } from "./server.js";
import { preloadFor, startupSettings, type ExtensionImageSubject } from "./subjects.js";

export interface ExtensionRunContext extends RunContext {
  /** How extension entries become mounts, GUCs and environment: CloudNativePG's way unless a test says otherwise. */
  imageVolume?: (entries: ExtensionConfiguration[]) => ImageVolumeRun;
}

export async function testExtensionImage(ctx: ExtensionRunContext, s: ExtensionImageSubject): Promise<SubjectResult> {
  const started = Date.now();
  const rec = new Recorder(ctx.onCheck);
  const tool = s.extension.kind === "tool";
  const mode = tool || s.major >= imageVolumeMinMajor ? "image-volume" : "copy";
  let note: string | undefined;
  const result = (extra: Partial<SubjectResult>): SubjectResult => ({
    target: s.target,
    image: s.image,
    mode,
    checks: rec.checks,
    seconds: (Date.now() - started) / 1000,
    extensionsChecked: 0,
    ...(note ? { note } : {}),
    ...extra,
  });
  if (!s.operand) {
    rec.fail("operand image", `the plan has no operand image of PostgreSQL ${s.major} on ${s.base} without ${s.extension.name}: give one with --operand IMAGE`);
    return result({});
  }
  const entries = s.mounts.map(extensionConfiguration);
  const run = (ctx.imageVolume ?? imageVolumeRun)(entries);
  const preload = preloadFor(s);
  const settings: Record<string, string> = mode === "image-volume" ? { ...run.settings } : {};
  if (preload.length > 0) settings.shared_preload_libraries = preload.join(",");
  Object.assign(settings, startupSettings([...s.required, s.extension]));
  const shown = Object.entries({ ...settings, ...run.env }).map(([k, v]) => `${k}=${v}`);
  note =
    mode === "copy"
      ? `PostgreSQL ${s.major} has no extension_control_path: files copied into ${s.operand.target} instead of mounted`
      : `in ${s.operand.target}, ${run.mounts.map((m) => m.target).join(" ")} mounted; ${shown.join(" ")}`;

  let image = s.operand.image;
  let copied: string | undefined;
  try {
    if (mode === "copy") {
      const built = await rec.check(`files copied into ${s.operand.target}`, async () => {
        image = copied = await copyInto(ctx, s);
        return undefined;
      });
      if (!built) return result({});
    }
    return await checkServer(ctx, rec, s, { image, mode, run, settings, preload }, result);
  } finally {
    if (copied) await ctx.docker.release("image", copied);
  }
}

async function checkServer(
  ctx: ExtensionRunContext,
  rec: Recorder,
  s: ExtensionImageSubject,
  how: { image: string; mode: string; run: ImageVolumeRun; settings: Record<string, string>; preload: string[] },
  result: (extra: Partial<SubjectResult>) => SubjectResult,
): Promise<SubjectResult> {
  const { server: pg, logs } = await startChecked(ctx, rec, {
    image: how.image,
    imageMounts: how.mode === "image-volume" ? how.run.mounts : [],
    settings: how.settings,
    env: how.run.env,
  });
  if (!pg) return result(logs ? { logs } : {});
  const preload = how.preload;
  let extensionsChecked = 0;
  let failedLogs: string | undefined;
  try {
    for (const m of s.mounts) await layoutCheck(rec, pg, m.name, s.mounts.at(-1) === m ? s.extension.sqlNames : [], m.hasSystemLibraries);
    await uidCheck(rec, pg, ctx.docker);
    if (preload.length > 0) await preloadCheck(rec, pg, preload);
    for (const ext of [...s.required, s.extension]) extensionsChecked += await createAndSmokeTest(rec, pg, ext);
    await binariesCheck(rec, pg, s.extension.name, s.extension.binaries, `${extensionsBaseDir}/${s.extension.name}/bin`);
    if (ctx.deep) await libraryChecks(ctx, rec, pg, s, how.run.env);
    const paths = await interfaceChecks(ctx, rec, pg, [s.extension], s.major);
    if (ctx.deep)
      await serverLogCheck(
        rec,
        pg,
        [...s.required, s.extension].flatMap((e) => e.expectedLog),
        [paths],
      );
    if (rec.failed) failedLogs = await pg.logs();
  } finally {
    await pg.remove();
  }
  return result({ extensionsChecked, ...(failedLogs ? { logs: failedLogs } : {}) });
}

/** `--deep`: its own ELF files resolve (the images it requires are subjects of their own), its mounts clash in no library; its files go to the check of all images together. */
async function libraryChecks(ctx: ExtensionRunContext, rec: Recorder, pg: PgServer, s: ExtensionImageSubject, env: Record<string, string>): Promise<void> {
  const own = `${extensionsBaseDir}/${s.extension.name}`;
  await librariesCheck(rec, pg, `${s.extension.name} libraries resolve`, [`${own}/lib`, `${own}/system`, `${own}/bin`], env);
  const read = (): Promise<LibraryFile[]> => mountedLibraries(pg, extensionsBaseDir, s.mounts);
  const libs = s.mounts.length > 1 ? await clashCheck(rec, read, `among ${s.mounts.map((m) => m.name).join(", ")}`) : await read().catch(() => []);
  ctx.onLibraries?.({ target: s.target, image: s.image, major: s.major, base: s.base, files: libs.filter((f) => f.mount === s.extension.name) });
}

/** CloudNativePG's image-volume layout: lib/, share/extension/<name>.control, licenses/, system/ (and bin/ for tools). */
async function layoutCheck(rec: Recorder, pg: PgServer, name: string, sqlNames: string[], hasSystemLibraries: boolean): Promise<void> {
  await rec.check(`${name} image layout`, async () => {
    const dir = `${extensionsBaseDir}/${name}`;
    const r = await pg.exec(["sh", "-c", `cd '${dir}' && find . -mindepth 1 \\( -type f -o -type l \\) | sed 's|^\\./||'`]);
    if (r.exitCode !== 0) throw new CheckFailure(`${dir} cannot be read: ${r.stderr.trim()}`);
    const files = r.stdout.split("\n").filter(Boolean);
    const top = [...new Set(files.map((f) => f.split("/")[0]!))].sort();
    const unexpected = top.filter((t) => !["bin", "lib", "licenses", "share", "system"].includes(t));
    expect(unexpected.length === 0, `${name}: unexpected top-level entries ${unexpected.join(", ")} (CloudNativePG reads lib/ and share/)`);
    for (const n of sqlNames) expect(files.includes(`share/extension/${n}.control`), `${name}: no share/extension/${n}.control`);
    expect(
      files.some((f) => /^licenses\/.+/.test(f)),
      `${name}: no license file in licenses/`,
    );
    const system = files.filter((f) => f.startsWith("system/"));
    if (hasSystemLibraries)
      expect(
        system.some((f) => /\.so(\.|$)/.test(f)),
        `${name}: its runtime packages' libraries are missing from system/`,
      );
    return `${files.length} files in ${top.join(", ")}`;
  });
}

/** A throwaway image: the operand with the extension images' files where the server finds them. */
async function copyInto(ctx: ExtensionRunContext, s: ExtensionImageSubject): Promise<string> {
  const operand = s.operand!.image;
  const platform = ctx.platform ? ["--platform", ctx.platform] : [];
  const dirs = await ctx.docker.must(["run", "--rm", ...platform, "--entrypoint", "pg_config", operand, "--pkglibdir", "--sharedir"]);
  const [libdir, sharedir] = dirs.split("\n").map((l) => l.trim());
  if (!libdir || !sharedir) throw new CheckFailure(`pg_config in ${operand} printed no directories`);
  const lines = [`FROM ${operand}`];
  for (const m of s.mounts) lines.push(`COPY --from=${m.image} / ${extensionsBaseDir}/${m.name}/`, `COPY --from=${m.image} /lib/ ${libdir}/`, `COPY --from=${m.image} /share/ ${sharedir}/`);
  const tag = `pgbake-test-copy/${s.target.toLowerCase()}:${process.pid}`;
  ctx.docker.own("image", tag);
  await ctx.docker.must(["build", "-q", ...platform, "-t", tag, "-"], { input: `${lines.join("\n")}\n` });
  return tag;
}
