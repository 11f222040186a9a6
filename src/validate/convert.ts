// Turns schema-valid YAML data into the typed specs the planner takes, with the schemas'
// defaults filled in (defaults.ts). Only defaults computed from other fields are decided here.
import type { BaseAptSettings, BaseSpec, ExtensionSpec, FlavorSpec, ProjectConfig, SuiteEntry, TypeSpec } from "../model/types.js";
import { schemaDefault } from "./defaults.js";

type Obj = Record<string, unknown>;
const list = (v: unknown): string[] => (v as unknown[]).map(String);
const ext = <T>(value: unknown, ...path: string[]): T => (value === undefined ? schemaDefault<T>("extension", path) : (value as T));
const cfg = <T>(value: unknown, ...path: string[]): T => (value === undefined ? schemaDefault<T>("config", path) : (value as T));

/** A suite entry: a plain version is short for `{ version }`. */
function suiteEntry(v: unknown): SuiteEntry {
  if (typeof v !== "object" || v === null) return { version: String(v) };
  const o = v as Obj;
  return {
    ...(o.version === undefined ? {} : { version: String(o.version) }),
    ...(o.package === undefined ? {} : { package: String(o.package) }),
    ...(o.absent === undefined ? {} : { absent: String(o.absent) }),
  };
}

export function toExtensionSpec(data: Obj, file: string): ExtensionSpec {
  const name = String(data.name);
  const source = data.source as Obj | undefined;
  return {
    name,
    // A tool has no SQL name; an extension is created by its own name unless it says otherwise.
    sql_names: data.sql_names === undefined ? (data.kind === "tool" ? [] : [name]) : list(data.sql_names),
    description: String(data.description),
    license: String(data.license),
    homepage: String(data.homepage),
    kind: data.kind as ExtensionSpec["kind"],
    version: String(data.version),
    versions_by_major: Object.fromEntries(Object.entries(ext<Obj>(data.versions, "versions")).map(([k, v]) => [k, String(v)])),
    suites: Object.fromEntries(
      Object.entries(ext<Obj>(data.suites, "suites")).map(([suite, majors]) => [
        suite,
        Object.fromEntries(Object.entries(majors as Obj).map(([major, v]) => [major, suiteEntry(v)])),
      ]),
    ),
    package: data.package === undefined ? undefined : String(data.package),
    package_version: String(ext(data.package_version, "package_version")),
    source: source && {
      git: String(source.git),
      ref: String(source.ref),
      tag: source.tag === undefined ? undefined : String(source.tag),
      track: source.track === undefined ? undefined : String(source.track),
      build: source.build as NonNullable<ExtensionSpec["source"]>["build"],
      subdir: source.subdir === undefined ? undefined : String(source.subdir),
      build_packages: list(ext(source.build_packages, "source", "build_packages")),
      binaries: list(ext(source.binaries, "source", "binaries")),
      build_options: list(ext(source.build_options, "source", "build_options")),
      pgrx_version: source.pgrx_version === undefined ? undefined : String(source.pgrx_version),
      go_main: source.go_main === undefined ? undefined : String(source.go_main),
    },
    min_pg_version: data.min_pg_version as number | undefined,
    max_pg_version: data.max_pg_version as number | undefined,
    platforms: data.platforms === undefined ? undefined : list(data.platforms),
    bases: data.bases === undefined ? undefined : list(data.bases),
    disabled: ext<boolean>(data.disabled, "disabled"),
    disabled_reason: data.disabled_reason === undefined ? undefined : String(data.disabled_reason),
    shared_preload_libraries: list(ext(data.shared_preload_libraries, "shared_preload_libraries")),
    preload_position: data.preload_position as ExtensionSpec["preload_position"],
    requires: list(ext(data.requires, "requires")),
    conflicts: ext<Obj[]>(data.conflicts, "conflicts").map((c) => ({ extension: String(c.extension), reason: String(c.reason) })),
    startup_needs: ext<Obj[]>(data.startup_needs, "startup_needs").map((n) => ({
      kind: n.kind as ExtensionSpec["startup_needs"][number]["kind"],
      name: String(n.name),
      ...(n.value === undefined ? {} : { value: String(n.value) }),
      reason: String(n.reason),
    })),
    runtime_packages: list(ext(data.runtime_packages, "runtime_packages")),
    runtime_packages_by_base: Object.fromEntries(
      Object.entries(ext<Obj>(data.runtime_packages_by_base, "runtime_packages_by_base")).map(([k, v]) => [k, list(v)]),
    ),
    extra_packages: list(ext(data.extra_packages, "extra_packages")),
    smoke_test: data.smoke_test === undefined ? undefined : String(data.smoke_test),
    image_volume_unsupported: data.image_volume_unsupported === undefined ? undefined : String(data.image_volume_unsupported),
    expected_server_log: ext<Obj[]>(data.expected_server_log, "expected_server_log").map((e) => ({ match: String(e.match), reason: String(e.reason) })),
    broken_upgrade_paths: ext<Obj[]>(data.broken_upgrade_paths, "broken_upgrade_paths").map((b) => ({ sql_name: String(b.sql_name), from: list(b.from), reason: String(b.reason) })),
    notes: data.notes === undefined ? undefined : String(data.notes),
    file,
  };
}

const previewRe = /~(alpha|beta|rc)[0-9]+$/;

export function toProjectConfig(data: Obj, file: string): ProjectConfig {
  const bases: BaseSpec[] = Object.entries(data.bases as Record<string, Obj>).map(([name, b]) => ({
    name,
    image: String(b.image),
    codename: String(b.codename),
    postgres_from: cfg<BaseSpec["postgres_from"]>(b.postgres_from, "bases", "*", "postgres_from"),
    platforms: b.platforms === undefined ? undefined : list(b.platforms),
    majors: b.majors === undefined ? undefined : (b.majors as unknown[]).map(Number),
    apt: toAptSettings((b.apt as Obj | undefined) ?? {}),
  }));
  const types: TypeSpec[] = Object.entries((data.types as Record<string, Obj> | undefined) ?? {}).map(([name, t]) => ({
    name,
    description: String(t.description),
    packages: list(cfg(t.packages, "types", "*", "packages")),
    extensions: list(cfg(t.extensions, "types", "*", "extensions")),
  }));
  const flavors: FlavorSpec[] = Object.entries((data.flavors as Record<string, Obj> | undefined) ?? {}).map(([name, f]) => ({
    name,
    description: String(cfg(f.description, "flavors", "*", "description")),
    extensions: list(f.extensions),
    image: f.image === undefined ? undefined : String(f.image),
  }));
  const tags = (data.tags as Obj | undefined) ?? {};
  const metadata = (data.metadata as Obj | undefined) ?? {};
  const build = (data.build as Obj | undefined) ?? {};
  const opt = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));
  return {
    file,
    catalogs: data.catalogs === undefined ? undefined : list(data.catalogs),
    extension_images: list(cfg(data.extension_images, "extension_images")),
    registry: String(cfg(data.registry, "registry")),
    image: String(cfg(data.image, "image")),
    // The first flavor listed, as CloudNativePG names its plain images.
    default_flavor: data.default_flavor === undefined ? (flavors[0]?.name ?? "base") : String(data.default_flavor),
    output: String(cfg(data.output, "output")),
    bake_files: cfg<ProjectConfig["bake_files"]>(data.bake_files, "bake_files"),
    postgres: (data.postgres as Obj[]).map((p) => ({
      major: Number(p.major),
      version: String(p.version),
      preview: previewRe.test(String(p.version)),
    })),
    bases,
    types,
    platforms: list(data.platforms),
    flavors,
    tags: {
      // CloudNativePG's scheme by default (the schema's defaults): rolling major and minor tags plus an immutable one per run.
      operand: list(cfg(tags.operand, "tags", "operand")),
      extension: list(cfg(tags.extension, "tags", "extension")),
    },
    metadata: {
      vendor: opt(metadata.vendor),
      source: opt(metadata.source),
      url: opt(metadata.url),
      documentation: opt(metadata.documentation),
      licenses: opt(metadata.licenses),
      annotation_prefix: String(cfg(metadata.annotation_prefix, "metadata", "annotation_prefix")),
    },
    build: { attest: cfg<boolean>(build.attest, "build", "attest"), cache: cfg<boolean>(build.cache, "build", "cache") },
  };
}

function toAptSettings(apt: Obj): BaseAptSettings {
  const distro = apt.distro as Obj[] | undefined;
  return {
    pgdg_mirror: String(cfg(apt.pgdg_mirror, "bases", "*", "apt", "pgdg_mirror")),
    pgdg_archive: apt.pgdg_archive === undefined ? undefined : String(apt.pgdg_archive),
    pgdg_key: apt.pgdg_key === undefined ? undefined : String(apt.pgdg_key),
    distro: distro?.map((d) => ({
      uri: String(d.uri),
      suites: list(d.suites),
      components: list(cfg(d.components, "bases", "*", "apt", "distro", "*", "components")),
      signed_by: String(cfg(d.signed_by, "bases", "*", "apt", "distro", "*", "signed_by")),
      archive: cfg<boolean>(d.archive, "bases", "*", "apt", "distro", "*", "archive"),
    })),
  };
}
