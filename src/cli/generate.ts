// `pgbake generate`: the plan rendered and written (atomically), or with --check held against what is on disk.
import { InputsRecovered, checkOutputs, writeOutputs } from "../write/index.js";
import { inputsOf, planFrom, renderFrom } from "../pipeline/index.js";
import { command, onWait, pathsOf, print, type Values } from "./command.js";
import { UsageError } from "./usage.js";

const options = { check: { type: "boolean" }, release: { type: "boolean" }, force: { type: "boolean" }, "lock-wait": { type: "string" } } as const;

function generate(v: Values<typeof options>, recovered: boolean): number {
  const lockWait = v["lock-wait"];
  if (lockWait !== undefined && !/^[0-9]{1,6}$/.test(lockWait)) throw new UsageError(`--lock-wait takes whole seconds (0 or more), not '${lockWait}'`);
  const planned = planFrom(pathsOf(v), { release: v.release });
  const { files } = renderFrom(planned);
  if (v.check) {
    const drift = checkOutputs(planned.outDir, files);
    const problems = [
      ...drift.changed.map((f) => `changed: ${f}`),
      ...drift.missing.map((f) => `missing: ${f}`),
      ...drift.stale.map((f) => `stale: ${f}`),
      ...(drift.interrupted ? ["interrupted: a write was stopped halfway; the next generate finishes it"] : []),
    ];
    if (problems.length === 0) {
      print(`up to date: ${files.length} files in ${planned.outDir}`);
      return 0;
    }
    print(`drift between the generator and ${planned.outDir} (run 'pgbake generate'):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    return 1;
  }
  const lockTimeoutMs = lockWait === undefined ? undefined : Number(lockWait) * 1000;
  let result;
  try {
    result = writeOutputs(planned.outDir, files, { force: v.force, inputs: inputsOf(planned), onWait, lockTimeoutMs });
  } catch (err) {
    // An interrupted `pgbake update` was finished (or undone) first: what was read before is stale.
    if (!(err instanceof InputsRecovered) || recovered) throw err;
    onWait(err.message.replace(/: run again$/, ": planning again"));
    return generate(v, true);
  }
  const { written, removed } = result;
  const p = planned.plan;
  print(
    `${p.operands.length} operand targets, ${p.extensionImages.length} extension images, ${p.runtimes.length} runtimes; ` +
      `${written.length} files written, ${removed.length} removed, ${files.length + 1 - written.length} unchanged in ${planned.outDir}`,
  );
  return 0;
}

export const generateCommand = command({
  usage: "pgbake generate [--check] [--release] [--force] [--lock-wait SECONDS] [--config FILE] [--extensions DIR] [--out DIR]",
  summary:
    "write docker-bake.hcl and the Dockerfiles (--check: exit 1 if the files on disk differ; --release: refuse unpinned bases and sources; --force: replace files pgbake did not make; --lock-wait: how long to wait for another run writing there, default 600)",
  options,
  run: (v) => generate(v, false),
});
