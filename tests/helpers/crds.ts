// CloudNativePG's CRDs as published (tests/data/cnpg-crds-v1.30.0, see its README), turned into
// JSON Schema validators: a manifest pgbake writes is checked against the schema of its kind.
import { Ajv } from "ajv";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "./workspace.js";

export const crdDir = join(repoRoot, "tests/data/cnpg-crds-v1.30.0");

interface Crd {
  spec: { names: { kind: string }; group: string; versions: { name: string; storage: boolean; schema: { openAPIV3Schema: object } }[] };
}

/**
 * kubectl validates strictly by default (`--validate=strict`, Kubernetes 1.27+): a field the schema
 * does not name is an error, not silently pruned. Structural schemas do not say so with
 * `additionalProperties`, so every object schema that lists its properties is closed here, except
 * where Kubernetes keeps unknown fields (`x-kubernetes-preserve-unknown-fields`).
 */
function closeObjects(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) closeObjects(item);
    return;
  }
  if (!schema || typeof schema !== "object") return;
  const s = schema as Record<string, unknown>;
  if (s.properties && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"]) s.additionalProperties = false;
  for (const v of Object.values(s)) closeObjects(v);
}

// Kubernetes' structural schemas carry x-kubernetes-* keywords and formats (int32, ...) of their
// own: Ajv is told to accept the first and not to check the second.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
const validators = new Map<string, ReturnType<typeof ajv.compile>>(
  readdirSync(crdDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => {
      const crd = parse(readFileSync(join(crdDir, f), "utf8")) as Crd;
      const version = crd.spec.versions.find((v) => v.storage)!;
      closeObjects(version.schema.openAPIV3Schema);
      return [`${crd.spec.group}/${version.name}:${crd.spec.names.kind}`, ajv.compile(version.schema.openAPIV3Schema)] as const;
    }),
);

/** Schema errors of one manifest (an empty list when it is valid); unknown kinds are an error too. */
export function crdErrors(doc: object): string[] {
  const { apiVersion, kind } = doc as { apiVersion?: string; kind?: string };
  const validate = validators.get(`${apiVersion}:${kind}`);
  if (!validate) return [`no vendored CRD for ${apiVersion} ${kind}`];
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}

export const crdKinds = (): string[] => [...validators.keys()];
