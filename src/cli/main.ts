#!/usr/bin/env node
// pgbake's command line: a thin layer over the pipeline. Exit codes: 0 fine, 1 build failure or
// drift, 2 bad input or usage.
import { parseArgs } from "node:util";
import { checkOverrides, checkReleaseOverrides, representativeTargets } from "../bake/check.js";
import { fsReadAllowances, networkAllowances } from "../bake/entitlements.js";
import { packageVersion } from "../model/paths.js";
import { bakeFileFor } from "../plan/partition.js";
import { allTargets } from "../model/targets.js";
import { planFrom, renderFrom } from "../pipeline/index.js";
import { exitCodeOf } from "../model/errors.js";
import { didYouMean } from "../validate/suggest.js";
import { reportError, visibleLines } from "./errors.js";
import { checkOutputs } from "../write/index.js";
import { catalogCommand } from "./catalog.js";
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
  catalog: catalogCommand,
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
