// The release parts of the bake file: the variables a run is steered by, tags with the run's
// timestamp, attestations, OCI output and registry caches. Values come from the plan and config.
import type { ProjectConfig } from "../model/types.js";
import { timestampMarker } from "../plan/naming.js";
import { bakeRef, hclCall, hclList, hclReference, hclString, hclTemplate, type BakeRef, type Hcl } from "./escape.js";

export interface VariableView {
  name: Hcl;
  default: Hcl;
  validation?: { condition: Hcl; message: Hcl };
}

/** Tag format of `{timestamp}`: minutes in UTC, as CloudNativePG and aza-pg tag their images. */
export const timestampFormat = "YYYYMMDDhhmm";

export function bakeVariables(config: ProjectConfig): { variables: VariableView[]; globals: { name: Hcl; value: Hcl }[] } {
  const timestamp = hclReference("timestamp");
  return {
    variables: [
      { name: hclString("registry"), default: hclString(config.registry) },
      {
        // Evaluated once per bake run, so every tag of the run shares it; CI sets it once for all jobs.
        name: hclString("timestamp"),
        default: hclCall("formatdate", [hclString(timestampFormat), hclCall("timestamp", [])]),
        validation: {
          condition: hclCall("can", [hclCall("regex", [hclString("^[0-9]{12}$"), timestamp])]),
          message: hclString(`timestamp must be ${timestampFormat} (UTC), e.g. 202611211200`),
        },
      },
      { name: hclString("revision"), default: hclString("") },
      // A single-platform export without attestations cannot carry index annotations
      // (docker/buildx: "index annotations not supported for single platform export"): set
      // annotation_levels=manifest for such builds.
      { name: hclString("annotation_levels"), default: hclString("index,manifest") },
      { name: hclString("cache_scope"), default: hclString("all") },
      // Where this file and its dockerfiles/ are. buildx 0.29 resolves every local path of a
      // bake file (context, contexts) against the working directory, never against the file
      // (docker/buildx#1028; the opt-in BUILDX_BAKE_FILE_RELATIVE_PATHS=1 of later releases makes
      // "." mean this file's directory). A bake file cannot learn its own location, and an
      // absolute path written at generate time would tie the committed file to one clone, so the
      // directory is a variable: "." from here, `bake_dir=DIR docker buildx bake -f DIR/docker-bake.hcl`
      // from anywhere else. `pgbake bake` runs buildx in this directory and needs neither.
      { name: hclString("bake_dir"), default: hclString(".") },
    ],
    globals: [
      {
        // OCI wants RFC 3339 for `created`; derived from `timestamp` so both name the same minute.
        name: hclReference("created"),
        value: hclCall("regex_replace", [
          timestamp,
          hclString("^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$"),
          hclString("$1-$2-${3}T$4:$5:00Z"),
        ]),
      },
    ],
  };
}

/** A plan tag (`postgresql:17.6-{timestamp}-minimal-trixie`) as `"${registry}/postgresql:17.6-${timestamp}-…"`. */
export function hclTag(tag: string): Hcl {
  const parts: (string | BakeRef)[] = [bakeRef("registry"), "/"];
  tag.split(timestampMarker).forEach((piece, i) => {
    if (i > 0) parts.push(bakeRef("timestamp"));
    if (piece) parts.push(piece);
  });
  return hclTemplate(parts);
}

/** Attributes of a target that is pushed (has tags). */
export function imageAttrs(config: ProjectConfig, tags: string[]): { key: string; value: Hcl }[] {
  const attrs = [
    { key: "tags", value: hclList(tags.map(hclTag)) },
    { key: "output", value: hclList([hclString("type=image,oci-mediatypes=true,oci-artifact=true")]) },
  ];
  if (config.build.attest) attrs.push({ key: "attest", value: hclList([hclString("type=provenance,mode=max"), hclString("type=sbom")]) });
  return attrs;
}

/** Registry cache in the target's own repository, one tag per target and `cache_scope` (CI: per platform). */
export function cacheAttrs(config: ProjectConfig, repository: string, target: string): { key: string; value: Hcl }[] {
  if (!config.build.cache) return [];
  const ref = (extra: string): Hcl =>
    hclTemplate(["type=registry,ref=", bakeRef("registry"), `/${repository}:cache-${target}-`, bakeRef("cache_scope"), extra]);
  return [
    { key: "cache-from", value: hclList([ref("")]) },
    { key: "cache-to", value: hclList([ref(",mode=max,image-manifest=true,oci-mediatypes=true")]) },
  ];
}
