// OCI annotations and labels per image, decided once from the config and the plan: each key
// appears here once and goes out both as an `annotations` entry (at the levels of the bake
// variable `annotation_levels`) and as a label with the same value.
import { parseImageRef } from "../model/references.js";
import type { Metadata, ProjectConfig, SharedFacts } from "../model/types.js";
import { named } from "../model/lookup.js";

const oci = (name: string): string => `org.opencontainers.image.${name}`;

/** `debian:bookworm-slim@sha256:…` → `docker.io/library/debian:bookworm-slim` and the digest. */
export function baseReference(image: string): { name: string; digest?: string } {
  const ref = parseImageRef(image);
  return { name: ref.qualified, digest: ref.digest };
}

/** The labels every image carries after its title and description: vendor, source, url, documentation. */
export function commonMetadata(config: ProjectConfig): Metadata {
  const m = config.metadata;
  const fields: Metadata = [];
  if (m.vendor) fields.push([oci("vendor"), m.vendor]);
  if (m.source) fields.push([oci("source"), m.source]);
  if (m.url) fields.push([oci("url"), m.url]);
  if (m.documentation) fields.push([oci("documentation"), m.documentation]);
  return fields;
}

function common(shared: SharedFacts, version: string, licenses: string | undefined): Metadata {
  const fields: Metadata = [
    [oci("created"), { variable: "created" }],
    [oci("revision"), { variable: "revision" }],
    [oci("version"), version],
    ...shared.commonMetadata,
  ];
  if (licenses) fields.push([oci("licenses"), licenses]);
  return fields;
}

export interface OperandFacts {
  pgVersion: string;
  preview: boolean;
  major: number;
  type: string;
  flavor: string;
  base: string;
  kept: string[];
  excludedCount: number;
}

export function operandDescription(o: Pick<OperandFacts, "pgVersion" | "preview" | "type" | "flavor" | "kept">, shared: SharedFacts): string {
  const type = named(shared.types, o.type)!;
  const flavor = named(shared.flavors, o.flavor)!;
  return (
    `PostgreSQL ${o.pgVersion}${o.preview ? " (preview)" : ""}. Type ${o.type}: ${type.description}. ` +
    `Flavor ${o.flavor}${flavor.description ? `: ${flavor.description}` : ""}.` +
    (o.kept.length > 0 ? ` Extensions: ${o.kept.join(", ")}.` : "")
  );
}

export function operandMetadata(o: OperandFacts, shared: SharedFacts): Metadata {
  const base = named(shared.bases, o.base)!;
  const p = shared.annotationPrefix;
  const fields: Metadata = [
    [oci("title"), `PostgreSQL ${o.pgVersion} ${o.type} ${o.flavor} on ${o.base}`],
    [oci("description"), operandDescription(o, shared)],
    ...common(shared, o.pgVersion, shared.operandLicenses),
    [oci("base.name"), base.baseName],
  ];
  if (base.baseDigest) fields.push([oci("base.digest"), base.baseDigest]);
  fields.push(
    [`${p}.postgres.version`, o.pgVersion],
    [`${p}.postgres.major`, String(o.major)],
    [`${p}.image.type`, o.type],
    [`${p}.image.flavor`, o.flavor],
    [`${p}.image.base`, o.base],
    [`${p}.extensions.enabled`, String(o.kept.length)],
    [`${p}.extensions.total`, String(o.kept.length + o.excludedCount)],
  );
  if (o.kept.length > 0) fields.push([`${p}.extensions`, o.kept.join(",")]);
  return fields;
}

export const extensionImageSuffix = " (extension image for CloudNativePG image volumes)";
export const extensionImageDescription = (description: string): string => `${description}${extensionImageSuffix}`;

export function extensionMetadata(
  e: { extension: string; version: string; major: number; base: string },
  shared: SharedFacts,
): Metadata {
  const spec = named(shared.extensions, e.extension)!;
  const p = shared.annotationPrefix;
  return [
    [oci("title"), `${e.extension} ${e.version} for PostgreSQL ${e.major} on ${e.base}`],
    [oci("description"), extensionImageDescription(spec.description)],
    ...common(shared, e.version, spec.license),
    [oci("base.name"), "scratch"],
    [`${p}.postgres.major`, String(e.major)],
    [`${p}.image.type`, "extension"],
    [`${p}.image.base`, e.base],
    [`${p}.extension.name`, e.extension],
  ];
}
