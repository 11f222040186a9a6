// The per-part bake files (bake_files: per-major / per-base): each one self-contained, with the
// variables, its own targets, and every group cut down to those targets.
import type { Plan, ProjectConfig } from "../model/types.js";
import { partBakeFile, partitionTargets } from "../plan/partition.js";
import type { BakeView } from "./bake.js";
import type { RenderedFile } from "./dockerfiles.js";
import { dockerComment, hclList, hclString } from "./escape.js";
import { template } from "./templates.js";

/** `view` is the full file's view; its targets are in plan order (runtimes, extensions, operands). */
export function partBakeFiles(plan: Plan, config: ProjectConfig, view: BakeView): RenderedFile[] {
  const names = [...plan.runtimes, ...plan.extensionImages, ...plan.operands].map((t) => t.name);
  if (names.length !== view.targets.length) throw new Error("render invariant: bake view and plan disagree on targets");
  const viewByName = new Map(names.map((n, i) => [n, view.targets[i]!]));
  const files: RenderedFile[] = [];
  for (const [part, targets] of partitionTargets(plan, config.bake_files)) {
    const inPart = new Set(targets);
    const file = partBakeFile(part);
    const example = plan.operands.find((o) => inPart.has(o.name))?.name ?? targets[0]!;
    const groups = plan.groups
      .map((g) => ({ name: g.name, description: g.description, targets: g.targets.filter((t) => inPart.has(t)) }))
      .filter((g) => g.targets.length > 0)
      .map((g) => ({ name: hclString(g.name), description: hclString(g.description), targets: hclList(g.targets.map(hclString)) }));
    const partView: BakeView = {
      header: [
        view.header[0]!,
        dockerComment(`The ${part} part of docker-bake.hcl, on its own: buildx reads it much faster.`),
        dockerComment(`Build one image:   docker buildx bake --file ${file} --push ${example}`),
      ],
      variables: view.variables,
      globals: view.globals,
      groups,
      targets: targets.map((t) => viewByName.get(t)!),
    };
    files.push({ path: file, content: template("docker-bake.hcl.tmpl")(partView) });
  }
  return files;
}
