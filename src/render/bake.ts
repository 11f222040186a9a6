// docker-bake.hcl: a view model of pre-escaped HCL values laid out by docker-bake.hcl.tmpl.
import type { Catalog, OperandTargetPlan, Plan, ProjectConfig } from "../model/types.js";
import { runtimePackagesFor, versionFor } from "../plan/compat.js";
import { fillTemplate } from "../plan/naming.js";
import { extensionDockerfile, operandDockerfiles, runtimeDockerfile, type RenderedFile } from "./dockerfiles.js";
import { bakeRef, dockerComment, hclEntries, hclList, hclReference, hclString, hclTemplate, type Hcl, type HclEntry } from "./escape.js";
import { extensionFields, operandFields, renderMetadata, type RenderedMetadata } from "./metadata.js";
import { bakeVariables, cacheAttrs, imageAttrs, type VariableView } from "./release.js";
import { partBakeFiles } from "./split.js";
import { staticFile, template } from "./templates.js";

export interface TargetView {
  name: Hcl;
  attrs: { key: string; value: Hcl }[];
  maps: { key: string; entries: HclEntry[] }[];
}

export interface BakeView {
  header: string[];
  variables: VariableView[];
  globals: { name: Hcl; value: Hcl }[];
  groups: { name: Hcl; description?: Hcl; targets: Hcl }[];
  targets: TargetView[];
}

export interface RenderOutput {
  files: RenderedFile[];
  /** target name -> Dockerfile path, for tests and `explain`. */
  dockerfiles: Record<string, string>;
}

interface TargetExtras {
  attrs?: { key: string; value: Hcl }[];
  metadata?: RenderedMetadata;
}

/** A context value that is a directory on this machine (a local extension source), not a URL or target. */
const isLocalDir = (value: string): boolean => !/^([a-z][a-z0-9+.-]*:\/\/|target:|docker-image:)/.test(value);

/** Local directories are relative to this file's directory: `${bake_dir}/...` (see the variable). */
function contextEntries(contexts: Record<string, string>): HclEntry[] {
  return Object.keys(contexts)
    .sort()
    .map((k) => {
      const v = contexts[k]!;
      return { key: hclString(k), value: isLocalDir(v) ? hclTemplate([bakeRef("bake_dir"), `/${v}`]) : hclString(v) };
    });
}

function target(
  name: string,
  description: string,
  dockerfile: string,
  platforms: string[],
  maps: Record<string, Record<string, string>>,
  extras: TargetExtras = {},
): TargetView {
  const attrs = [
    // `docker buildx bake --list targets` shows it.
    { key: "description", value: hclString(description) },
    { key: "context", value: hclReference("bake_dir") },
    { key: "dockerfile", value: hclString(dockerfile) },
    { key: "platforms", value: hclList(platforms.map(hclString)) },
    ...(extras.attrs ?? []),
  ];
  if (extras.metadata) attrs.push({ key: "annotations", value: extras.metadata.annotations });
  const mapViews = Object.entries(maps)
    .filter(([, m]) => Object.keys(m).length > 0)
    .map(([key, m]) => ({ key, entries: key === "contexts" ? contextEntries(m) : hclEntries(m) }));
  if (extras.metadata) mapViews.push({ key: "labels", entries: extras.metadata.labels });
  return { name: hclString(name), attrs, maps: mapViews };
}

/** A target this plan has, for the header's example: an operand image, else an extension image. */
function exampleTarget(plan: Plan): string {
  return plan.operands[0]?.name ?? plan.extensionImages[0]?.name ?? plan.runtimes[0]?.name ?? "default";
}

function operandDescription(op: OperandTargetPlan): string {
  const extensions = op.kept.map((k) => k.name).join(", ");
  return `PostgreSQL ${op.pgVersion}, ${op.type}, flavor ${op.flavor}, on ${op.base}${extensions ? `, with ${extensions}` : ""}`;
}

export function renderAll(plan: Plan, config: ProjectConfig, catalog: Catalog): RenderOutput {
  const files = new Map<string, RenderedFile>();
  const dockerfiles: Record<string, string> = {};
  const use = (targetName: string, file: RenderedFile): string => {
    const prev = files.get(file.path);
    if (prev && prev.content !== file.content) throw new Error(`two different Dockerfiles named ${file.path}`);
    files.set(file.path, file);
    dockerfiles[targetName] = file.path;
    return file.path;
  };
  const specs = new Map(catalog.extensions.map((e) => [e.name, e]));
  const bases = new Map(config.bases.map((b) => [b.name, b]));
  const targets: TargetView[] = [];

  for (const rt of plan.runtimes) {
    const base = bases.get(rt.base)!;
    const path = use(rt.name, runtimeDockerfile(base.postgres_from));
    targets.push(
      target(rt.name, `PostgreSQL ${rt.pgVersion} on ${rt.base}: the runtime the other images of PG ${rt.major} build on`, path, rt.platforms, {
        args: { BASE_IMAGE: base.image, PG_MAJOR: String(rt.major), PG_VERSION: rt.pgVersion },
      }, { attrs: cacheAttrs(config, config.image, rt.name) }),
    );
  }
  for (const et of plan.extensionImages) {
    const spec = specs.get(et.extension)!;
    const path = use(et.name, extensionDockerfile(spec));
    const contexts: Record<string, string> = { runtime: `target:${et.runtimeTarget}` };
    if (et.sourceContext) contexts[et.sourceContext.name] = et.sourceContext.value;
    let args: Record<string, string>;
    if (spec.kind === "package") {
      const version = fillTemplate(spec.package_version, { version: versionFor(spec, et.major) });
      const major = { major: String(et.major) };
      args = {
        PG_MAJOR: String(et.major),
        PACKAGES: [`${fillTemplate(spec.package!, major)}=${version}`, ...spec.extra_packages.map((p) => fillTemplate(p, major))].join(" "),
        RUNTIME_PACKAGES: runtimePackagesFor(spec, et.base).join(" "),
      };
    } else {
      args = { PG_MAJOR: String(et.major), BUILD_PACKAGES: (spec.source!.build_packages ?? []).join(" "), LICENSE_NAME: spec.name };
    }
    targets.push(
      target(et.name, `${et.extension} ${et.version} for PostgreSQL ${et.major} on ${et.base}: extension image (${spec.kind})`, path, et.platforms, { contexts, args }, {
        attrs: [...imageAttrs(config, et.tags), ...cacheAttrs(config, et.extension, et.name)],
        metadata: renderMetadata(extensionFields(et, spec, config)),
      }),
    );
  }
  const operandFiles = operandDockerfiles(plan.operands);
  for (const op of plan.operands) {
    const path = use(op.name, operandFiles.get(op.name)!);
    targets.push(
      target(
        op.name,
        operandDescription(op),
        path,
        op.platforms,
        {
          contexts: op.contexts,
          args: {
            PG_MAJOR: String(op.major),
            TYPE_PACKAGES: op.typePackages.join(" "),
            PACKAGES: op.runtimePackages.join(" "),
            SHARED_PRELOAD_LIBRARIES: op.sharedPreloadLibraries.join(","),
          },
        },
        {
          attrs: [...imageAttrs(config, op.tags), ...cacheAttrs(config, op.image, op.name)],
          metadata: renderMetadata(operandFields(op, config, bases.get(op.base)!)),
        },
      ),
    );
  }

  const view: BakeView = {
    header: [
      "Generated by pgbake from " + dockerComment(config.file.split("/").pop() ?? "pgbake.yaml") + ": do not edit.",
      `Build one image:   docker buildx bake --push ${dockerComment(exampleTarget(plan))}`,
      "From another directory (buildx reads local paths against the working directory): bake_dir=DIR docker buildx bake -f DIR/docker-bake.hcl",
      "Another registry:  registry=ghcr.io/me docker buildx bake --push",
      "One timestamp for a whole release: timestamp=202611211200 revision=$(git rev-parse HEAD) docker buildx bake --push",
      "Single platform without attestations: annotation_levels=manifest docker buildx bake --provenance=false --sbom=false",
    ],
    ...bakeVariables(config),
    groups: plan.groups.map((g) => ({ name: hclString(g.name), description: hclString(g.description), targets: hclList(g.targets.map(hclString)) })),
    targets,
  };
  const hcl = template("docker-bake.hcl.tmpl")(view);
  for (const script of ["pgbake-collect.sh", "pgbake-entrypoint.sh"])
    files.set(`dockerfiles/files/${script}`, { path: `dockerfiles/files/${script}`, content: staticFile(`templates/files/${script}`), mode: 0o755 });
  const out: RenderedFile[] = [{ path: "docker-bake.hcl", content: hcl }, ...partBakeFiles(plan, config, view), ...[...files.values()].sort((a, b) => a.path.localeCompare(b.path, "en"))];
  return { files: out, dockerfiles };
}
