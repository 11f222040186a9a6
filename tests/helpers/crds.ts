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
 * where Kubernetes keeps unknown fields (`x-kubernetes-preserve-unknown-fields`). The simple CEL
 * rules are added on the way (celAsSchema).
 */
function closeSchema(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) closeSchema(item);
    return;
  }
  if (!schema || typeof schema !== "object") return;
  const s = schema as Record<string, unknown>;
  if (s.properties && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"]) s.additionalProperties = false;
  for (const v of Object.values(s)) closeSchema(v);
  celAsSchema(s);
}

/**
 * The CEL rules of the form `self != 'literal'` (names the API server refuses, such as the
 * Database `postgres`) as JSON Schema; the other rules (`self == oldSelf`: updates, and those
 * across fields) need the API server and are left out.
 */
function celAsSchema(s: Record<string, unknown>): void {
  const rules = (s["x-kubernetes-validations"] ?? []) as { rule: string }[];
  const refused = rules.flatMap((r) => /^self != '([^']*)'$/.exec(r.rule)?.[1] ?? []);
  if (refused.length > 0) s.not = { enum: refused };
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
      closeSchema(version.schema.openAPIV3Schema);
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
