// The bake file is compact (lookups, functions printed from src/plan/definitions.ts, a matrix
// target per extension and flavor); the same formulas evaluated in TypeScript
// (src/render/bake-definition.ts) are what it must mean. Real buildx reads every generated bake
// file of the default config, every example and both e2e configs, and prints exactly that, for
// every target and group.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planFrom, renderFrom, type InputPaths } from "../src/pipeline/index.js";
import { bakeDefinition, defaultVariables } from "../src/render/bake-definition.js";
import type { BakeVariables } from "../src/plan/evaluation.js";
import { partitionTargets, partBakeFile } from "../src/plan/partition.js";
import { writeOutputs } from "../src/write/index.js";
import { asPrinted, printAll, sortedAnnotations, sortedGroups } from "./helpers/buildx.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

const work = tempDir("pgbake-print-");
afterAll(() => work.cleanup());

const example = (name: string): InputPaths => ({
  config: join(repoRoot, "examples", name, "pgbake.yaml"),
  extensions: join(repoRoot, "examples", name, "extensions"),
});
// A base whose PGDG mirror is on the loopback (host network) beside one that is not.
const loopbackConfig = join(work.dir, "loopback.yaml");
writeFileSync(
  loopbackConfig,
  readFileSync(join(repoRoot, "pgbake.yaml"), "utf8").replace(
    "    codename: trixie\n    postgres_from: pgdg\n",
    '    codename: trixie\n    postgres_from: pgdg\n    apt: { pgdg_mirror: "http://127.0.0.1:3142/pgdg" }\n',
  ),
);
const cases: [string, InputPaths][] = [
  ["a config with a loopback apt mirror on one base", { config: loopbackConfig, extensions: join(repoRoot, "extensions") }],
  ["the default config", {}],
  ["the default config, per major", { bakeFiles: "per-major" }],
  ...["cnpg-postgres-containers", "cnpg-extensions", "aza-pg", "flavored-pipeline", "vm-flavors"].map((n): [string, InputPaths] => [`examples/${n}`, example(n)]),
  ["e2e/pgbake.yaml", { config: join(repoRoot, "e2e/pgbake.yaml"), extensions: join(repoRoot, "e2e/extensions") }],
  ["e2e/multiarch.yaml", { config: join(repoRoot, "e2e/multiarch.yaml"), extensions: join(repoRoot, "e2e/extensions") }],
];

describe.each(cases)("docker buildx bake --print on %s", (name, paths) => {
  it("is the bake definition, for every group and target (annotation order aside)", async () => {
    const out = join(work.dir, name.replace(/[^a-z0-9]+/gi, "-"));
    const planned = planFrom({ ...paths, out });
    const { files, dockerfiles } = renderFrom(planned);
    writeOutputs(out, files);
    const plan = planned.plan;
    if (paths.config === loopbackConfig) {
      expect(plan.runtimes.filter((r) => r.network === "host").map((r) => r.base)).toEqual(["trixie", "trixie", "trixie", "trixie"]);
      expect(plan.operands.some((o) => o.base === "bookworm" && o.network === undefined)).toBe(true);
    }
    const vars: BakeVariables = { ...defaultVariables(plan), timestamp: "202611211200", revision: "0123abc", cache_scope: "amd64" };
    const env = { timestamp: vars.timestamp, revision: vars.revision, cache_scope: vars.cache_scope };
    const bakeFiles: [string, string[] | undefined][] = [
      ["docker-bake.hcl", undefined],
      ...[...partitionTargets(plan, plan.bakeFiles)].map(([part, targets]): [string, string[]] => [partBakeFile(part), targets]),
    ];
    for (const [file, targets] of bakeFiles) {
      const expected = bakeDefinition(plan, dockerfiles, vars, targets);
      const { default: defaultGroup, ...groups } = expected.group;
      const { all, plain } = await printAll(out, Object.keys(groups), env, file);
      expect(Object.keys(all.target).length, file).toBe(targets?.length ?? plan.runtimes.length + plan.extensionImages.length + plan.operands.length);
      expect(sortedGroups(sortedAnnotations(all)), file).toEqual(asPrinted(sortedGroups(sortedAnnotations({ ...expected, group: groups }))));
      expect(sortedGroups({ group: { default: plain.group!.default! } }), file).toEqual(sortedGroups({ group: { default: defaultGroup! } }));
    }
  });
});
