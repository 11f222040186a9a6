// The wide e2e: every entry of the default catalog that Debian packages for PostgreSQL 18
// (e2e/catalog/ links them, with the contrib modules they require), built as an extension image
// on the local sid base and proven by `pgbake test`, mounted as CloudNativePG mounts image volumes.
// Then three entries broken on purpose (a smoke test, a preload, a library): the run fails and
// names the extension, the image and the server's error.
//
// One `pgbake test --deep --snapshot` run: besides CREATE EXTENSION and the smoke test, each
// image's server log is clean, its ELF files resolve with only its own mounts, no two images clash
// in a library, every upgrade path it ships works (or its entry declares it broken, with the
// reason), and each extension's SQL interface is the one committed in e2e/catalog-snapshots (an
// unexplained change fails; `--snapshot e2e/catalog-snapshots --accept` records a reviewed one).
//
// On by default, in CI too: 104 builds (about 8 minutes on two cores) and 105 server starts, two
// at a time; --deep adds about two thirds to the servers' time (docs/catalog.md). PGBAKE_E2E_CATALOG=0 skips it on a machine where that is too long.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitsCiBudget } from "../helpers/ci-budget.js";
import { planFrom } from "../../src/pipeline/index.js";
import { generateAndBake, pgbakeTest, type TestReport } from "../helpers/e2e.js";
import { repoRoot, tempDir } from "../helpers/workspace.js";

const config = join(repoRoot, "e2e/catalog.yaml");
const committedSnapshots = join(repoRoot, "e2e/catalog-snapshots");
const extensions = join(repoRoot, "e2e/catalog");
const paths = ["--config", config, "--extensions", extensions];
const { plan, catalog } = planFrom({ config, extensions });
const enabled = process.env.PGBAKE_E2E_CATALOG !== "0" && fitsCiBudget("the wide catalog e2e", 18);
// The operand image holding the entries CloudNativePG cannot mount (image_volume_unsupported).
const operandOnly = "postgresql-operand-only-18-minimal-sid";
const unmountable = plan.extensionImages.filter((t) => t.imageVolumeUnsupported);
let work: ReturnType<typeof tempDir>;
let report: TestReport;
let output: string;
let exitCode: number;
let snapshots: string;

describe.runIf(enabled)("the wide catalog", () => {
  beforeAll(async () => {
    work = tempDir("pgbake-e2e-catalog-");
    const bake = await generateAndBake(config, ["--push"], extensions);
    expect(bake.exitCode, bake.output.slice(-6000)).toBe(0);
    console.log(`wide catalog: ${plan.extensionImages.length} extension images built and pushed in ${bake.seconds.toFixed(0)} s`);
    // The committed snapshots are compared with, in a copy: the run writes a missing one, which the test then refuses.
    snapshots = join(work.dir, "snapshots");
    if (existsSync(committedSnapshots)) cpSync(committedSnapshots, snapshots, { recursive: true });
    const args = [...plan.extensionImages.map((t) => t.name), operandOnly, "--jobs", "2", "--deep", "--snapshot", snapshots];
    ({ report, output, exitCode } = await pgbakeTest(args, join(work.dir, "all"), paths));
    const t = report.totals;
    console.log(`wide catalog: pgbake test --deep: ${t.images} images, ${t.extensions} extensions, ${t.checks} checks in ${t.seconds.toFixed(0)} s`);
    for (const k of report.kinds) console.log(`wide catalog: ${k.kind}: ${k.run} run, ${k.failed} failed, ${k.skipped} skipped`);
  });
  afterAll(() => work.cleanup());

  describe("the default catalog's Debian-packaged entries on PostgreSQL 18", () => {
    it("are the default catalog's own files, not copies", () => {
      const links = readdirSync(extensions);
      expect(links.length).toBeGreaterThanOrEqual(100);
      for (const f of links) expect(readlinkSync(join(extensions, f))).toBe(`../../extensions/${f}`);
      expect(plan.extensionImages.length).toBe(catalog.extensions.filter((e) => e.kind === "package").length);
    });

    it("each build, mount into the plain operand and pass CREATE EXTENSION and the smoke test", () => {
      const failed = report.subjects
        .filter((s) => s.checks.some((c) => c.status === "failed"))
        .map(
          (s) =>
            `${s.target}: ${s.checks
              .filter((c) => c.status === "failed")
              .map((c) => `${c.name}: ${c.detail ?? ""}`)
              .join("; ")}`,
        );
      expect(failed, output.slice(-6000)).toEqual([]);
      expect(exitCode).toBe(0);
      expect(
        report.subjects
          .filter((s) => s.mode !== "together")
          .map((s) => s.target)
          .sort(),
      ).toEqual([...plan.extensionImages.map((t) => t.name), operandOnly].sort());
      const mounted = report.subjects.filter((s) => s.mode !== "together" && s.target !== operandOnly && !unmountable.some((t) => t.name === s.target));
      for (const s of mounted) {
        expect(s.mode, s.target).toBe("image-volume");
        expect(s.checks.filter((c) => c.status === "passed").length, s.target).toBeGreaterThan(0);
      }
      const sqlNames = (names: string[]) => catalog.extensions.filter((e) => names.includes(e.name)).reduce((n, e) => n + e.sql_names.length, 0);
      const mountable = plan.extensionImages.filter((t) => !t.imageVolumeUnsupported).map((t) => t.extension);
      expect(mounted.reduce((n, s) => n + s.extensionsChecked, 0)).toBeGreaterThanOrEqual(sqlNames(mountable));
    });

    it("each has its server log clean, its ELF files resolved, no library clash, its shipped upgrade paths working and its interface as committed", () => {
      const images = report.subjects.filter((s) => s.mode !== "together" && !unmountable.some((t) => t.name === s.target));
      const kinds = ["server-log", "libraries", "library-clash", "upgrade-path", "snapshot"];
      for (const k of kinds) expect(report.kinds.find((x) => x.kind === k)?.run, k).toBeGreaterThan(0);
      for (const s of images) {
        expect(s.checks.find((c) => c.name === "server log clean")?.status, s.target).toBe("passed");
        expect(s.checks.find((c) => c.kind === "libraries")?.status, s.target).toBe("passed");
      }
      const together = report.subjects.filter((s) => s.mode === "together");
      expect(together.map((s) => s.target)).toEqual(["extension images of PostgreSQL 18 on sid"]);
      expect(together[0]!.checks.map((c) => c.status)).toEqual(["passed"]);
      // A skipped path says why: no install script to start from, or the entry's broken_upgrade_paths.
      const skippedPaths = images.flatMap((s) => s.checks.filter((c) => c.kind === "upgrade-path" && c.status === "skipped"));
      for (const c of skippedPaths) expect(c.detail, c.name).toMatch(/no install script|^broken_upgrade_paths of [^:]+: ./);
      // Every interface compared with a committed file: none written afresh, none removed or changed.
      const snaps = images.flatMap((s) => s.checks.filter((c) => c.kind === "snapshot").map((c) => ({ ...c, target: s.target })));
      expect(snaps.filter((c) => !/objects as in |objects, new: /.test(c.detail ?? "")).map((c) => `${c.target}: ${c.name}: ${c.detail ?? ""}`)).toEqual([]);
      expect(readdirSync(snapshots).sort()).toEqual(readdirSync(committedSnapshots).sort());
    });

    it("skip, with the reason, the images CloudNativePG cannot mount, and prove those extensions in an operand image", () => {
      expect(unmountable.map((t) => t.extension).sort()).toEqual(["pg_comparator", "plpython3u", "plr", "pltcl", "unit"]);
      for (const t of unmountable) {
        const s = report.subjects.find((x) => x.target === t.name)!;
        expect(s.checks.map((c) => [c.status, c.name])).toEqual([["skipped", "image volume"]]);
        expect(s.checks[0]!.detail).toContain(`not an image volume: ${t.imageVolumeUnsupported}`);
      }
      const op = report.subjects.find((x) => x.target === operandOnly)!;
      expect(op.mode).toBe("operand");
      for (const t of unmountable)
        for (const n of catalog.extensions.find((e) => e.name === t.extension)!.sql_names) expect(op.checks.find((c) => c.name === `CREATE EXTENSION ${n}`)?.status, n).toBe("passed");
    });
  });

  describe("a broken entry fails the run", () => {
    // The same catalog with three entries broken; the images in the registry are the good ones.
    const brokenDir = (): string => join(work.dir, "broken-catalog");
    const edit = (name: string, change: (spec: Record<string, unknown>) => void): void => {
      const file = join(brokenDir(), `${name}.yaml`);
      const spec = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      change(spec);
      writeFileSync(file, stringify(spec));
    };
    const image = (target: string): string => {
      const t = plan.extensionImages.find((e) => e.name === target)!;
      return `${plan.registry}/${t.tags[0]}`;
    };
    let run: { exitCode: number; output: string; report: TestReport };

    beforeAll(async () => {
      mkdirSync(brokenDir(), { recursive: true });
      cpSync(extensions, brokenDir(), { recursive: true, dereference: true });
      edit("pg_uuidv7", (s) => void (s.smoke_test = "SELECT pgbake_no_such_function()"));
      edit("pg_cron", (s) => void delete s.shared_preload_libraries);
      edit("h3", (s) => void (s.runtime_packages = []));
      run = await pgbakeTest(["pg_uuidv7-18-sid", "pg_cron-18-sid", "h3-18-sid"], join(work.dir, "broken"), ["--config", config, "--extensions", brokenDir()]);
    });

    const failureOf = (target: string) => {
      const s = run.report.subjects.find((x) => x.target === target)!;
      return { subject: s, failed: s.checks.filter((c) => c.status === "failed") };
    };

    it("exits 1 and names each broken extension with its image", () => {
      expect(run.exitCode, run.output.slice(-4000)).toBe(1);
      for (const target of ["pg_uuidv7-18-sid", "pg_cron-18-sid", "h3-18-sid"]) {
        expect(run.output).toContain(`${target} (extension-image): ${image(target)}`);
        expect(failureOf(target).failed.length, target).toBeGreaterThan(0);
      }
    });

    it("shows the server's error: a smoke test that fails", () => {
      const { failed } = failureOf("pg_uuidv7-18-sid");
      expect(failed.map((c) => c.name)).toEqual(["smoke test pg_uuidv7"]);
      expect(failed[0]!.detail).toMatch(/function pgbake_no_such_function\(\) does not exist/);
      expect(run.output).toMatch(/FAIL {2}smoke test pg_uuidv7: .*function pgbake_no_such_function\(\) does not exist/);
    });

    it("shows the server's error: a preload the entry no longer asks for", () => {
      const { failed } = failureOf("pg_cron-18-sid");
      expect(failed.map((c) => c.name)).toContain("CREATE EXTENSION pg_cron");
      expect(failed.find((c) => c.name === "CREATE EXTENSION pg_cron")!.detail).toMatch(/shared_preload_libraries|cron\./);
    });

    it("shows the server's error: a library that is not there", () => {
      const { failed } = failureOf("h3-18-sid");
      expect(failed.map((c) => c.name)).toContain("CREATE EXTENSION h3");
      expect(failed.find((c) => c.name === "CREATE EXTENSION h3")!.detail).toMatch(/libh3\.so\.1: cannot open shared object file/);
    });
  });
});
