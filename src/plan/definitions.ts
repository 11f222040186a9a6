// Every value a bake target derives from its facts, defined once as a formula (src/model/formula.ts):
// names, descriptions, build args, named contexts, tags and their placeholders, labels (and the
// annotations made from them), registry caches, platforms, network. The plan evaluates these
// formulas in TypeScript; the bake file prints the same formulas as HCL functions, so what buildx
// computes and what pgbake reports cannot differ. To add a label, a tag placeholder or a build
// argument, edit this file (and only this one; a placeholder also needs its description in
// model/naming.ts, which the validator and docs read). What the formulas are evaluated over (the
// tables, a target's facts) and their evaluation in TypeScript are in plan/evaluation.ts.
//
// A target's facts (`o`) are what cannot be derived: its major, base, versions, the extensions an
// operand keeps, its Dockerfile. Facts equal to what they default to are left out (`lookup`).
// A fact named in capitals is a build argument as it is (PACKAGES, RUNTIME_PACKAGES, ...).
import { add, apply, call, concat, eq, fn, forList, forMap, get, gt, list, name, ne, nothing, and, nonEmpty, object, text, tpl, when, type Formula, type FormulaFunction } from "../model/formula.js";
import { extensionContextNameFormula, extensionTargetNameFormula, operandTargetNameFormula, runtimeTargetNameFormula, tagSafeVersionFormula } from "../model/naming.js";
import type { SharedFacts } from "../model/types.js";

const o = name("o");
const fact = (key: string): Formula => get(o, key);
/** A fact that is left out when it equals its default. */
const factOr = (key: string, otherwise: Formula): Formula => call("lookup", o, key, otherwise);
const pg = (field: string): Formula => get(name("postgres"), fact("major"), field);
const base = (field: string): Formula => get(name("bases"), fact("base"), field);
const oci = (key: string): string => `org.opencontainers.image.${key}`;

/** Facts that default to something derived, and what. */
const platforms = factOr("platforms", base("platforms"));
const network = factOr("network", text("default"));
const keptExtensions = fact("extensions");
const excluded = factOr("excluded", list());
/** The facts in capitals (but null ones, which a row sets to undo a default): build args the target does not derive, each `{major}` filled for extension images. */
const factArgs = (fill: boolean): Formula =>
  forMap(o, ["k", "v"], name("k"), fill ? call("replace", name("v"), "{major}", fact("major")) : name("v"), and(eq(call("upper", name("k")), name("k")), ne(name("v"), nothing)));

// ---- Names ------------------------------------------------------------------------------------
const runtimeName = apply(runtimeTargetNameFormula, fact("major"), fact("base"));

// ---- Tag placeholders: what each `{placeholder}` of a tag template becomes -------------------
/** Placeholders of `tags.operand`; model/naming.ts documents each (operandTagPlaceholders). */
const operandTagValues: Record<string, Formula> = {
  major: fact("major"),
  version: apply(tagSafeVersionFormula, pg("version")),
  type: fact("type"),
  base: fact("base"),
  flavor: fact("flavor"),
  codename: base("codename"),
  timestamp: name("timestamp"),
};
/** Placeholders of `tags.extension` (extensionTagPlaceholders). */
const extensionTagValues: Record<string, Formula> = {
  ext_version: apply(tagSafeVersionFormula, fact("version")),
  major: fact("major"),
  base: fact("base"),
  codename: base("codename"),
  extension: fact("extension"),
  timestamp: name("timestamp"),
};

/** `repository:tag` of a tag template: literal text and placeholders (unknown ones stay as written). */
function templateTag(repository: Formula, template: string, values: Record<string, Formula>): Formula {
  const parts: Formula[] = [repository, text(":")];
  let last = 0;
  for (const m of template.matchAll(/\{([a-z_]+)\}/g)) {
    const value = values[m[1]!];
    if (value === undefined) continue;
    if (m.index > last) parts.push(text(template.slice(last, m.index)));
    parts.push(value);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(text(template.slice(last)));
  return concat(...parts);
}

// ---- The definitions, per kind of target ------------------------------------------------------

export interface TargetFormulas {
  /** The target: name, description, dockerfile, platforms, args, contexts, and for images tags, labels, annotations; caches and network as the plan has them. */
  target: FormulaFunction;
  /** The target of row `o`: `target` given its name (and labels), each computed once. */
  of: Formula;
  /** The target's name from its facts (groups select by it). */
  name: FormulaFunction;
  /** One `repository:tag` per tag template, in template order (images only). */
  tags?: FormulaFunction;
  labels?: FormulaFunction;
}

export interface Definitions {
  runtime: TargetFormulas;
  extension: TargetFormulas;
  operand: TargetFormulas;
  /** Top-level attributes of the bake file that are formulas (labels every image carries). */
  globals: [string, Formula][];
}

export interface DefinitionOptions {
  cache: boolean;
  /** Only a plan with a loopback apt mirror names networks. */
  hostNetwork: boolean;
}

/** Annotations are the labels, at the levels of `annotation_levels` (empty: manifest for one platform, which without attestations is no index). */
const annotations = fn("annotations", ["labels", "platforms"], (labels, targetPlatforms) => {
  const levels = when(ne(name("annotation_levels"), ""), name("annotation_levels"), when(gt(call("length", targetPlatforms), 1), "index,manifest", "manifest"));
  return forList(labels, ["k", "v"], tpl`${levels}:${name("k")}=${name("v")}`);
});

/** Registry cache in the image's own repository, one per target and `cache_scope` (CI: per platform). */
const cacheRef = fn("cache_ref", ["repository", "target"], (repository, target) => tpl`type=registry,ref=${name("registry")}/${repository}:cache-${target}-${name("cache_scope")}`);
export const cacheToOptions = "mode=max,image-manifest=true,oci-mediatypes=true";

const dockerfile = tpl`dockerfiles/${fact("dockerfile")}.Dockerfile`;
const images = fn("registry_tags", ["tags"], (tags) => call("distinct", forList(tags, "t", tpl`${name("registry")}/${name("t")}`)));

function targetObject(entries: [string, Formula][], repository: Formula, targetName: Formula, options: DefinitionOptions): Formula {
  return object([
    ...entries,
    ...(options.cache
      ? ([
          ["cache_from", list(apply(cacheRef, repository, targetName))],
          ["cache_to", list(concat(apply(cacheRef, repository, targetName), `,${cacheToOptions}`))],
        ] as [string, Formula][])
      : []),
    ...(options.hostNetwork ? ([["network", network]] as [string, Formula][]) : []),
  ]);
}

export function definitions(shared: SharedFacts, options: DefinitionOptions): Definitions {
  const prefix = shared.annotationPrefix;
  const license = shared.operandLicenses;

  // Runtimes: PostgreSQL on a base, never pushed; their cache lives in the default operand repository.
  const runtimeNameFn = fn("runtime_name", ["o"], () => runtimeName);
  const runtimeRepository = text(shared.image);
  const runtime = fn("runtime_target", ["o", "target_name"], () =>
    targetObject(
      [
        ["name", name("target_name")],
        ["description", tpl`PostgreSQL ${pg("version")} on ${fact("base")}: the runtime the other images build on`],
        ["dockerfile", dockerfile],
        ["platforms", platforms],
        // The apt repositories (plan/apt.ts) that differ from the Dockerfile's defaults are facts.
        [
          "args",
          call(
            "merge",
            object([
              ["BASE_IMAGE", base("image")],
              ["PG_MAJOR", fact("major")],
              ["PG_VERSION", pg("version")],
            ]),
            factArgs(false),
          ),
        ],
        ["contexts", object([])],
      ],
      runtimeRepository,
      name("target_name"),
      options,
    ),
  );

  // Extension images (CloudNativePG image volumes): one per extension, major and base.
  const extensionName = apply(extensionTargetNameFormula, fact("extension"), fact("major"), fact("base"));
  const extensionTags = fn("extension_tags", ["o"], () => list(...shared.tagTemplates.extension.map((t) => templateTag(fact("extension"), t, extensionTagValues))));
  const extensionLabels = fn("extension_labels", ["o"], () =>
    call(
      "merge",
      name("common_labels"),
      object([
        [oci("title"), tpl`${fact("extension")} ${fact("version")} for PostgreSQL ${fact("major")} on ${fact("base")}`],
        [oci("description"), tpl`${fact("description")} (extension image for CloudNativePG image volumes)`],
        [oci("version"), fact("version")],
        [oci("licenses"), fact("license")],
        [oci("base.name"), text("scratch")],
        [`${prefix}.postgres.major`, fact("major")],
        [`${prefix}.image.type`, text("extension")],
        [`${prefix}.image.base`, fact("base")],
        [`${prefix}.extension.name`, fact("extension")],
      ]),
    ),
  );
  const extensionTarget = fn("extension_target", ["o", "target_name", "labels"], () =>
    targetObject(
      [
        ["name", name("target_name")],
        ["description", tpl`${fact("extension")} ${fact("version")} for PostgreSQL ${fact("major")} on ${fact("base")}: extension image`],
        ["dockerfile", dockerfile],
        ["platforms", platforms],
        // Build args are facts with `{major}` standing for the major, so one value serves every major.
        ["args", call("merge", object([["PG_MAJOR", fact("major")]]), factArgs(true))],
        [
          "contexts",
          call(
            "merge",
            object([["runtime", tpl`target:${runtimeName}`]]),
            // A local source directory is read against `bake_dir` (see the variable).
            nonEmpty([["src", when(factOr("src_local", { op: "bool", value: false }), tpl`${name("bake_dir")}/${factOr("src", text(""))}`, factOr("src", text("")))]]),
          ),
        ],
        ["tags", apply(images, apply(extensionTags, o))],
        ["labels", name("labels")],
        ["annotations", apply(annotations, name("labels"), platforms)],
      ],
      fact("extension"),
      name("target_name"),
      options,
    ),
  );

  // Operand images: PostgreSQL with the extensions of a flavor, copied in from the extension images.
  const operandName = apply(operandTargetNameFormula, get(name("flavors"), fact("flavor"), "group"), fact("major"), fact("type"), fact("base"));
  const flavor = (field: string): Formula => get(name("flavors"), fact("flavor"), field);
  const repository = flavor("image");
  const operandTags = fn("operand_tags", ["o"], () => list(...shared.tagTemplates.operand.map((t) => templateTag(repository, t, operandTagValues))));
  const kept = call("length", keptExtensions);
  const operandLabels = fn("operand_labels", ["o"], () =>
    call(
      "merge",
      name("common_labels"),
      object([
        [oci("title"), tpl`PostgreSQL ${pg("version")} ${fact("type")} ${fact("flavor")} on ${fact("base")}`],
        [
          oci("description"),
          tpl`PostgreSQL ${pg("version")}${when(pg("preview"), " (preview)")}. Type ${fact("type")}: ${get(name("types"), fact("type"), "description")}. Flavor ${fact("flavor")}${when(
            ne(flavor("description"), ""),
            tpl`: ${flavor("description")}`,
          )}.${when(gt(kept, 0), tpl` Extensions: ${call("join", ", ", keptExtensions)}.`)}`,
        ],
        [oci("version"), pg("version")],
        ...(license ? ([[oci("licenses"), text(license)]] as [string, Formula][]) : []),
        [oci("base.name"), base("name")],
        [`${prefix}.postgres.version`, pg("version")],
        [`${prefix}.postgres.major`, fact("major")],
        [`${prefix}.image.type`, fact("type")],
        [`${prefix}.image.flavor`, fact("flavor")],
        [`${prefix}.image.base`, fact("base")],
        [`${prefix}.extensions.enabled`, concat(kept)],
        [`${prefix}.extensions.total`, concat(add(kept, call("length", excluded)))],
      ]),
      nonEmpty([
        [oci("base.digest"), base("digest")],
        [`${prefix}.extensions`, call("join", ",", keptExtensions)],
      ]),
    ),
  );
  const ext = name("e");
  const operandTarget = fn("operand_target", ["o", "target_name", "labels"], () =>
    targetObject(
      [
        ["name", name("target_name")],
        ["description", tpl`PostgreSQL ${pg("version")} ${fact("type")}, flavor ${fact("flavor")}, on ${fact("base")}${when(gt(kept, 0), tpl`, with ${call("join", ", ", keptExtensions)}`)}`],
        ["dockerfile", dockerfile],
        ["platforms", platforms],
        [
          "args",
          call(
            "merge",
            object([
              ["PG_MAJOR", fact("major")],
              ["TYPE_PACKAGES", get(name("types"), fact("type"), "packages")],
            ]),
            factArgs(false),
          ),
        ],
        [
          "contexts",
          call(
            "merge",
            object([["runtime", tpl`target:${runtimeName}`]]),
            // Each kept extension that has an image is copied in from it (contrib ships with PostgreSQL).
            forMap(factOr("images", keptExtensions), "e", apply(extensionContextNameFormula, ext), tpl`target:${apply(extensionTargetNameFormula, ext, fact("major"), fact("base"))}`),
          ),
        ],
        ["tags", apply(images, apply(operandTags, o))],
        ["labels", name("labels")],
        ["annotations", apply(annotations, name("labels"), platforms)],
      ],
      repository,
      name("target_name"),
      options,
    ),
  );

  const extensionNameFn = fn("extension_name", ["o"], () => extensionName);
  const operandNameFn = fn("operand_name", ["o"], () => operandName);
  const commonLabels: [string, Formula][] = [
    [oci("created"), name("created")],
    [oci("revision"), name("revision")],
    ...shared.commonMetadata.map(([k, v]): [string, Formula] => [k, typeof v === "string" ? text(v) : name(v.variable)]),
  ];
  return {
    runtime: { target: runtime, of: apply(runtime, o, apply(runtimeNameFn, o)), name: runtimeNameFn },
    extension: { target: extensionTarget, of: apply(extensionTarget, o, apply(extensionNameFn, o), apply(extensionLabels, o)), name: extensionNameFn, tags: extensionTags, labels: extensionLabels },
    operand: { target: operandTarget, of: apply(operandTarget, o, apply(operandNameFn, o), apply(operandLabels, o)), name: operandNameFn, tags: operandTags, labels: operandLabels },
    globals: [["common_labels", object(commonLabels)]],
  };
}
