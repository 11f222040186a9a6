// OCI annotations and labels per image, written once from the config and the plan: each key
// appears here once and goes out both as an `annotations` entry (at the levels of the bake
// variable `annotation_levels`) and as a label with the same value.
import type { BaseSpec, ExtensionSpec, ExtensionTargetPlan, OperandTargetPlan, ProjectConfig } from "../model/types.js";
import { bakeRef, hclList, hclString, hclTemplate, type BakeRef, type Hcl, type HclEntry } from "./escape.js";

type Value = string | (string | BakeRef)[];
export type MetadataFields = [key: string, value: Value][];

export interface RenderedMetadata {
  annotations: Hcl;
  labels: HclEntry[];
}

const oci = (name: string): string => `org.opencontainers.image.${name}`;

/** `debian:bookworm-slim@sha256:…` → `docker.io/library/debian:bookworm-slim` and the digest. */
export function baseReference(image: string): { name: string; digest?: string } {
  const [ref, digest] = image.split("@") as [string, string | undefined];
  const first = ref.split("/")[0]!;
  const hasHost = ref.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  const name = hasHost ? ref : ref.includes("/") ? `docker.io/${ref}` : `docker.io/library/${ref}`;
  return { name, digest };
}

function common(config: ProjectConfig, version: string, licenses: string | undefined): MetadataFields {
  const m = config.metadata;
  const fields: MetadataFields = [
    [oci("created"), [bakeRef("created")]],
    [oci("revision"), [bakeRef("revision")]],
    [oci("version"), version],
  ];
  if (m.vendor) fields.push([oci("vendor"), m.vendor]);
  if (m.source) fields.push([oci("source"), m.source]);
  if (m.url) fields.push([oci("url"), m.url]);
  if (m.documentation) fields.push([oci("documentation"), m.documentation]);
  if (licenses) fields.push([oci("licenses"), licenses]);
  return fields;
}

export function operandFields(op: OperandTargetPlan, config: ProjectConfig, base: BaseSpec): MetadataFields {
  const type = config.types.find((t) => t.name === op.type)!;
  const flavor = config.flavors.find((f) => f.name === op.flavor)!;
  const ref = baseReference(base.image);
  const p = config.metadata.annotation_prefix;
  const kept = op.kept.map((k) => k.name);
  const fields: MetadataFields = [
    [oci("title"), `PostgreSQL ${op.pgVersion} ${op.type} ${op.flavor} on ${op.base}`],
    [
      oci("description"),
      `PostgreSQL ${op.pgVersion}${op.preview ? " (preview)" : ""}. Type ${op.type}: ${type.description}. ` +
        `Flavor ${op.flavor}${flavor.description ? `: ${flavor.description}` : ""}.` +
        (kept.length > 0 ? ` Extensions: ${kept.join(", ")}.` : ""),
    ],
    ...common(config, op.pgVersion, config.metadata.licenses),
    [oci("base.name"), ref.name],
  ];
  if (ref.digest) fields.push([oci("base.digest"), ref.digest]);
  fields.push(
    [`${p}.postgres.version`, op.pgVersion],
    [`${p}.postgres.major`, String(op.major)],
    [`${p}.image.type`, op.type],
    [`${p}.image.flavor`, op.flavor],
    [`${p}.image.base`, op.base],
    [`${p}.extensions.enabled`, String(op.kept.length)],
    [`${p}.extensions.total`, String(op.kept.length + op.excluded.length)],
  );
  if (kept.length > 0) fields.push([`${p}.extensions`, kept.join(",")]);
  return fields;
}

export function extensionFields(et: ExtensionTargetPlan, spec: ExtensionSpec, config: ProjectConfig): MetadataFields {
  const p = config.metadata.annotation_prefix;
  return [
    [oci("title"), `${spec.name} ${et.version} for PostgreSQL ${et.major} on ${et.base}`],
    [oci("description"), `${spec.description} (extension image for CloudNativePG image volumes)`],
    ...common(config, et.version, spec.license),
    [oci("base.name"), "scratch"],
    [`${p}.postgres.major`, String(et.major)],
    [`${p}.image.type`, "extension"],
    [`${p}.image.base`, et.base],
    [`${p}.extension.name`, spec.name],
  ];
}

export function renderMetadata(fields: MetadataFields): RenderedMetadata {
  const parts = (v: Value): (string | BakeRef)[] => (typeof v === "string" ? [v] : v);
  const annotations = fields.map(([key, value]) => hclTemplate([bakeRef("annotation_levels"), `:${key}=`, ...parts(value)]));
  return {
    annotations: hclList(annotations, "  "),
    labels: fields.map(([key, value]) => ({ key: hclString(key), value: hclTemplate(parts(value)) })),
  };
}
