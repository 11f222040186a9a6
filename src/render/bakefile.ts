// docker-bake.hcl in CloudNativePG's style: variables, lookup tables, functions, and one matrix
// target per extension and per flavor. Every derived value is a function printed from the
// formulas of src/plan/definitions.ts (the plan evaluates the same formulas); a matrix row holds
// only a target's facts (plan/evaluation.ts factsOf) that differ from its extension's or flavor's
// defaults, and rows of one shape are written as a product of majors and bases.
import { allTargets, usesHostNetwork } from "../model/targets.js";
import type { Value } from "../model/formula.js";
import { flavorGroupName } from "../model/naming.js";
import type { Plan, TargetPlan } from "../model/types.js";
import { definitions, type DefinitionOptions } from "../plan/definitions.js";
import { factsOf, tablesOf, timestampFormat } from "../plan/evaluation.js";
import { attestationsOf, csv, defaultVariables, imageOutput } from "./bake-definition.js";
import { dockerComment, hclString } from "./escape.js";
import { functionBlock, functionsOf, printFormula } from "./formula-hcl.js";
import { bakeGroups, matrixTargets } from "./groups.js";
import { attr, block, code, list, object, printExpr, printHcl, str, strings, type Attribute, type Block, type Expr } from "./hcl.js";

/** A value as an HCL literal. */
function literal(v: Value, multiline = false): Expr {
  if (typeof v === "string") return str(v);
  if (v === null || typeof v === "number" || typeof v === "boolean") return code(String(v));
  if (Array.isArray(v)) return list(v.map((x) => literal(x)));
  return object(
    Object.entries(v).map(([k, x]) => [k, literal(x)]),
    multiline,
  );
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const member = (map: string, key: string): string => (identifier.test(key) ? `${map}.${key}` : `${map}[${hclString(key)}]`);

function variables(plan: Plan): Block[] {
  const v = (name: string, value: Expr, extra: Block[] = []): Block => block("variable", [name], [attr("default", value), ...extra]);
  return [
    v("registry", str(plan.registry)),
    // Evaluated once per bake run, so every tag of the run shares it; CI sets it once for all jobs.
    v("timestamp", code(`formatdate("${timestampFormat}", timestamp())`), [
      block("validation", [], [attr("condition", code('can(regex("^[0-9]{12}$", timestamp))')), attr("error_message", str(`timestamp must be ${timestampFormat} (UTC), e.g. 202611211200`))]),
    ]),
    v("revision", str("")),
    // Empty (the default without attestations): per target, "manifest" for one platform (a
    // single-platform export without attestations is no index), else "index,manifest".
    v("annotation_levels", str(defaultVariables(plan).annotation_levels)),
    v("cache_scope", str("all")),
    block(
      "variable",
      ["bake_dir"],
      [attr("default", str("."))],
      [
        "Where this file and its dockerfiles/ are. buildx 0.29 reads every local path of a bake file",
        "(context, contexts) against the working directory, not this file (docker/buildx#1028; the",
        'opt-in BUILDX_BAKE_FILE_RELATIVE_PATHS=1 of later releases makes "." mean this file\'s',
        "directory). A bake file cannot learn its own location, and an absolute path written at",
        "generate time would tie the committed file to one clone: so from anywhere else, name it:",
        "bake_dir=DIR docker buildx bake -f DIR/docker-bake.hcl. `pgbake bake` runs buildx here.",
      ].join("\n"),
    ),
  ];
}

type Facts = Record<string, Value>;
const json = (v: Value | undefined): string => JSON.stringify(v);

/** The value of each fact all of `facts` have that most of them share: what a row may leave out. */
function defaultsOf(facts: Facts[], skip: string[]): Facts {
  const out: Facts = {};
  for (const key of Object.keys(facts[0]!)) {
    if (skip.includes(key) || !facts.every((f) => key in f)) continue;
    const counts = new Map<string, number>();
    for (const f of facts) counts.set(json(f[key]), (counts.get(json(f[key])) ?? 0) + 1);
    out[key] = JSON.parse([...counts].sort((a, b) => b[1] - a[1])[0]![0]) as Value;
  }
  return out;
}

/**
 * What most of `entries` say, written once (`<kind>_defaults`), and the entries without it. A build
 * arg (a fact in capitals) most have is shared too: an entry without it says `null`, which the
 * formulas read as absent.
 */
function sharedDefaults(entries: Facts[]): { shared: Facts; entries: Facts[] } {
  if (entries.length < 2) return { shared: {}, entries };
  const keys = new Set(entries.flatMap((e) => Object.keys(e)));
  const shared: Facts = {};
  for (const key of keys) {
    const args = key === key.toUpperCase();
    const having = entries.filter((e) => key in e);
    if (!(args ? having.length * 2 > entries.length : having.length === entries.length)) continue;
    const counts = new Map<string, number>();
    for (const e of having) counts.set(json(e[key]), (counts.get(json(e[key])) ?? 0) + 1);
    const [value, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    // A default pays when two entries leave it out; an arg's default also costs a `null` in each entry without it.
    if (count > 1 && (!args || count * 2 > entries.length)) shared[key] = JSON.parse(value) as Value;
  }
  const stripped = entries.map((e) => {
    const out: Facts = Object.fromEntries(Object.entries(e).filter(([k, v]) => json(shared[k]) !== json(v)));
    for (const k of Object.keys(shared)) if (!(k in e)) out[k] = null;
    return out;
  });
  return { shared, entries: stripped };
}

/**
 * The rows of one matrix target as `rows(majors, bases, overrides)` calls: the facts that differ
 * from `defaults` grouped, each group's (major, base) pairs written as products.
 */
function rowsExpr(facts: Facts[], defaults: Facts, majorOrder: string[]): string {
  const groups = new Map<string, { overrides: Facts; at: Map<string, Set<string>> }>();
  for (const f of facts) {
    const overrides = Object.fromEntries(Object.entries(f).filter(([k, v]) => k !== "major" && k !== "base" && json(defaults[k]) !== json(v)));
    const key = json(overrides);
    const g = groups.get(key) ?? { overrides, at: new Map() };
    groups.set(key, g);
    g.at.set(f.base as string, (g.at.get(f.base as string) ?? new Set()).add(f.major as string));
  }
  const calls: string[] = [];
  for (const { overrides, at } of groups.values()) {
    const products = new Map<string, string[]>();
    for (const [base, majors] of at) {
      const key = json(majorOrder.filter((m) => majors.has(m)));
      products.set(key, [...(products.get(key) ?? []), base]);
    }
    for (const [majors, bases] of products)
      calls.push(`rows(${printExpr(literal(JSON.parse(majors) as string[]))}, ${printExpr(strings(bases))}${Object.keys(overrides).length > 0 ? `, ${printExpr(literal(overrides))}` : ""})`);
  }
  return calls.length === 1 ? calls[0]! : `concat(${calls.join(", ")})`;
}

const rowsFunction = block(
  "function",
  ["rows"],
  [
    attr("params", code("[majors, bases]")),
    attr("variadic_params", code("overrides")),
    attr("result", code("[for p in setproduct(majors, bases) : merge({ major = p[0], base = p[1] }, overrides...)]")),
  ],
  "Matrix rows: every major on every base, with the facts given (beyond their defaults).",
);

/** The body every matrix target shares: each attribute from the target object its function computed. */
function matrixTarget(name: string, inherits: string, targets: string, shape: DefinitionOptions, image: boolean, comment?: string): Block {
  const t = (field: string): Expr => code(`t.${field}`);
  const body: Attribute[] = [
    attr("inherits", strings([inherits])),
    attr("matrix", object([["t", code(targets)]])),
    ...["name", "description", "dockerfile", "platforms", "args"].map((f) => attr(f, t(f))),
  ];
  if (image) body.push(...["contexts", "tags", "labels", "annotations"].map((f) => attr(f, t(f))));
  if (shape.cache) body.push(attr("cache-from", t("cache_from")), attr("cache-to", t("cache_to")));
  if (shape.hostNetwork) body.push(attr("network", t("network")));
  return block("target", [name], body, comment);
}

export interface BakeFileOptions {
  header: string[];
  /** The targets to hold (a part file); all by default. */
  targets?: Set<string>;
}

/** The text of a bake file holding `options.targets` (default all) of the plan. */
export function bakeFile(plan: Plan, dockerfiles: Record<string, string>, options: BakeFileOptions): string {
  const targets = allTargets(plan).filter((t) => !options.targets || options.targets.has(t.name));
  const wanted = new Set(targets.map((t) => t.name));
  // Whether targets carry cache and network attributes: asked of the plan once, not per matrix target.
  const shape: DefinitionOptions = { cache: plan.build.cache, hostNetwork: usesHostNetwork(plan) };
  const defs = definitions(plan.shared, shape);
  const tables = tablesOf(plan.shared);
  const facts = new Map<TargetPlan, Facts>(targets.map((t) => [t, factsOf(t, plan.shared, dockerfiles[t.name])]));
  const majorOrder = plan.shared.postgres.map((p) => String(p.major));
  const of = <K extends TargetPlan["kind"]>(kind: K, key: (t: Extract<TargetPlan, { kind: K }>) => string): Map<string, Facts[]> => {
    const m = new Map<string, Facts[]>();
    for (const t of targets) {
      if (t.kind !== kind) continue;
      const k = key(t as Extract<TargetPlan, { kind: K }>);
      if (!m.has(k)) m.set(k, []);
      m.get(k)!.push(facts.get(t)!);
    }
    return m;
  };
  const { extensions, flavors } = matrixTargets(plan, wanted);

  // Extensions with images here: description, licence, and the facts most of their images share.
  const byExtension = of("extension", (t) => t.extension);
  const extensionDefaults = new Map([...byExtension].map(([e, fs]) => [e, defaultsOf(fs, ["major", "base"])]));
  const { shared, entries } = sharedDefaults(
    extensions.map((e): Facts => {
      const { extension: _, ...defaults } = extensionDefaults.get(e)!;
      return defaults;
    }),
  );
  const extensionTable = object(
    extensions.map((e, i) => [e, literal(entries[i]!)]),
    true,
  );
  // Only extensions whose images are not every major of this file on every base, all alike, need rows of their own.
  const fileMajors = majorOrder.filter((m) => targets.some((t) => String(t.major) === m));
  const fileBases = plan.shared.bases.map((b) => b.name).filter((b) => targets.some((t) => t.base === b));
  const everywhere = rowsExpr(
    fileMajors.flatMap((major) => fileBases.map((base) => ({ major, base }))),
    {},
    majorOrder,
  );
  const extensionRows = object(
    extensions.flatMap((e): [string, Expr][] => {
      const rows = rowsExpr(byExtension.get(e)!, extensionDefaults.get(e)!, majorOrder);
      return rows === everywhere ? [] : [[e, code(rows)]];
    }),
    true,
  );
  // Operands per flavor, each type's rows with the facts most of them share.
  const byFlavorType = new Map<string, Facts[]>();
  for (const t of targets) if (t.kind === "operand") byFlavorType.set(`${flavorGroupName(t.image)} ${t.type}`, [...(byFlavorType.get(`${flavorGroupName(t.image)} ${t.type}`) ?? []), facts.get(t)!]);
  const typeDefaults = [...byFlavorType.values()].map((rows) => defaultsOf(rows, ["major", "base"]));
  const operandShared = sharedDefaults(typeDefaults.map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== k.toUpperCase()))));
  const argDefaults = sharedDefaults(typeDefaults.map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k === k.toUpperCase()))));
  const operandDefaults = { ...operandShared.shared, ...argDefaults.shared };
  const byFlavor = new Map<string, string[]>();
  [...byFlavorType].forEach(([key, rows], i) => {
    const flavor = key.split(" ")[0]!;
    const d = { ...typeDefaults[i]!, ...operandShared.entries[i]!, ...argDefaults.entries[i]! };
    const own = Object.fromEntries(Object.entries(d).filter(([k, v]) => json(operandDefaults[k]) !== json(v)));
    byFlavor.set(flavor, [...(byFlavor.get(flavor) ?? []), `[for o in ${rowsExpr(rows, typeDefaults[i]!, majorOrder)} : merge(operand_defaults, ${printExpr(literal(own))}, o)]`]);
  });
  const operandRows = object(
    [...byFlavor].map(([flavor, calls]): [string, Expr] => [flavor, code(calls.length === 1 ? calls[0]! : `concat(${calls.join(", ")})`)]),
    true,
  );
  const runtimeFacts = [...of("runtime", () => "all").values()][0] ?? [];
  const runtimeDefaults = runtimeFacts.length > 0 ? defaultsOf(runtimeFacts, ["major", "base"]) : {};

  const t = (table: string, value: Expr, comment?: string): Attribute => attr(table, value, comment);
  const tableAttrs: Attribute[] = [
    t(
      "created",
      code('regex_replace(timestamp, "^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$", "$1-$2-$${3}T$4:$5:00Z")'),
      "OCI wants RFC 3339 for `created`: derived from `timestamp`, so both name the same minute.",
    ),
    t("postgres", literal(tables.postgres!, true), "PostgreSQL by major: a minor release changes one line here."),
    t("bases", literal(tables.bases!, true), "Base images: what runtimes start from, the OCI base name and digest of the operand images, platforms."),
    t("types", literal(tables.types!, true)),
    t("flavors", literal(tables.flavors!, true)),
    t("extension_defaults", literal(shared), "What most extensions below share."),
    t("extensions", extensionTable, "Extensions with images here: description, licence, and the facts most of their images share."),
    ...defs.globals.map(([k, f]) => t(k, code(printFormula(f)), k === "common_labels" ? "Labels of every image; annotations are the labels." : undefined)),
  ];
  // Functions of the kinds of target this file has.
  const kinds = (["runtime", "extension", "operand"] as const).filter((k) => targets.some((x) => x.kind === k));
  const formulas = kinds.map((k) => defs[k].of);
  const functions = functionsOf(formulas).map((f) => functionBlock(f));
  const rowTables: Attribute[] = [
    t(
      "runtime_images",
      code(runtimeFacts.length > 0 ? `[for o in ${rowsExpr(runtimeFacts, runtimeDefaults, majorOrder)} : merge(${printExpr(literal(runtimeDefaults))}, o)]` : "[]"),
      "Matrix rows: each target's facts (plan/evaluation.ts) beyond the defaults of its kind, extension or flavor and type.",
    ),
    t("extension_rows", extensionRows, "Extensions whose images are not every major here on every base, alike."),
    t("extension_images", code(`{ for k, v in extensions : k => [for o in lookup(extension_rows, k, ${everywhere}) : merge(extension_defaults, v, { extension = k }, o)] }`)),
    t("operand_defaults", literal(operandDefaults), "What most operand images share."),
    t("operand_images", operandRows),
    t("runtime_targets", code(kinds.includes("runtime") ? `[for o in runtime_images : ${printFormula(defs.runtime.of)}]` : "[]"), "Every target computed once from its row (functions above)."),
    t("extension_targets", code(kinds.includes("extension") ? `{ for k, v in extension_images : k => [for o in v : ${printFormula(defs.extension.of)}] }` : "{}")),
    t("operand_targets", code(kinds.includes("operand") ? `{ for k, v in operand_images : k => [for o in v : ${printFormula(defs.operand.of)}] }` : "{}")),
  ];
  const namesWhere = block(
    "function",
    ["names_where"],
    [
      attr("params", code("[field, value]")),
      attr(
        "result",
        code(
          `sort(concat(${kinds
            .filter((k) => k !== "runtime")
            .map((k) => `[for o in flatten(values(${k}_images)) : ${k}_name(o) if lookup(o, field, "") == value]`)
            .join(", ")}))`,
        ),
      ),
    ],
    "The images whose row has `field` = `value`, for the groups below.",
  );
  const groups = bakeGroups(plan, wanted)
    .filter((g) => !g.matrix)
    .map((g) => block("group", [g.name], [attr("description", str(g.description)), attr("targets", code(g.expression!))]));

  const blocks: Block[] = [
    block("target", ["_common"], [attr("context", code("bake_dir"))], "Shared by every target (inherits)."),
    block(
      "target",
      ["_image"],
      [attr("inherits", strings(["_common"])), attr("output", strings([csv(imageOutput)])), attr("attest", strings(attestationsOf(plan).map(csv)))],
      "Shared by every pushed image.",
    ),
  ];
  if (runtimeFacts.length > 0) blocks.push(matrixTarget("_runtimes", "_common", "runtime_targets", shape, false, "PostgreSQL on each base (never pushed): what the other images start from."));
  extensions.forEach((e, i) =>
    blocks.push(
      matrixTarget(
        e,
        "_image",
        member("extension_targets", e),
        shape,
        true,
        i === 0 ? "Extension images (CloudNativePG image volumes): one matrix target per extension, its images by major and base." : undefined,
      ),
    ),
  );
  flavors.forEach((f, i) =>
    blocks.push(
      matrixTarget(
        f,
        "_image",
        member("operand_targets", f),
        shape,
        true,
        i === 0 ? "Operand images: one matrix target per flavor; PostgreSQL with its extensions, copied in from the extension images." : undefined,
      ),
    ),
  );
  return printHcl({
    header: options.header.map((l) => dockerComment(l)),
    body: [...variables(plan), ...tableAttrs, rowsFunction, ...functions, namesWhere, ...rowTables, ...groups, ...blocks],
  });
}
