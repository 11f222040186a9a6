#!/usr/bin/env node
// pgbake's command line: a thin layer over the pipeline. Exit codes: 0 fine, 1 build failure or
// drift, 2 bad input or usage.
import { readRegularFile } from "../load/text.js";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkOverrides, checkReleaseOverrides, representativeTargets } from "../bake/check.js";
import { fsReadAllowances, networkAllowances } from "../bake/entitlements.js";
import { packageVersion } from "../model/paths.js";
import { bakeFileFor } from "../plan/partition.js";
import { allTargets } from "../model/targets.js";
import { inputsOf, planFrom, renderFrom } from "../pipeline/index.js";
import { exitCodeOf, FsError, PgbakeError } from "../model/errors.js";
import { didYouMean } from "../validate/suggest.js";
import { reportError, visibleLines } from "./errors.js";
import { checkOutputs, writeOutputs } from "../write/index.js";
import type { BakeMetadata } from "./built-images.js";
import { addCommand } from "./add.js";
import { importCommand } from "./import.js";
import { initCommand } from "./init.js";
import { deriveCommand } from "./derive.js";
import { recordPush } from "./last-push.js";
import { exitAfterOutput, quietOnClosedReader } from "./output.js";
import { UsageError, usageMessage } from "./usage.js";
import { gridCommand } from "./grid.js";
import { BAKE_FILES_MODES } from "../model/input.generated.js";
import { common, onWait, pathsOf, print, type AnyCommand } from "./command.js";
import { generateCommand } from "./generate.js";
import { explainCommand, matrixCommand, planCommand } from "./plan.js";

export const commands: Record<string, AnyCommand> = {
  init: { ...initCommand, run: (v, pos) => initCommand.run(v, pos, print) },
  derive: { ...deriveCommand, run: (v) => deriveCommand.run(v, pathsOf(v), print) },
  add: { ...addCommand, run: (v, pos) => addCommand.run(v, pos, print) },
  import: { ...importCommand, run: (v, pos) => importCommand.run(v, pos, print) },
  generate: generateCommand,
  plan: planCommand,
  matrix: matrixCommand,
  grid: gridCommand,
  explain: explainCommand,
  catalog: {
    usage: "pgbake catalog --metadata FILE [--dir DIR] [--force]",
    summary: "write CloudNativePG ClusterImageCatalog, Cluster and Database manifests from a bake --metadata-file (images by digest)",
    options: { metadata: { type: "string" }, dir: { type: "string" }, force: { type: "boolean" } },
    async run(v) {
      if (!v.metadata) throw new UsageError("--metadata FILE is required (docker buildx bake --metadata-file FILE)");
      const planned = planFrom(pathsOf(v));
      const { plan, outDir, catalog } = planned;
      const { imageCatalogs } = await import("./catalog.js");
      const { clusterManifests } = await import("./cnpg-manifests.js");
      const metadata = readMetadata(v.metadata as string);
      const catalogs = imageCatalogs(plan, metadata, catalog.extensions);
      const manifests = clusterManifests(plan, catalog.extensions, metadata);
      const dir = resolve((v.dir as string | undefined) ?? "catalogs");
      // The directory gets its own manifest (stale catalogs are removed): never the bake file's.
      if (dir === outDir) throw new UsageError("--dir must not be the output directory of generate");
      if (catalogs.length === 0) {
        process.stderr.write(`pgbake: no operand target of this plan is in ${visibleLines(v.metadata as string)}\n`);
        return 1;
      }
      writeOutputs(
        dir,
        [...catalogs, ...manifests].map((c) => ({ path: c.path, content: c.content })),
        {
          force: v.force as boolean | undefined,
          inputs: inputsOf(planned),
          onWait,
        },
      );
      for (const c of catalogs) print(`${join(dir, c.path)}: ${c.images.map((i) => `PG ${i.major}`).join(", ")}`);
      print(`${manifests.filter((m) => m.path.startsWith("Cluster-")).length} Cluster and ${manifests.filter((m) => m.path.startsWith("Database-")).length} Database manifests in ${dir}`);
      return 0;
    },
  },
  update: {
    usage: "pgbake update [--check] [--dry-run] [--only pg,packages,sources,bases] [--base NAME] [--keyring FILE]... [--timeout S] [--deadline S] [--exclude-missing]",
    summary: "move pins (PostgreSQL minors, package versions, source tags, base digests) to what their sources serve now, then regenerate (--check: exit 1 listing stale pins)",
    options: {
      check: { type: "boolean" },
      "dry-run": { type: "boolean" },
      only: { type: "string" },
      base: { type: "string" },
      keyring: { type: "string", multiple: true },
      timeout: { type: "string" },
      deadline: { type: "string" },
      "exclude-missing": { type: "boolean" },
    },
    async run(v) {
      // Imported when used: a command loads only the modules it needs (update's are many).
      const { runUpdate } = await import("./update.js");
      const flags = { check: v.check, dryRun: v["dry-run"], only: v.only, base: v.base, keyrings: v.keyring, timeout: v.timeout, deadline: v.deadline, excludeMissing: v["exclude-missing"] };
      return runUpdate(pathsOf(v), flags as Parameters<typeof runUpdate>[1], print, onWait);
    },
  },
  outdated: {
    usage: "pgbake outdated [--registry R] [--keyring FILE]... [--json] [--timeout S] [--deadline S]",
    summary: "which pushed images lack package versions their apt repositories serve now, a moved base or a pin update would move (exit 1 when any)",
    options: { registry: { type: "string" }, keyring: { type: "string", multiple: true }, json: { type: "boolean" }, timeout: { type: "string" }, deadline: { type: "string" } },
    async run(v) {
      const { runOutdated } = await import("./outdated.js");
      const flags = { registry: v.registry, keyrings: v.keyring, json: v.json, timeout: v.timeout, deadline: v.deadline };
      return runOutdated(planFrom(pathsOf(v)), flags as Parameters<typeof runOutdated>[1], print, onWait);
    },
  },
  bake: {
    usage: "pgbake bake [TARGET...] [--push] [--check] [--print] [--dry-run] [--set K=V]... [--registry R] [--base NAME=IMAGE]... [--outdated [--keyring FILE]...]",
    summary: "run docker buildx bake on the generated files (--check without targets lints every Dockerfile once)",
    options: {
      push: { type: "boolean" },
      check: { type: "boolean" },
      print: { type: "boolean" },
      "dry-run": { type: "boolean" },
      set: { type: "string", multiple: true },
      registry: { type: "string" },
      base: { type: "string", multiple: true },
      outdated: { type: "boolean" },
      keyring: { type: "string", multiple: true },
    },
    async run(v, pos) {
      const planned = planFrom(pathsOf(v));
      // --outdated: the images `pgbake outdated` names and what is built from them, apt steps refreshed.
      if (v.outdated) {
        if (pos.length > 0) throw new UsageError("--outdated chooses the targets itself: give no TARGET");
        const { outdatedBake } = await import("./outdated.js");
        const chosen = await outdatedBake(planned, { registry: v.registry as string | undefined, keyrings: v.keyring as string[] | undefined }, print, onWait);
        if (chosen.targets.length === 0) {
          print("nothing outdated: nothing to build");
          return 0;
        }
        pos = chosen.targets;
        v.set = [...((v.set as string[] | undefined) ?? []), ...chosen.set];
      }
      const baseImages: Record<string, string> = {};
      for (const b of (v.base as string[] | undefined) ?? []) {
        const eq = b.indexOf("=");
        if (eq < 1) throw new UsageError(`--base takes NAME=IMAGE, not '${b}'`);
        baseImages[b.slice(0, eq)] = b.slice(eq + 1);
      }
      let targets = pos;
      // What buildx would refuse, refused before it runs, so --dry-run fails the same way.
      const known = [...allTargets(planned.plan), ...planned.plan.groups].map((t) => t.name);
      for (const t of targets) if (!known.includes(t)) throw new UsageError(`no target or group '${t}' in this plan${didYouMean(t, known)}`);
      const set = [...((v.set as string[] | undefined) ?? [])];
      if (v.check) {
        if (targets.length === 0) targets = representativeTargets(renderFrom(planned).dockerfiles);
        set.push(...checkOverrides(planned.plan, planned.config, targets, baseImages), ...checkReleaseOverrides.set);
      } else if (Object.keys(baseImages).length > 0) {
        set.push(...checkOverrides(planned.plan, planned.config, [], baseImages));
      }
      const opts = {
        outDir: planned.outDir,
        targets,
        push: v.push as boolean | undefined,
        check: v.check as boolean | undefined,
        print: v.print as boolean | undefined,
        set,
        registry: v.registry as string | undefined,
        extraArgs: [...(v.check ? checkReleaseOverrides.args : []), ...fsReadAllowances(planned.plan, planned.outDir, set), ...networkAllowances(planned.plan)],
        // --check lints with overrides for targets across parts: it reads the full file.
        bakeFile: v.check ? undefined : bakeFileFor(planned.plan, planned.config.bake_files, targets),
      };
      if (v["dry-run"]) {
        const { bakeCommand, formatCommand } = await import("../bake/index.js");
        print(formatCommand(bakeCommand(opts)));
        return 0;
      }
      const drift = checkOutputs(planned.outDir, renderFrom(planned).files);
      if (drift.changed.length + drift.missing.length > 0) {
        process.stderr.write("pgbake: generated files are out of date: run 'pgbake generate' first\n");
        return 1;
      }
      const { runBake } = await import("../bake/index.js");
      const { exitCode, failures } = await runBake(opts);
      if (failures && !opts.check && !opts.print) {
        const { failureSummary } = await import("../bake/failures.js");
        process.stderr.write(failureSummary(failures, exitCode));
      }
      // The registry the images went to: --registry, else the bake variable from the environment, else the config's.
      if (exitCode === 0 && opts.push && !opts.print) recordPush(planned.outDir, opts.registry || process.env.registry || planned.plan.registry);
      return exitCode === 0 ? 0 : 1;
    },
  },
  test: {
    usage: "pgbake test [TARGET|GROUP...] [--report DIR] [--upgrade-from IMAGE_OR_TAG] [--platform P] [--registry R] [--operand IMAGE] [--timestamp T] [--jobs N] [--deep] [--snapshot DIR [--accept]]",
    summary: "start the plan's images and prove every extension (extension images mounted as CloudNativePG does); pulled from where the last bake --push pushed, else the config's registry",
    options: {
      report: { type: "string" },
      "upgrade-from": { type: "string" },
      platform: { type: "string" },
      registry: { type: "string" },
      operand: { type: "string" },
      timestamp: { type: "string" },
      jobs: { type: "string" },
      deep: { type: "boolean" },
      snapshot: { type: "string" },
      accept: { type: "boolean" },
    },
    async run(v, pos) {
      const { testCommand } = await import("./test.js");
      return testCommand(planFrom(pathsOf(v)), pos, {
        report: v.report as string | undefined,
        upgradeFrom: v["upgrade-from"] as string | undefined,
        platform: v.platform as string | undefined,
        registry: v.registry as string | undefined,
        operand: v.operand as string | undefined,
        timestamp: v.timestamp as string | undefined,
        jobs: v.jobs as string | undefined,
        deep: v.deep as boolean | undefined,
        snapshot: v.snapshot as string | undefined,
        accept: v.accept as boolean | undefined,
      });
    },
  },
};

/** A `docker buildx bake --metadata-file`: a JSON object, else a message (exit 2). */
function readMetadata(file: string): BakeMetadata {
  const read = readRegularFile(file);
  if (!("bytes" in read)) throw read.code ? new FsError("read", file, Object.assign(new Error(read.problem), { code: read.code })) : new PgbakeError(`${file}: ${read.problem}`);
  const text = read.bytes.toString("utf8");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PgbakeError(`${file} is not JSON (${(err as Error).message}); expected the file of docker buildx bake --metadata-file`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data))
    throw new PgbakeError(`${file} holds ${data === null ? "null" : Array.isArray(data) ? "a list" : typeof data}, not an object of targets; expected the file of docker buildx bake --metadata-file`);
  return data as BakeMetadata;
}

function helpText(): string {
  const lines = ["pgbake: PostgreSQL images from an extension catalog and an image matrix", "", "Commands:"];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(9)} ${c.summary}`);
  lines.push(
    "",
    "Common options:",
    "  -c, --config FILE      project config (default: ./pgbake.yaml; `pgbake init DIR` makes one)",
    "  -e, --extensions DIR   a catalog directory on top of the config's `catalogs:` (repeatable; later wins)",
    "  -o, --out DIR          output directory (default: the config's `output`)",
    `      --bake-files MODE  ${BAKE_FILES_MODES.slice(0, -1).join(", ")} or ${BAKE_FILES_MODES.at(-1)!} (default: the config's \`bake_files\`)`,
    "  -h, --help             help for pgbake or a command",
    "  -V, --version          pgbake's version",
    "",
    "Exit codes: 0 success, 1 build failure, drift, stale pins (update --check) or packages a suite lacks (update), 2 bad input or an unreachable source.",
  );
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V" || name === "version") {
    print(packageVersion());
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    print(helpText());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`pgbake: unknown command '${visibleLines(name)}'${didYouMean(name, Object.keys(commands))}\n\n${helpText()}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...common, ...cmd.options }, allowPositionals: true, strict: true });
    if (values.help) {
      print(`${cmd.usage}\n\n${cmd.summary}\n\nCommon options: --config FILE, --extensions DIR, --out DIR, --help`);
      return 0;
    }
    return await cmd.run(values, positionals);
  } catch (err) {
    const code = (err as { code?: unknown } | undefined)?.code;
    if (err instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) {
      process.stderr.write(`pgbake ${name}: ${visibleLines(usageMessage(err as Error, { ...common, ...cmd.options }))}
usage: ${cmd.usage}
`);
      return exitCodeOf(err);
    }
    return reportError(err);
  }
}

const invokedDirectly = process.argv[1] && /(?:main\.[jt]s|pgbake)$/.test(process.argv[1]);
if (invokedDirectly) {
  // Never process.exit() while output is queued: exitAfterOutput waits for stdout and stderr.
  quietOnClosedReader();
  main(process.argv.slice(2)).then(
    (code) => exitAfterOutput(code),
    (err) => exitAfterOutput(reportError(err)),
  );
}
