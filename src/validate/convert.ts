// Turns schema-valid YAML data into the typed specs the planner takes (defaults filled in).
import { DEBIAN_ARCHIVE_KEYRING, PGDG_DEFAULT_MIRROR, type BaseAptSettings, type BaseSpec, type ExtensionSpec, type FlavorSpec, type ProjectConfig, type TypeSpec } from "../model/types.js";

type Obj = Record<string, unknown>;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function toExtensionSpec(data: Obj, file: string): ExtensionSpec {
  const name = String(data.name);
  const source = data.source as Obj | undefined;
  return {
    name,
    sql_names: data.sql_names === undefined ? (data.kind === "tool" ? [] : [name]) : list(data.sql_names),
    description: String(data.description),
    license: String(data.license),
    homepage: String(data.homepage),
    kind: data.kind as ExtensionSpec["kind"],
    version: String(data.version),
    versions_by_major: Object.fromEntries(Object.entries((data.versions as Obj) ?? {}).map(([k, v]) => [k, String(v)])),
    package: data.package === undefined ? undefined : String(data.package),
    package_version: data.package_version === undefined ? "{version}-*" : String(data.package_version),
    source: source && {
      git: String(source.git),
      ref: String(source.ref),
      tag: source.tag === undefined ? undefined : String(source.tag),
      track: source.track === undefined ? undefined : String(source.track),
      build: source.build as NonNullable<ExtensionSpec["source"]>["build"],
      subdir: source.subdir === undefined ? undefined : String(source.subdir),
      build_packages: list(source.build_packages),
      binaries: list(source.binaries),
      build_options: list(source.build_options),
      pgrx_version: source.pgrx_version === undefined ? undefined : String(source.pgrx_version),
      go_main: source.go_main === undefined ? undefined : String(source.go_main),
    },
    min_pg_version: data.min_pg_version as number | undefined,
    max_pg_version: data.max_pg_version as number | undefined,
    platforms: data.platforms === undefined ? undefined : list(data.platforms),
    bases: data.bases === undefined ? undefined : list(data.bases),
    disabled: data.disabled === true,
    disabled_reason: data.disabled_reason === undefined ? undefined : String(data.disabled_reason),
    shared_preload_libraries: list(data.shared_preload_libraries),
    requires: list(data.requires),
    runtime_packages: list(data.runtime_packages),
    runtime_packages_by_base: Object.fromEntries(
      Object.entries((data.runtime_packages_by_base as Obj) ?? {}).map(([k, v]) => [k, list(v)]),
    ),
    extra_packages: list(data.extra_packages),
    smoke_test: data.smoke_test === undefined ? undefined : String(data.smoke_test),
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
    postgres_from: (b.postgres_from as BaseSpec["postgres_from"]) ?? "pgdg",
    platforms: b.platforms === undefined ? undefined : list(b.platforms),
    majors: b.majors === undefined ? undefined : (b.majors as unknown[]).map(Number),
    apt: toAptSettings((b.apt as Obj | undefined) ?? {}),
  }));
  const types: TypeSpec[] = Object.entries((data.types as Record<string, Obj> | undefined) ?? {}).map(([name, t]) => ({
    name,
    description: String(t.description),
    packages: list(t.packages),
    extensions: list(t.extensions),
  }));
  const flavors: FlavorSpec[] = Object.entries((data.flavors as Record<string, Obj> | undefined) ?? {}).map(([name, f]) => ({
    name,
    description: f.description === undefined ? "" : String(f.description),
    extensions: list(f.extensions),
    image: f.image === undefined ? undefined : String(f.image),
  }));
  const tags = (data.tags as Obj | undefined) ?? {};
  const metadata = (data.metadata as Obj | undefined) ?? {};
  const build = (data.build as Obj | undefined) ?? {};
  const opt = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));
  return {
    file,
    registry: data.registry === undefined ? "localhost:5000" : String(data.registry),
    image: data.image === undefined ? "postgresql" : String(data.image),
    default_flavor: data.default_flavor === undefined ? (flavors[0]?.name ?? "base") : String(data.default_flavor),
    output: data.output === undefined ? "." : String(data.output),
    bake_files: (data.bake_files as ProjectConfig["bake_files"] | undefined) ?? "single",
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
      operand: tags.operand === undefined ? ["{major}-{type}-{base}", "{version}-{type}-{base}"] : list(tags.operand),
      extension: tags.extension === undefined ? ["{ext_version}-{major}-{base}"] : list(tags.extension),
    },
    metadata: {
      vendor: opt(metadata.vendor),
      source: opt(metadata.source),
      url: opt(metadata.url),
      documentation: opt(metadata.documentation),
      licenses: opt(metadata.licenses),
      annotation_prefix: opt(metadata.annotation_prefix) ?? "dev.pgbake",
    },
    build: { attest: build.attest !== false, cache: build.cache !== false },
  };
}

function toAptSettings(apt: Obj): BaseAptSettings {
  const distro = apt.distro as Obj[] | undefined;
  return {
    pgdg_mirror: apt.pgdg_mirror === undefined ? PGDG_DEFAULT_MIRROR : String(apt.pgdg_mirror),
    pgdg_archive: apt.pgdg_archive === undefined ? undefined : String(apt.pgdg_archive),
    pgdg_key: apt.pgdg_key === undefined ? undefined : String(apt.pgdg_key),
    distro: distro?.map((d) => ({
      uri: String(d.uri),
      suites: list(d.suites),
      components: d.components === undefined ? ["main"] : list(d.components),
      signed_by: d.signed_by === undefined ? DEBIAN_ARCHIVE_KEYRING : String(d.signed_by),
      archive: d.archive === true,
    })),
  };
}
