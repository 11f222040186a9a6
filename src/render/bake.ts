// docker-bake.hcl: a view model of pre-escaped HCL values laid out by docker-bake.hcl.tmpl.
import type { Catalog, Plan, ProjectConfig } from "../model/types.js";
import { runtimePackagesFor, versionFor } from "../plan/compat.js";
import { fillTemplate } from "../plan/naming.js";
import { extensionDockerfile, operandDockerfiles, runtimeDockerfile, type RenderedFile } from "./dockerfiles.js";
import { dockerComment, hclEntries, hclList, hclString, type Hcl, type HclEntry } from "./escape.js";
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
  groups: { name: Hcl; targets: Hcl }[];
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

function target(
  name: string,
  dockerfile: string,
  platforms: string[],
  maps: Record<string, Record<string, string>>,
  extras: TargetExtras = {},
): TargetView {
  const attrs = [
    { key: "context", value: hclString(".") },
    { key: "dockerfile", value: hclString(dockerfile) },
    { key: "platforms", value: hclList(platforms.map(hclString)) },
    ...(extras.attrs ?? []),
  ];
  if (extras.metadata) attrs.push({ key: "annotations", value: extras.metadata.annotations });
  const mapViews = Object.entries(maps)
    .filter(([, m]) => Object.keys(m).length > 0)
    .map(([key, m]) => ({ key, entries: hclEntries(m) }));
  if (extras.metadata) mapViews.push({ key: "labels", entries: extras.metadata.labels });
  return { name: hclString(name), attrs, maps: mapViews };
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
      target(rt.name, path, rt.platforms, {
        args: { BASE_IMAGE: base.image, PG_MAJOR: String(rt.major), PG_VERSION: rt.pgVersion, ...rt.aptArgs },
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
      target(et.name, path, et.platforms, { contexts, args }, {
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
      "Build one image:   docker buildx bake --push postgresql-17-minimal-bookworm",
      "Another registry:  registry=ghcr.io/me docker buildx bake --push",
      "One timestamp for a whole release: timestamp=202611211200 revision=$(git rev-parse HEAD) docker buildx bake --push",
      "Single platform without attestations: annotation_levels=manifest docker buildx bake --provenance=false --sbom=false",
    ],
    ...bakeVariables(config),
    groups: plan.groups.map((g) => ({ name: hclString(g.name), targets: hclList(g.targets.map(hclString)) })),
    targets,
  };
  const hcl = template("docker-bake.hcl.tmpl")(view);
  for (const script of ["pgbake-apt-pin.sh", "pgbake-collect.sh", "pgbake-entrypoint.sh"])
    files.set(`dockerfiles/files/${script}`, { path: `dockerfiles/files/${script}`, content: staticFile(`templates/files/${script}`), mode: 0o755 });
  const out: RenderedFile[] = [{ path: "docker-bake.hcl", content: hcl }, ...partBakeFiles(plan, config, view), ...[...files.values()].sort((a, b) => a.path.localeCompare(b.path, "en"))];
  return { files: out, dockerfiles };
}
