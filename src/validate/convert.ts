// Turns schema-valid YAML data into the typed specs the planner takes, with the schemas'
// defaults filled in (defaults.ts). Only defaults computed from other fields are decided here.
import type { ConfigInput, ExtensionInput } from "../model/input.generated.js";
import type { BaseAptSettings, BaseSpec, ExtensionSpec, FlavorSpec, ProjectConfig, SuiteEntry, TypeSpec } from "../model/types.js";
import { schemaDefault } from "./defaults.js";

type AptInput = NonNullable<ConfigInput["bases"][string]["apt"]>;
const ext = <T>(value: T | undefined, ...path: string[]): T => (value === undefined ? schemaDefault<T>("extension", path) : value);
const cfg = <T>(value: T | undefined, ...path: string[]): T => (value === undefined ? schemaDefault<T>("config", path) : value);

/** A suite entry: a plain version is short for `{ version }`. */
function suiteEntry(v: string | SuiteEntry): SuiteEntry {
  if (typeof v === "string") return { version: v };
  return {
    ...(v.version === undefined ? {} : { version: v.version }),
    ...(v.package === undefined ? {} : { package: v.package }),
    ...(v.absent === undefined ? {} : { absent: v.absent }),
  };
}

export function toExtensionSpec(input: ExtensionInput, file: string): ExtensionSpec {
  // A copy: what the planner does with the typed input never reaches the parsed documents.
  const data = structuredClone(input);
  const source = data.source;
  return {
    name: data.name,
    // A tool has no SQL name; an extension is created by its own name unless it says otherwise.
    sql_names: data.sql_names ?? (data.kind === "tool" ? [] : [data.name]),
    description: data.description,
    license: data.license,
    homepage: data.homepage,
    kind: data.kind,
    version: data.version,
    versions_by_major: ext(data.versions, "versions"),
    suites: Object.fromEntries(Object.entries(ext(data.suites, "suites")).map(([suite, majors]) => [suite, Object.fromEntries(Object.entries(majors).map(([major, v]) => [major, suiteEntry(v)]))])),
    package: data.package,
    package_version: ext(data.package_version, "package_version"),
    source: source && {
      git: source.git,
      ref: source.ref,
      tag: source.tag,
      track: source.track,
      build: source.build,
      subdir: source.subdir,
      build_packages: ext(source.build_packages, "source", "build_packages"),
      binaries: ext(source.binaries, "source", "binaries"),
      build_options: ext(source.build_options, "source", "build_options"),
      pgrx_version: source.pgrx_version,
      go_main: source.go_main,
    },
    min_pg_version: data.min_pg_version,
    max_pg_version: data.max_pg_version,
    platforms: data.platforms,
    bases: data.bases,
    disabled: ext(data.disabled, "disabled"),
    disabled_reason: data.disabled_reason,
    shared_preload_libraries: ext(data.shared_preload_libraries, "shared_preload_libraries"),
    preload_position: data.preload_position,
    requires: ext(data.requires, "requires"),
    conflicts: ext(data.conflicts, "conflicts").map((c) => ({ extension: c.extension, reason: c.reason })),
    startup_needs: ext(data.startup_needs, "startup_needs").map((n) => ({
      kind: n.kind,
      name: n.name,
      ...(n.value === undefined ? {} : { value: n.value }),
      reason: n.reason,
    })),
    runtime_packages: ext(data.runtime_packages, "runtime_packages"),
    runtime_packages_by_base: ext(data.runtime_packages_by_base, "runtime_packages_by_base"),
    extra_packages: ext(data.extra_packages, "extra_packages"),
    smoke_test: data.smoke_test,
    image_volume_unsupported: data.image_volume_unsupported,
    expected_server_log: ext(data.expected_server_log, "expected_server_log").map((e) => ({ match: e.match, reason: e.reason })),
    broken_upgrade_paths: ext(data.broken_upgrade_paths, "broken_upgrade_paths").map((b) => ({ sql_name: b.sql_name, from: b.from, reason: b.reason })),
    notes: data.notes,
    file,
  };
}

const previewRe = /~(alpha|beta|rc)[0-9]+$/;

export function toProjectConfig(input: ConfigInput, file: string): ProjectConfig {
  const data = structuredClone(input);
  const bases: BaseSpec[] = Object.entries(data.bases).map(([name, b]) => ({
    name,
    image: b.image,
    codename: b.codename,
    postgres_from: cfg(b.postgres_from, "bases", "*", "postgres_from"),
    platforms: b.platforms,
    majors: b.majors,
    apt: toAptSettings(b.apt ?? {}),
  }));
  const types: TypeSpec[] = Object.entries(data.types ?? {}).map(([name, t]) => ({
    name,
    description: t.description,
    packages: cfg(t.packages, "types", "*", "packages"),
    extensions: cfg(t.extensions, "types", "*", "extensions"),
  }));
  const flavors: FlavorSpec[] = Object.entries(data.flavors ?? {}).map(([name, f]) => ({
    name,
    description: cfg(f.description, "flavors", "*", "description"),
    extensions: f.extensions,
    image: f.image,
  }));
  const tags = data.tags ?? {};
  const metadata = data.metadata ?? {};
  const build = data.build ?? {};
  return {
    file,
    catalogs: data.catalogs,
    extension_images: cfg(data.extension_images, "extension_images"),
    registry: cfg(data.registry, "registry"),
    image: cfg(data.image, "image"),
    // The first flavor listed, as CloudNativePG names its plain images.
    default_flavor: data.default_flavor ?? flavors[0]?.name ?? "base",
    output: cfg(data.output, "output"),
    bake_files: cfg(data.bake_files, "bake_files"),
    postgres: data.postgres.map((p) => ({ major: p.major, version: p.version, preview: previewRe.test(p.version) })),
    bases,
    types,
    platforms: data.platforms,
    flavors,
    tags: {
      // CloudNativePG's scheme by default (the schema's defaults): rolling major and minor tags plus an immutable one per run.
      operand: cfg(tags.operand, "tags", "operand"),
      extension: cfg(tags.extension, "tags", "extension"),
    },
    metadata: {
      vendor: metadata.vendor,
      source: metadata.source,
      url: metadata.url,
      documentation: metadata.documentation,
      licenses: metadata.licenses,
      annotation_prefix: cfg(metadata.annotation_prefix, "metadata", "annotation_prefix"),
    },
    build: { attest: cfg(build.attest, "build", "attest"), cache: cfg(build.cache, "build", "cache") },
  };
}

function toAptSettings(apt: AptInput): BaseAptSettings {
  return {
    pgdg_mirror: cfg(apt.pgdg_mirror, "bases", "*", "apt", "pgdg_mirror"),
    pgdg_archive: apt.pgdg_archive,
    pgdg_key: apt.pgdg_key,
    distro: apt.distro?.map((d) => ({
      uri: d.uri,
      suites: d.suites,
      components: cfg(d.components, "bases", "*", "apt", "distro", "*", "components"),
      signed_by: cfg(d.signed_by, "bases", "*", "apt", "distro", "*", "signed_by"),
      archive: cfg(d.archive, "bases", "*", "apt", "distro", "*", "archive"),
    })),
  };
}
