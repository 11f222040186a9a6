// One extension directory of a CloudNativePG postgres-extensions-containers repository, read:
// `metadata.hcl` (the `metadata` object its bake file builds the matrix from, and an optional
// `target "default"` whose args the Dockerfile uses) checked field by field, and the apt
// packages its Dockerfile installs. Bad input is an error at file:line; a value that is valid
// CloudNativePG but has no pgbake counterpart is the mapping's business (cnpg-extensions.ts).
import { InputError, InputErrors } from "../model/errors.js";
import { lineOf, literal, readHcl } from "./hcl.js";

export interface CnpgVersion {
  /** The Debian package version pinned for this distribution and major (`0.8.1-2.pgdg13+1`). */
  package: string;
  /** The version CREATE EXTENSION reports, when the metadata gives it. */
  sql?: string;
}

export interface CnpgMetadata {
  dir: string;
  file: string;
  name: string;
  sqlName: string;
  imageName?: string;
  licenses: string[];
  sharedPreloadLibraries: string[];
  postgresqlParameters: Record<string, string>;
  extensionControlPath: string[];
  dynamicLibraryPath: string[];
  ldLibraryPath: string[];
  binPath: string[];
  env: Record<string, string>;
  autoUpdateOsLibs: boolean;
  requiredExtensions: string[];
  createExtension: boolean;
  /** distro → PostgreSQL major → pins. */
  versions: Record<string, Record<string, CnpgVersion>>;
  /** Build args the file's `target "default"` adds (postgis: POSTGIS_MAJOR). */
  targetArgs: Record<string, string>;
  /** Top-level `metadata` fields this importer does not know. */
  unknownFields: string[];
}

const KNOWN = [
  "name",
  "sql_name",
  "image_name",
  "licenses",
  "shared_preload_libraries",
  "postgresql_parameters",
  "extension_control_path",
  "dynamic_library_path",
  "ld_library_path",
  "bin_path",
  "env",
  "auto_update_os_libs",
  "required_extensions",
  "create_extension",
  "versions",
];

export async function readCnpgMetadata(dir: string, file: string, text: string): Promise<CnpgMetadata> {
  const data = await readHcl(file, text);
  const errors: InputError[] = [];
  const fail = (key: string, message: string, after = 1): void => void errors.push(new InputError(file, lineOf(text, key, after), 1, key, message));
  const meta = data.metadata;
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) throw new InputErrors([new InputError(file, 1, 1, "metadata", "expected a `metadata = { ... }` object")]);
  const m = meta as Record<string, unknown>;
  const text_ = (key: string, required: boolean): string | undefined => {
    const v = m[key];
    if (v === undefined) return required ? void fail(key, "missing (required)") : undefined;
    if (typeof v !== "string" || v === "") return void fail(key, `expected a non-empty string, got ${JSON.stringify(v)}`);
    const l = literal(v);
    if (l.expression) return void fail(key, `${JSON.stringify(v)} is an expression; import reads literal values only`);
    return l.text;
  };
  const list = (key: string): string[] => {
    const v = m[key] ?? [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) return (fail(key, "expected a list of strings"), []);
    return (v as string[]).map((x) => literal(x).text);
  };
  const map = (key: string): Record<string, string> => {
    const v = m[key] ?? {};
    if (v === null || typeof v !== "object" || Array.isArray(v)) return (fail(key, "expected a map of strings"), {});
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x !== "string" && typeof x !== "number" && typeof x !== "boolean") fail(key, `${k}: expected a string`);
      else out[k] = literal(String(x)).text;
    }
    return out;
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const v = m[key] ?? dflt;
    if (typeof v !== "boolean") return (fail(key, `expected true or false, got ${JSON.stringify(v)}`), dflt);
    return v;
  };
  const name = text_("name", true) ?? "";
  const sqlName = text_("sql_name", false) ?? name;
  const versions: CnpgMetadata["versions"] = {};
  const vs = m.versions;
  if (vs === null || typeof vs !== "object" || Array.isArray(vs) || Object.keys(vs).length === 0)
    fail("versions", 'expected `versions = { DISTRO = { "MAJOR" = { package = ... } } }` with at least one distribution');
  else
    for (const [distro, majors] of Object.entries(vs as Record<string, unknown>)) {
      const at = lineOf(text, distro, lineOf(text, "versions"));
      if (majors === null || typeof majors !== "object" || Array.isArray(majors) || Object.keys(majors).length === 0) {
        errors.push(new InputError(file, at, 1, `versions.${distro}`, 'expected { "MAJOR" = { package = ... } } with at least one major'));
        continue;
      }
      versions[distro] = {};
      for (const [major, pins] of Object.entries(majors as Record<string, unknown>)) {
        const where = `versions.${distro}.${major}`;
        const line = lineOf(text, major, at);
        const p = pins as Record<string, unknown> | null;
        if (!/^[0-9]{2}$/.test(major)) errors.push(new InputError(file, line, 1, where, "expected a two-digit PostgreSQL major"));
        else if (p === null || typeof p !== "object" || typeof p.package !== "string" || p.package === "")
          errors.push(new InputError(file, line, 1, where, 'expected { package = "DEBIAN-VERSION" } (package is required)'));
        else if (p.sql !== undefined && (typeof p.sql !== "string" || p.sql === "")) errors.push(new InputError(file, lineOf(text, "sql", line), 1, `${where}.sql`, "expected a non-empty string"));
        else versions[distro][major] = { package: p.package, ...(p.sql !== undefined ? { sql: p.sql as string } : {}) };
      }
    }
  const result: CnpgMetadata = {
    dir,
    file,
    name,
    sqlName,
    imageName: text_("image_name", false),
    licenses: list("licenses"),
    sharedPreloadLibraries: list("shared_preload_libraries"),
    postgresqlParameters: map("postgresql_parameters"),
    extensionControlPath: list("extension_control_path"),
    dynamicLibraryPath: list("dynamic_library_path"),
    ldLibraryPath: list("ld_library_path"),
    binPath: list("bin_path"),
    env: map("env"),
    autoUpdateOsLibs: bool("auto_update_os_libs", false),
    requiredExtensions: list("required_extensions"),
    createExtension: bool("create_extension", true),
    versions,
    targetArgs: defaultTargetArgs(data.target),
    unknownFields: Object.keys(m).filter((k) => !KNOWN.includes(k)),
  };
  if (errors.length > 0) throw new InputErrors(errors);
  return result;
}

/** The args of `target "default" { args = {...} }` blocks (hcl2json: target.default[i].args). */
function defaultTargetArgs(target: unknown): Record<string, string> {
  const blocks = (target as { default?: unknown } | undefined)?.default;
  const out: Record<string, string> = {};
  for (const b of Array.isArray(blocks) ? blocks : []) for (const [k, v] of Object.entries((b as { args?: Record<string, unknown> }).args ?? {})) out[k] = String(v);
  return out;
}
