// The shapes that flow between the stages. Inputs (ExtensionSpec, ProjectConfig) are what the
// YAML files say after validation; the plan types are plain data, printable as JSON.

export type ExtensionKind = "package" | "source" | "contrib" | "tool";
export type SourceBuild = "pgxs" | "configure" | "cmake" | "meson" | "pgrx" | "go";
/** The build systems whose configure step takes `source.build_options`. */
export const BUILDS_WITH_OPTIONS: readonly SourceBuild[] = ["configure", "cmake", "meson"];

export interface SourceSpec {
  /** A git URL or any bake context (a local directory works too): fed as a named context. */
  git: string;
  /** Full 40-hex commit, or a tag/branch (refused by `generate --release`). */
  ref: string;
  /** The tag `ref` is, kept beside the commit. */
  tag?: string;
  /** Tag glob `pgbake update` follows (e.g. `v13.*`). */
  track?: string;
  build: SourceBuild;
  /** Subdirectory of the repository that holds the extension. */
  subdir?: string;
  /** Build-time apt packages beyond the compiler and postgresql-server-dev-NN. */
  build_packages?: string[];
  /** For kind tool: the binaries the build leaves in its output, copied to /usr/local/bin. */
  binaries?: string[];
  /** Extra options for the configure, cmake or meson step (cmake `-DAPACHE_ONLY=ON`, ...). */
  build_options?: string[];
  pgrx_version?: string;
  go_main?: string;
}

export interface ExtensionSpec {
  name: string;
  /** Names used with CREATE EXTENSION; empty for preload-only modules and tools. */
  sql_names: string[];
  description: string;
  license: string;
  homepage: string;
  kind: ExtensionKind;
  version: string;
  /** Per-major versions where they differ (pgaudit has one per major). */
  versions_by_major: Record<string, string>;
  /** Apt package name pattern for kind package; `{major}` is replaced. */
  package?: string;
  /** Apt version pattern; `{version}` is the version for the major. */
  package_version: string;
  source?: SourceSpec;
  min_pg_version?: number;
  max_pg_version?: number;
  platforms?: string[];
  bases?: string[];
  disabled: boolean;
  disabled_reason?: string;
  shared_preload_libraries: string[];
  requires: string[];
  runtime_packages: string[];
  runtime_packages_by_base: Record<string, string[]>;
  extra_packages: string[];
  smoke_test?: string;
  /** Why a fact in this entry is what it is (pinned versions, known breakage). */
  notes?: string;
  /** The file the spec came from, for messages. */
  file: string;
}

export interface PostgresVersion {
  major: number;
  /** Full version, e.g. "17.6" or "19~beta3" (a preview). */
  version: string;
  preview: boolean;
}

export interface BaseSpec {
  name: string;
  /** Image reference, pinned by digest for releases. */
  image: string;
  codename: string;
  /** Where PostgreSQL packages come from: the PGDG apt repository or the distribution itself. */
  postgres_from: "pgdg" | "distro";
  platforms?: string[];
  /** PG majors built on this base; undefined means every major of the config. */
  majors?: number[];
  apt: BaseAptSettings;
}

export const PGDG_DEFAULT_MIRROR = "https://apt.postgresql.org/pub/repos/apt";
export const DEBIAN_ARCHIVE_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

/** One apt source of the distribution (deb822: URIs, Suites, Components, Signed-By). */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  signed_by: string;
  /** A frozen archive (snapshot): Valid-Until is not checked. */
  archive: boolean;
}

/** Where a base's packages come from (`bases.<name>.apt`). */
export interface BaseAptSettings {
  pgdg_mirror: string;
  pgdg_archive?: string;
  pgdg_key?: string;
  /** Replaces the image's own apt sources when given. */
  distro?: AptSource[];
}

export interface TypeSpec {
  name: string;
  description: string;
  /** Apt packages the type adds (locales-all for standard). */
  packages: string[];
  /** Extensions every image of this type holds, whatever the flavor. */
  extensions: string[];
}

export interface FlavorSpec {
  name: string;
  description: string;
  extensions: string[];
  /** Operand image repository; defaults to `<image>` for the default flavor, `<image>-<flavor>` otherwise. */
  image?: string;
}

export type BakeFilesMode = "single" | "per-major" | "per-base" | "per-major-base";

export interface ProjectConfig {
  file: string;
  registry: string;
  image: string;
  default_flavor: string;
  /** Output directory, relative to the config file. */
  output: string;
  /** One docker-bake.hcl, or that plus one self-contained bake file per major or per base. */
  bake_files: BakeFilesMode;
  postgres: PostgresVersion[];
  bases: BaseSpec[];
  types: TypeSpec[];
  platforms: string[];
  flavors: FlavorSpec[];
  tags: { operand: string[]; extension: string[] };
  /** OCI annotations and labels common to every image (src/render/metadata.ts). */
  metadata: MetadataSpec;
  /** Release features of the bake file, each switchable off (attestations, registry caches). */
  build: { attest: boolean; cache: boolean };
}

export interface MetadataSpec {
  vendor?: string;
  source?: string;
  url?: string;
  documentation?: string;
  /** SPDX expression for the operand images; extension images carry their extension's license. */
  licenses?: string;
  /** Reverse-DNS prefix of pgbake's own annotation keys, e.g. `dev.pgbake`. */
  annotation_prefix: string;
}

export interface Catalog {
  extensions: ExtensionSpec[];
}

// ---- Plan -----------------------------------------------------------------------------------

export interface ExcludedExtension {
  name: string;
  excludedBecause: string;
}

export interface KeptExtension {
  name: string;
  version: string;
  kind: ExtensionKind;
  /** The extension-image target that holds its files; absent for contrib. */
  imageTarget?: string;
  /** Set when the extension was not asked for but another kept one requires it. */
  requiredBy?: string;
}

export interface RuntimeTargetPlan {
  name: string;
  base: string;
  major: number;
  pgVersion: string;
  platforms: string[];
  /** Build arguments naming the apt repositories (src/plan/apt.ts); only those that differ from the Dockerfile's defaults. */
  aptArgs: Record<string, string>;
}

export interface ExtensionTargetPlan {
  name: string;
  extension: string;
  version: string;
  kind: Exclude<ExtensionKind, "contrib">;
  base: string;
  major: number;
  platforms: string[];
  runtimeTarget: string;
  tags: string[];
  /** Source builds read their code from this named context. */
  sourceContext?: { name: string; value: string };
}

export interface OperandTargetPlan {
  name: string;
  image: string;
  flavor: string;
  type: string;
  base: string;
  major: number;
  pgVersion: string;
  preview: boolean;
  platforms: string[];
  requested: string[];
  kept: KeptExtension[];
  excluded: ExcludedExtension[];
  sharedPreloadLibraries: string[];
  runtimePackages: string[];
  typePackages: string[];
  tags: string[];
  runtimeTarget: string;
  /** context name -> bake context value ("target:...") */
  contexts: Record<string, string>;
}

export interface GroupPlan {
  name: string;
  description: string;
  targets: string[];
}

export interface Plan {
  registry: string;
  runtimes: RuntimeTargetPlan[];
  extensionImages: ExtensionTargetPlan[];
  operands: OperandTargetPlan[];
  groups: GroupPlan[];
  /** Preview versions left out of the build, with the reason (a stable release of the same major). */
  droppedPreviews: { version: string; droppedBecause: string }[];
}
