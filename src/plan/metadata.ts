// What the config says about every image's OCI labels (the labels themselves are formulas in
// plan/definitions.ts, where each key appears once and goes out as a label and an annotation).
import { parseImageRef } from "../model/references.js";
import type { Metadata, ProjectConfig } from "../model/types.js";

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
