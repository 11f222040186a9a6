// `npm run bench`: how fast pgbake plans and renders, how lean its build graph is, how it
// scales, and how big the e2e images are. Prints tables and writes bench/results.json.
// Options: --quick (one run each, no 100×, no test suite), --scales 1,10,100, --no-suite,
//          --images-config FILE --images-extensions DIR (default: e2e/ if present, else the default config),
//          --operands 10000,30000,100000 (section 7), --operands-only (section 7 alone, merged into results.json),
//          --suite-only (section 5, the unit and process suites, alone, merged into results.json).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { packageRoot } from "../src/model/paths.js";
import { planFrom } from "../src/pipeline/index.js";
import { measureGeneration, measureSplit, type BenchCase, type GenerationResult, type SplitResult } from "./generation.js";
import { graphCounts } from "./graph.js";
import { measureImages } from "./images.js";
import { measureLimits } from "./limits.js";
import { measureOperandScale, type OperandScaleResult } from "./operand-scale.js";
import { measureSuite, type SuiteResult } from "./suite.js";
import { buildxAvailable } from "./measure.js";
import { defaultInputs, scales, writeSynthetic } from "./synthetic.js";
import { fixed, secs, table } from "./table.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean" },
    scales: { type: "string" },
    "images-config": { type: "string" },
    "images-extensions": { type: "string" },
    "no-suite": { type: "boolean" },
    operands: { type: "string" },
    "operands-only": { type: "boolean" },
    "suite-only": { type: "boolean" },
  },
});
const root = packageRoot();
const quick = values.quick === true;
const wanted = (values.scales ?? (quick ? "1,10" : "1,10,100")).split(",").map(Number);
const buildx = buildxAvailable();
const work = mkdtempSync(join(tmpdir(), "pgbake-bench-"));
const say = (s: string): void => void process.stdout.write(`${s}\n`);
const progress = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
const resultsFile = join(root, "bench/results.json");

/** 7. generate at many operand targets: wall, CPU and peak memory (one run each at 100,000). */
function operandScale(): OperandScaleResult[] {
  const wantedOperands = (values.operands ?? (quick ? "10000" : "10000,30000,100000")).split(",").map(Number);
  const results = wantedOperands.map((n) => {
    progress(`generate at ${n} operand targets`);
    return measureOperandScale(root, work, n, quick || n >= 100_000 ? 1 : 3);
  });
  say("\n7. pgbake generate (whole process, fresh output dir) at many operand targets: medians of wall and CPU seconds, peak memory");
  say(
    table(
      ["operands wanted", "operands", "targets", "generate s", "cpu s", "peak MB", "cpu ms per 1,000 operands"],
      results.map((r) => [
        r.wanted,
        r.operands,
        r.targets,
        secs(r.generate.median),
        secs(r.generate.cpuMedian),
        fixed(r.generate.peakRssMb, 0),
        fixed(((r.generate.cpuMedian ?? NaN) * 1e6) / r.operands, 0),
      ]),
    ),
  );
  return results;
}

/** 5. The unit suite (vitest project unit), wall time; the process suite beside it. */
function suites(): SuiteResult[] {
  say("\n5. Suites without docker, wall time; goal for the unit suite <= 90 s on 2 cores");
  return (["unit", "process"] as const).map((project) => {
    progress(`suite: vitest run --project ${project}`);
    const s = measureSuite(project, root, work);
    say(`${project}: ${secs(s.seconds)} s, ${s.files} files, ${s.tests} tests, ${s.failed} failed (exit ${s.exitCode}); ${s.cpus} cpus, load average ${s.loadAverage} at the start`);
    return s;
  });
}

/** One section measured alone, merged into bench/results.json beside the others' last results. */
function onlySection(section: number, key: string, measure: () => unknown): never {
  try {
    const value = measure();
    const previous = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, "utf8")) as Record<string, unknown>) : {};
    writeFileSync(resultsFile, `${JSON.stringify({ ...previous, [key]: value, [`${key}MeasuredAt`]: new Date().toISOString() }, null, 2)}\n`);
    say(`\nwrote section ${section} into bench/results.json`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

if (values["suite-only"]) onlySection(5, "suite", suites);
if (values["operands-only"]) onlySection(7, "operandTargets", operandScale);

try {
  // 1. Generation and buildx read time.
  const cases: BenchCase[] = [{ name: "default config", ...defaultInputs(), runs: quick ? 1 : 5 }];
  for (const s of scales.filter((x) => wanted.includes(x.factor))) {
    const inputs = writeSynthetic(join(work, `synthetic-${s.factor}`), s);
    cases.push({ name: `synthetic ${s.factor}×`, config: inputs.config, extensions: inputs.extensions, runs: quick ? 1 : s.factor >= 100 ? 3 : 5 });
  }
  const generation: GenerationResult[] = [];
  const split: SplitResult[] = [];
  for (const c of cases) {
    progress(`generate + buildx read: ${c.name} (${c.runs} runs)`);
    const out = join(work, `out-${generation.length}`);
    const g = measureGeneration(root, c, out, buildx);
    generation.push(g);
    // 2. Single-target print, full file against part files, for the large cases.
    if (buildx && g.targets >= 1000) {
      progress(`single-target print, full file and part files: ${c.name}`);
      split.push(...measureSplit(root, c, out, ["per-major", "per-base", "per-major-base"], g.generate));
    }
    rmSync(out, { recursive: true, force: true });
  }
  say("\n1. pgbake generate (whole process, fresh output dir) and docker buildx bake --print (all targets) on its output,");
  say("   in turns after a warm-up; medians of wall and CPU (user + system) seconds. Goals: bytes/target <= 100 and generate/read <= 0.5 (default), <= 0.2 (10×)");
  say(
    table(
      ["case", "operands", "ext images", "targets", "bake file bytes", "bytes/target", "generate s", "cpu s", "peak MB", "buildx read s", "cpu s", "generate/read", "cpu ratio"],
      generation.map((g) => [
        g.case,
        g.operands,
        g.extensionImages,
        g.targets,
        g.bakeFileBytes,
        fixed(g.bytesPerTarget, 0),
        secs(g.generate.median),
        secs(g.generate.cpuMedian),
        fixed(g.generate.peakRssMb, 0),
        buildx ? secs(g.buildxRead?.median) : "no buildx",
        secs(g.buildxRead?.cpuMedian),
        fixed(g.ratio, 2),
        fixed(g.cpuRatio, 2),
      ]),
    ),
  );
  say("\n2. docker buildx bake --print <one target>: the full docker-bake.hcl against the part file pgbake bake picks");
  say(
    split.length === 0
      ? buildx
        ? "not measured (no case with 1,000 targets or more)"
        : "not measured (docker buildx is not available)"
      : table(
          ["case", "bake_files", "file read", "targets in it", "generate s", "print 1 target s"],
          split.map((r) => [r.case, r.mode, r.file, r.fileTargets, secs(r.generate.median), secs(r.printSingle.median)]),
        ),
  );

  // 3. Build graph of the default config.
  const graph = graphCounts(planFrom(defaultInputs()).plan);
  say("\n3. Extension build steps (target × platform), default config: shared extension images vs. per-image builds");
  say(
    table(
      ["", "shared graph", "per-image build", "ratio"],
      [
        ["all extension steps", graph.sharedSteps, graph.perImageSteps, fixed(graph.ratio, 2)],
        ["  of which used by an operand", graph.sharedStepsUsed, graph.perImageSteps, fixed(graph.perImageSteps / graph.sharedStepsUsed, 2)],
        ["compiling steps (source, tool)", graph.sharedCompileSteps, graph.perImageCompileSteps, fixed(graph.compileRatio, 2)],
      ],
    ),
  );

  // 4. Image sizes from the local registry.
  const e2eConfig = join(root, "e2e/pgbake.yaml");
  const imagesInputs = values["images-config"]
    ? { config: values["images-config"], extensions: values["images-extensions"] ?? defaultInputs().extensions }
    : existsSync(e2eConfig)
      ? { config: e2eConfig, extensions: existsSync(join(root, "e2e/extensions")) ? join(root, "e2e/extensions") : defaultInputs().extensions }
      : undefined;
  progress(`image sizes for ${imagesInputs?.config ?? "no e2e config"}`);
  // Without the e2e config the plan cannot say which registry images are which.
  const images = imagesInputs ? await measureImages(planFrom(imagesInputs)) : { measured: false as const, reason: "no e2e config at e2e/pgbake.yaml; pass --images-config FILE" };
  say(`\n4. Images in the local registry (compressed layer sizes)${imagesInputs ? ` for ${imagesInputs.config}` : ""}`);
  if (!images.measured) say(`not measured (${images.reason})`);
  else {
    say(
      table(
        ["image", "kind", "platform", "MB"],
        images.images.map((i) => [i.ref, i.kind, i.platform, fixed(i.mb, 1)]),
      ),
    );
    say("\nWhat each flavor adds over its default-flavor image, against the extension files it copies in");
    say(
      images.flavors.length === 0
        ? "no flavor image with its default-flavor image and extension images in the registry"
        : table(
            ["image", "compared with", "platform", "added MB", "extension files MB", "added/files", "unshared layers MB"],
            images.flavors.map((f) => [f.target, f.comparedWith, f.platform, fixed(f.addedMb, 2), fixed(f.extensionFilesMb, 2), fixed(f.ratio, 2), fixed(f.unsharedMb, 2)]),
          ),
    );
  }

  // 5. The unit and process suites (bench/suite.ts). Goal for the unit suite: <= 90 s on 2 cores.
  const suite = !quick && !values["no-suite"] ? suites() : undefined;
  if (!suite) say("\n5. Suites: not measured (--quick or --no-suite)");

  // 6. Inputs at and over the limits.
  progress("input limits: 100,000 keys and items, a 44 MB file");
  const limits = measureLimits(root, work);
  say("\n6. pgbake generate on inputs at and over its limits (exit 2: refused with a message)");
  say(
    table(
      ["case", "input MB", "exit", "wall s", "cpu s", "peak MB"],
      limits.map((l) => [l.case, fixed(l.inputMb, 1), l.exitCode, secs(l.sample.seconds), secs(l.sample.cpuSeconds), fixed(l.sample.peakRssMb, 0)]),
    ),
  );

  const operandTargets = operandScale();

  const buildxVersion = buildx ? spawnSync("docker", ["buildx", "version"], { encoding: "utf8" }).stdout.trim() : undefined;
  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, buildx: buildxVersion },
    quick,
    generation,
    split,
    graph,
    images,
    suite,
    limits,
    operandTargets,
  };
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  say("\nwrote bench/results.json");
} finally {
  rmSync(work, { recursive: true, force: true });
}
