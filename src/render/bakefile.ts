// docker-bake.hcl in CloudNativePG's style: the facts targets share are written once (lookup maps
// for PG versions, bases, types, flavors and extensions; functions for tags, caches, labels and
// the annotations derived from them), and each target is one row of a matrix holding only what
// is its own. A PG minor release changes one line; an extension release one row per image.
// `docker buildx bake --print` of this file is the definition in definition.ts (tests hold them).
import { extensionContextName, extensionTargetName, runtimeTargetName, tagSafeVersionHcl, timestampMarker } from "../model/naming.js";
import type { ExtensionTargetPlan, OperandTargetPlan, Plan, RuntimeTargetPlan, TargetPlan } from "../model/types.js";
import { extensionImageSuffix } from "../plan/metadata.js";
import { annotationLevels, attestationsOf, cacheToOptions, defaultVariables, imageOutput, isLocalContext, timestampFormat, usesHostNetwork, type BakeEntry } from "./definition.js";
import { dockerComment } from "./escape.js";
import { attr, block, code, list, object, printExpr, printHcl, ref, str, stringMap, strings, template, type Attribute, type Block, type Expr } from "./hcl.js";
import { named } from "../model/lookup.js";

const csv = (e: BakeEntry): string => Object.entries(e).map(([k, v]) => `${k}=${v}`).join(",");
const oci = (name: string): string => `org.opencontainers.image.${name}`;
/** Target names of the matrix row `o`, from the same naming functions the planner uses. */
const rowMajor = "${o.major}" as unknown as number;
const rowRuntime = runtimeTargetName(rowMajor, "${o.base}");
const rowExtensionImage = extensionTargetName("${e}", rowMajor, "${o.base}");

function variables(plan: Plan): Block[] {
  const v = (name: string, value: Expr, extra: Block[] = []): Block => block("variable", [name], [attr("default", value), ...extra]);
  return [
    v("registry", str(plan.registry)),
    // Evaluated once per bake run, so every tag of the run shares it; CI sets it once for all jobs.
    v("timestamp", code(`formatdate("${timestampFormat}", timestamp())`), [
      block("validation", [], [
        attr("condition", code('can(regex("^[0-9]{12}$", timestamp))')),
        attr("error_message", str(`timestamp must be ${timestampFormat} (UTC), e.g. 202611211200`)),
      ]),
    ]),
    v("revision", str("")),
    // Empty (the default without attestations): per target, "manifest" for one platform (a
    // single-platform export without attestations is no index), else "index,manifest".
    v("annotation_levels", str(defaultVariables(plan).annotation_levels)),
    v("cache_scope", str("all")),
    block("variable", ["bake_dir"], [attr("default", str("."))], [
      "Where this file and its dockerfiles/ are. buildx 0.29 reads every local path of a bake file",
      "(context, contexts) against the working directory, not this file (docker/buildx#1028; the",
      "opt-in BUILDX_BAKE_FILE_RELATIVE_PATHS=1 of later releases makes \".\" mean this file's",
      "directory). A bake file cannot learn its own location, and an absolute path written at",
      "generate time would tie the committed file to one clone: so from anywhere else, name it:",
      "bake_dir=DIR docker buildx bake -f DIR/docker-bake.hcl. `pgbake bake` runs buildx here.",
    ].join("\n")),
  ];
}

/** What every image of one extension shares, written once in the `extensions` lookup. */
export interface ExtensionShared {
  dockerfile: string;
  args: Record<string, string>;
  contexts: Record<string, string>;
}

function lookups(plan: Plan, shared: Map<string, ExtensionShared>, runtimeArgs: Map<string, Record<string, string>>): Attribute[] {
  const s = plan.shared;
  const o = (entries: [string, Expr][]): Expr => object(entries);
  return [
    attr("created", code('regex_replace(timestamp, "^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$", "$1-$2-$${3}T$4:$5:00Z")'),
      "OCI wants RFC 3339 for `created`: derived from `timestamp`, so both name the same minute."),
    attr("postgres", object(s.postgres.map((p) => [String(p.major), o([["version", str(p.version)], ["preview", code(String(p.preview))]])]), true),
      "PostgreSQL by major: a minor release changes one line here."),
    attr("bases", object(s.bases.map((b) => [b.name, o([
      ["image", str(b.image)], ["codename", str(b.codename)], ["name", str(b.baseName)], ["digest", str(b.baseDigest ?? "")], ["platforms", strings(b.platforms)],
      ...(runtimeArgs.has(b.name) ? [["runtime_args", stringMap(runtimeArgs.get(b.name)!)] as [string, Expr]] : []),
    ])]), true), "Base images: what runtimes start from (and the build args of every runtime on it), the OCI base name and digest of the operand images, platforms."),
    attr("types", object(s.types.map((t) => [t.name, o([["description", str(t.description)], ["packages", str(t.packages.join(" "))]])]), true)),
    attr("flavors", object(s.flavors.map((f) => [f.name, o([["description", str(f.description)], ["image", str(f.image)]])]), true)),
    attr("extensions", object(s.extensions.map((e) => {
      const own = shared.get(e.name);
      const built: [string, Expr][] = own
        ? [["dockerfile", str(stem(own.dockerfile))], ["args", stringMap(own.args)], ["contexts", contextMap(own.contexts)]]
        : [];
      return [e.name, o([["description", str(e.description)], ["license", str(e.license)], ...built])];
    }), true), "Extensions that have images: description, licence, and what all their images share (Dockerfile, args, contexts)."),
    // Which extensions have images, as a map: an operand copies from those (a lookup per
    // extension; `contains(keys(extensions), e)` made buildx read a 10× matrix twice as slowly).
    attr("has_image", object(s.extensions.map((e) => [e.name, code("true")]))),
    attr("common_labels", object([
      [oci("created"), code("created")],
      [oci("revision"), code("revision")],
      ...s.commonMetadata.map(([k, v]): [string, Expr] => [k, str(typeof v === "string" ? v : "")]),
    ], true), "Labels of every image. Annotations are the labels (function annotations)."),
  ];
}

/** A tag template (`{version}-{type}-{base}`) as an HCL template over the row `o`. */
function tagExpr(repository: string, tpl: string, values: Record<string, string>): Expr {
  const parts: (string | { code: string })[] = [ref("registry"), "/", ref(repository), ":"];
  let last = 0;
  for (const m of tpl.matchAll(/\{([a-z_]+)\}/g)) {
    const name = m[1]!;
    const value = `{${name}}` === timestampMarker ? "timestamp" : values[name];
    if (value === undefined) continue;
    if (m.index > last) parts.push(tpl.slice(last, m.index));
    parts.push(ref(value));
    last = m.index + m[0].length;
  }
  if (last < tpl.length) parts.push(tpl.slice(last));
  return template(...parts);
}

const tagsExpr = (repository: string, templates: string[], values: Record<string, string>): Expr =>
  code(`distinct(${printExpr(list(templates.map((t) => tagExpr(repository, t, values))))})`);

function functions(plan: Plan): Block[] {
  const s = plan.shared;
  const p = s.annotationPrefix;
  const fn = (name: string, params: string[], result: Expr, comment?: string): Block =>
    block("function", [name], [attr("params", code(`[${params.join(", ")}]`)), attr("result", result)], comment);
  const cacheRef = (extra: string): Expr =>
    template("type=registry,ref=", ref("registry"), "/", ref("repository"), ":cache-", ref("target"), "-", ref("cache_scope"), extra);
  const pg = "postgres[o.major]";
  const optional = (entries: [string, string][]): string =>
    `{ for k, v in ${printExpr(object(entries.map(([k, c]) => [k, code(c)])))} : k => v if v != "" }`;
  const operand = object([
    [oci("title"), template("PostgreSQL ", ref(`${pg}.version`), " ", ref("o.type"), " ", ref("o.flavor"), " on ", ref("o.base"))],
    [oci("description"), template(
      "PostgreSQL ", ref(`${pg}.version`), ref(`${pg}.preview ? " (preview)" : ""`), ". Type ", ref("o.type"), ": ", ref("types[o.type].description"),
      ". Flavor ", ref("o.flavor"), ref('flavors[o.flavor].description == "" ? "" : ": ${flavors[o.flavor].description}"'), ".",
      ref('length(o.extensions) > 0 ? " Extensions: ${join(", ", o.extensions)}." : ""'),
    )],
    [oci("version"), code(`${pg}.version`)],
    ...(s.operandLicenses ? [[oci("licenses"), str(s.operandLicenses)] as [string, Expr]] : []),
    [oci("base.name"), code("bases[o.base].name")],
    [`${p}.postgres.version`, code(`${pg}.version`)],
    [`${p}.postgres.major`, code("o.major")],
    [`${p}.image.type`, code("o.type")],
    [`${p}.image.flavor`, code("o.flavor")],
    [`${p}.image.base`, code("o.base")],
    [`${p}.extensions.enabled`, template(ref("length(o.extensions)"))],
    [`${p}.extensions.total`, template(ref('length(o.extensions) + length(lookup(o, "excluded", []))'))],
  ], true);
  const extension = object([
    [oci("title"), template(ref("o.extension"), " ", ref("o.version"), " for PostgreSQL ", ref("o.major"), " on ", ref("o.base"))],
    [oci("description"), template(ref("extensions[o.extension].description"), extensionImageSuffix)],
    [oci("version"), code("o.version")],
    [oci("licenses"), code("extensions[o.extension].license")],
    [oci("base.name"), str("scratch")],
    [`${p}.postgres.major`, code("o.major")],
    [`${p}.image.type`, str("extension")],
    [`${p}.image.base`, code("o.base")],
    [`${p}.extension.name`, code("o.extension")],
  ], true);
  const merged = (obj: Expr, extra?: string): Expr =>
    code(`merge(common_labels, ${printExpr(obj, "  ")}${extra ? `, ${extra}` : ""})`);
  return [
    plan.build.attest
      ? fn("annotations", ["labels"], code('[for k, v in labels : "${annotation_levels}:${k}=${v}"]'), "Annotations: the labels, at the levels of `annotation_levels`.")
      : fn(
          "annotations",
          ["labels", "platforms"],
          code(`[for k, v in labels : "\${annotation_levels != "" ? annotation_levels : length(platforms) > 1 ? "${annotationLevels.index}" : "${annotationLevels.manifest}"}:\${k}=\${v}"]`),
          "Annotations: the labels, at the levels of `annotation_levels` (empty: manifest for one platform, which without attestations is no index).",
        ),
    fn("cache_from", ["repository", "target"], list([cacheRef("")]), "Registry cache in the image's own repository, one per target and `cache_scope`."),
    fn("cache_to", ["repository", "target"], list([cacheRef(`,${csv(cacheToOptions)}`)])),
    fn("operand_labels", ["o"], merged(operand, optional([[oci("base.digest"), "bases[o.base].digest"], [`${p}.extensions`, 'join(",", o.extensions)']]))),
    fn("extension_labels", ["o"], merged(extension)),
  ];
}


/** Dockerfile paths are `dockerfiles/<stem>.Dockerfile`: rows hold the stem. */
function stem(path: string): string {
  const m = /^dockerfiles\/(.+)\.Dockerfile$/.exec(path);
  if (!m) throw new Error(`render invariant: unexpected Dockerfile path ${path}`);
  return m[1]!;
}

/** What a row holds beyond the fields every row of its block has: values the block cannot derive. */
function overrides(actual: Record<string, string>, derived: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(actual).filter(([k, v]) => derived[k] !== v));
}

function checkSubset(name: string, what: string, actual: Record<string, string>, derived: Record<string, string>): void {
  for (const [k, v] of Object.entries(derived))
    if (actual[k] !== v) throw new Error(`render invariant: ${name}: ${what} ${k} is ${actual[k]}, the bake file would say ${v}`);
}

/** A row's platforms: its own, else its base's (as matrixBlock sets them). */
const rowPlatforms = 'lookup(o, "platforms", bases[o.base].platforms)';
const annotationsCall = (labels: string, plan: Plan): string => (plan.build.attest ? `annotations(${labels})` : `annotations(${labels}, ${rowPlatforms})`);

function matrixBlock(name: string, inherits: string[], rows: Expr[], body: Attribute[], comment: string, dockerfile = "o.dockerfile", hostNetwork = false): Block {
  return block("target", [name], [
    attr("inherits", strings(inherits)),
    attr("matrix", object([["o", list(rows, true)]], true)),
    attr("name", code("o.name")),
    attr("dockerfile", template("dockerfiles/", ref(dockerfile), ".Dockerfile")),
    attr("platforms", code(rowPlatforms)),
    // Only a plan with a loopback apt mirror names networks: rows on such a base say `host`.
    ...(hostNetwork ? [attr("network", code('lookup(o, "network", "default")'))] : []),
    ...body,
  ], comment);
}

function commonRow(t: TargetPlan, plan: Plan, dockerfile: string | undefined): [string, Expr][] {
  const base = named(plan.shared.bases, t.base)!;
  const fields: [string, Expr][] = [["name", str(t.name)], ["major", str(String(t.major))], ["base", str(t.base)]];
  if (dockerfile !== undefined) fields.push(["dockerfile", str(stem(dockerfile))]);
  if (t.platforms.join(",") !== base.platforms.join(",")) fields.push(["platforms", strings(t.platforms)]);
  if (t.network) fields.push(["network", str(t.network)]);
  return fields;
}

const runtimeDerived = (t: RuntimeTargetPlan, plan: Plan): Record<string, string> => ({
  BASE_IMAGE: named(plan.shared.bases, t.base)!.image,
  PG_MAJOR: String(t.major),
  PG_VERSION: plan.shared.postgres.find((p) => p.major === t.major)!.version,
});

const agreed = (maps: Record<string, string>[]): Record<string, string> =>
  Object.fromEntries(Object.entries(maps[0]!).filter(([k, v]) => maps.every((m) => m[k] === v)));

/** Per base: the runtime args (beyond the derived ones) all its runtimes agree on, such as its apt sources. */
export function runtimeShared(targets: RuntimeTargetPlan[], plan: Plan): Map<string, Record<string, string>> {
  const byBase = new Map<string, RuntimeTargetPlan[]>();
  for (const t of targets) byBase.set(t.base, [...(byBase.get(t.base) ?? []), t]);
  return new Map([...byBase].map(([base, ts]) => [base, agreed(ts.map((t) => overrides(t.args, runtimeDerived(t, plan))))]));
}

/** Per extension: its Dockerfile, and the args and contexts (beyond the derived ones) all its images agree on. */
export function extensionShared(targets: ExtensionTargetPlan[], dockerfiles: Record<string, string>): Map<string, ExtensionShared> {
  const out = new Map<string, ExtensionShared>();
  const byExtension = new Map<string, ExtensionTargetPlan[]>();
  for (const t of targets) byExtension.set(t.extension, [...(byExtension.get(t.extension) ?? []), t]);
  for (const [name, ts] of byExtension) {
    const files = new Set(ts.map((t) => dockerfiles[t.name]!));
    if (files.size !== 1) throw new Error(`render invariant: the images of ${name} use ${files.size} Dockerfiles`);
    const args = agreed(ts.map((t) => overrides(t.args, { PG_MAJOR: String(t.major) })));
    const contexts = agreed(ts.map((t) => overrides(t.contexts, { runtime: `target:${runtimeTargetName(t.major, t.base)}` })));
    out.set(name, { dockerfile: [...files][0]!, args, contexts });
  }
  return out;
}

function withMap(fields: [string, Expr][], key: string, map: Record<string, string>): [string, Expr][] {
  return Object.keys(map).length > 0 ? [...fields, [key, key === "contexts" ? contextMap(map) : stringMap(map)]] : fields;
}

/** Named contexts; a local directory is relative to this file's directory: `${bake_dir}/...`. */
function contextMap(map: Record<string, string>): Expr {
  return object(Object.entries(map).map(([k, v]) => [k, isLocalContext(v) ? template(ref("bake_dir"), `/${v}`) : str(v)]));
}

function runtimeRow(t: RuntimeTargetPlan, plan: Plan, dockerfile: string, baseArgs: Record<string, string>): Expr {
  return object(withMap(commonRow(t, plan, dockerfile), "args", overrides(t.args, { ...runtimeDerived(t, plan), ...baseArgs })));
}

function extensionRow(t: ExtensionTargetPlan, plan: Plan, shared: ExtensionShared): Expr {
  const runtime = { runtime: `target:${runtimeTargetName(t.major, t.base)}` };
  checkSubset(t.name, "context", t.contexts, runtime);
  if (t.repository !== t.extension) throw new Error(`render invariant: ${t.name} pushes to ${t.repository}`);
  const fields: [string, Expr][] = [...commonRow(t, plan, undefined), ["extension", str(t.extension)], ["version", str(t.version)]];
  const args = overrides(t.args, { PG_MAJOR: String(t.major), ...shared.args });
  const contexts = overrides(t.contexts, { ...runtime, ...shared.contexts });
  return object(withMap(withMap(fields, "args", args), "contexts", contexts));
}

function operandRow(t: OperandTargetPlan, plan: Plan, dockerfile: string): Expr {
  const type = named(plan.shared.types, t.type)!;
  const flavor = named(plan.shared.flavors, t.flavor)!;
  if (t.repository !== flavor.image) throw new Error(`render invariant: ${t.name} pushes to ${t.repository}`);
  const contexts: Record<string, string> = { runtime: `target:${runtimeTargetName(t.major, t.base)}` };
  for (const k of t.kept) if (named(plan.shared.extensions, k.name)) contexts[extensionContextName(k.name)] = `target:${extensionTargetName(k.name, t.major, t.base)}`;
  if (JSON.stringify(Object.entries(contexts).sort()) !== JSON.stringify(Object.entries(t.contexts).sort()))
    throw new Error(`render invariant: ${t.name}: contexts differ from the kept extensions`);
  const derived = { PG_MAJOR: String(t.major), TYPE_PACKAGES: type.packages.join(" "), PACKAGES: "", SHARED_PRELOAD_LIBRARIES: "" };
  const fields: [string, Expr][] = [
    ...commonRow(t, plan, dockerfile),
    ["flavor", str(t.flavor)],
    ["type", str(t.type)],
    ["extensions", strings(t.kept.map((k) => k.name))],
  ];
  if (t.excluded.length > 0) fields.push(["excluded", strings(t.excluded.map((e) => e.name))]);
  return object(withMap(fields, "args", overrides(t.args, derived)));
}

function targetBlocks(
  plan: Plan,
  targets: TargetPlan[],
  dockerfiles: Record<string, string>,
  shared: Map<string, ExtensionShared>,
  runtimeArgs: Map<string, Record<string, string>>,
): Block[] {
  const s = plan.shared;
  const cache = (repository: string): Attribute[] =>
    plan.build.cache ? [attr("cache-from", code(`cache_from(${repository}, o.name)`)), attr("cache-to", code(`cache_to(${repository}, o.name)`))] : [];
  const out: Block[] = [
    block("target", ["_common"], [attr("context", code("bake_dir"))], "Shared by every target (inherits)."),
    block("target", ["_image"], [
      attr("inherits", strings(["_common"])),
      attr("output", strings([csv(imageOutput)])),
      attr("attest", strings(attestationsOf(plan).map(csv))),
    ], "Shared by every pushed image."),
  ];
  const hostNetwork = usesHostNetwork(plan);
  const runtimes = targets.filter((t): t is RuntimeTargetPlan => t.kind === "runtime");
  const extensions = targets.filter((t): t is ExtensionTargetPlan => t.kind === "extension");
  const operands = targets.filter((t): t is OperandTargetPlan => t.kind === "operand");
  const runtimeRepos = new Set(runtimes.map((t) => t.repository));
  if (runtimeRepos.size > 1) throw new Error("render invariant: runtimes cache to more than one repository");
  if (runtimes.length > 0) {
    out.push(matrixBlock("_runtimes", ["_common"], runtimes.map((t) => runtimeRow(t, plan, dockerfiles[t.name]!, runtimeArgs.get(t.base)!)), [
      attr("description", template("PostgreSQL ", ref("postgres[o.major].version"), " on ", ref("o.base"), ": the runtime the other images build on")),
      attr("args", code('merge({ BASE_IMAGE = bases[o.base].image, PG_MAJOR = o.major, PG_VERSION = postgres[o.major].version }, bases[o.base].runtime_args, lookup(o, "args", {}))')),
      ...cache(JSON.stringify(runtimes[0]!.repository)),
    ], "PostgreSQL on each base (never pushed): what the other images start from.", "o.dockerfile", hostNetwork));
  }
  if (extensions.length > 0) {
    const values = { ext_version: tagSafeVersionHcl("o.version"), major: "o.major", base: "o.base", codename: "bases[o.base].codename", extension: "o.extension" };
    out.push(matrixBlock("_extension_images", ["_image"], extensions.map((t) => extensionRow(t, plan, shared.get(t.extension)!)), [
      attr("description", template(ref("o.extension"), " ", ref("o.version"), " for PostgreSQL ", ref("o.major"), " on ", ref("o.base"), ": extension image")),
      attr("tags", tagsExpr("o.extension", s.tagTemplates.extension, values)),
      attr("contexts", code(`merge({ runtime = "target:${rowRuntime}" }, extensions[o.extension].contexts, lookup(o, "contexts", {}))`)),
      attr("args", code('merge({ PG_MAJOR = o.major }, extensions[o.extension].args, lookup(o, "args", {}))')),
      attr("labels", code("extension_labels(o)")),
      attr("annotations", code(annotationsCall("extension_labels(o)", plan))),
      ...cache("o.extension"),
    ], "Extension images (CloudNativePG image volumes): one per extension, major and base.", "extensions[o.extension].dockerfile", hostNetwork));
  }
  if (operands.length > 0) {
    const values = { major: "o.major", version: tagSafeVersionHcl("postgres[o.major].version"), type: "o.type", base: "o.base", flavor: "o.flavor", codename: "bases[o.base].codename" };
    const ext = `${extensionContextName("${e}")}`;
    out.push(matrixBlock("_operands", ["_image"], operands.map((t) => operandRow(t, plan, dockerfiles[t.name]!)), [
      attr("description", template(
        "PostgreSQL ", ref("postgres[o.major].version"), " ", ref("o.type"), ", flavor ", ref("o.flavor"), ", on ", ref("o.base"),
        ref('length(o.extensions) > 0 ? ", with ${join(", ", o.extensions)}" : ""'),
      )),
      attr("tags", tagsExpr("flavors[o.flavor].image", s.tagTemplates.operand, values)),
      attr("contexts", code(`merge({ runtime = "target:${rowRuntime}" }, { for e in o.extensions : "${ext}" => "target:${rowExtensionImage}" if lookup(has_image, e, false) })`)),
      attr("args", code('merge({ PG_MAJOR = o.major, TYPE_PACKAGES = types[o.type].packages, PACKAGES = "", SHARED_PRELOAD_LIBRARIES = "" }, lookup(o, "args", {}))')),
      attr("labels", code("operand_labels(o)")),
      attr("annotations", code(annotationsCall("operand_labels(o)", plan))),
      ...cache("flavors[o.flavor].image"),
    ], "Operand images: PostgreSQL with the extensions of a flavor, copied in from the extension images.", "o.dockerfile", hostNetwork));
  }
  return out;
}

export interface BakeFileOptions {
  header: string[];
  /** The targets to hold (a part file); all by default. */
  targets?: Set<string>;
}

/** The text of a bake file holding `options.targets` (default all) of the plan. */
export function bakeFile(plan: Plan, dockerfiles: Record<string, string>, options: BakeFileOptions): string {
  const all = [...plan.runtimes, ...plan.extensionImages, ...plan.operands];
  const targets = options.targets ? all.filter((t) => options.targets!.has(t.name)) : all;
  const wanted = new Set(targets.map((t) => t.name));
  const shared = extensionShared(targets.filter((t): t is ExtensionTargetPlan => t.kind === "extension"), dockerfiles);
  const runtimeArgs = runtimeShared(targets.filter((t): t is RuntimeTargetPlan => t.kind === "runtime"), plan);
  const groups = plan.groups
    .map((g) => ({ name: g.name, description: g.description, targets: g.targets.filter((t) => wanted.has(t)) }))
    .filter((g) => g.targets.length > 0)
    .map((g) => block("group", [g.name], [attr("description", str(g.description)), attr("targets", strings(g.targets))]));
  return printHcl({
    header: options.header.map((l) => dockerComment(l)),
    body: [...variables(plan), ...lookups(plan, shared, runtimeArgs), ...functions(plan), ...groups, ...targetBlocks(plan, targets, dockerfiles, shared, runtimeArgs)],
  });
}
