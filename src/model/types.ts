// The shapes that flow between the stages. Inputs (ExtensionSpec, ProjectConfig) are what the
// YAML files say after validation; the plan types are plain data, printable as JSON.

// The enums are the schemas' own (input.generated.ts, from schemas/*.schema.json).
import type { BakeFilesMode, ExtensionInput, ExtensionKind, PostgresFrom, PreloadPosition, SourceBuild, StartupNeedKind } from "./input.generated.js";
export type { BakeFilesMode, ExtensionKind, PostgresFrom, PreloadPosition, SourceBuild, StartupNeedKind };
/** An item of one of the input's lists (the typed input has every list, its default filled in). */
type Item<L extends unknown[] | undefined> = NonNullable<L>[number];

/** The build systems whose configure step takes `source.build_options`. */
export const BUILDS_WITH_OPTIONS: readonly SourceBuild[] = ["configure", "cmake", "meson"];

/**
 * How a source or tool entry is built, as the schema has it (`git`: a git URL or any bake context,
 * fed as a named context; `ref`: a full commit, or a tag or branch that `generate --release` refuses).
 */
export type SourceSpec = NonNullable<ExtensionInput["source"]>;

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
  /** Per apt suite, per major: what that suite carries where it differs (`suites` in YAML). */
  suites: Record<string, Record<string, SuiteEntry>>;
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
  /** Where its preload libraries must stand (Citus: first); undefined: the flavor's order. */
  preload_position?: PreloadPosition;
  requires: string[];
  /** Entries it cannot share a server with (either side may say so). */
  conflicts: Item<ExtensionInput["conflicts"]>[];
  /** What it needs at startup that no image provides (a setting, a file, a daemon). */
  startup_needs: StartupNeed[];
  runtime_packages: string[];
  runtime_packages_by_base: Record<string, string[]>;
  extra_packages: string[];
  smoke_test?: string;
  /** Why CloudNativePG cannot mount its image as an image volume: operand images only. */
  image_volume_unsupported?: string;
  /** Server log lines (WARNING and worse) it makes on purpose, each with why: `pgbake test` lets these pass. */
  expected_server_log: Item<ExtensionInput["expected_server_log"]>[];
  /** Shipped upgrade paths that cannot work (`pgbake test --deep` skips them with the reason). */
  broken_upgrade_paths?: BrokenUpgradePaths[];
  /** Why a fact in this entry is what it is (pinned versions, known breakage). */
  notes?: string;
  /** The file the spec came from, for messages. */
  file: string;
  /** Which catalog layer defined it and what later layers changed (layered catalogs only). */
  origin?: ExtensionOrigin;
}

export type BrokenUpgradePaths = Item<ExtensionInput["broken_upgrade_paths"]>;

/** For a setting, `value` is what `pgbake test` starts its servers with. */
export type StartupNeed = Item<ExtensionInput["startup_needs"]>;

/** One suite's fact for one major: its version, its package name, or why it has none. */
export type SuiteEntry = Exclude<NonNullable<ExtensionInput["suites"]>[string][string], string>;

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
  postgres_from: PostgresFrom;
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

export interface ProjectConfig {
  file: string;
  /** The catalogs named by `catalogs:`, in order (undefined: not given). */
  catalogs?: string[];
  /** Library-catalog entries to build as images even when no flavor or type uses them. */
  extension_images: string[];
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
  /** OCI annotations and labels common to every image (src/plan/metadata.ts). */
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
  /** The entries the project builds (see validate/layers.ts for which). */
  extensions: ExtensionSpec[];
  /** Entries of library catalogs (builtin, packages) that nothing asks for: known, not built. */
  unselected?: ExtensionSpec[];
}

/** One catalog of a project: the built-in one, a directory, or a directory of an npm package. */
export interface CatalogLayer {
  /** As the config or command line names it (`builtin`, `./extensions`, `pkg/extensions`). */
  name: string;
  dir: string;
  /** A library (builtin, a package): its entries are built only when the project uses them. */
  library: boolean;
  fromConfig: boolean;
}

/** Where a catalog entry and each field an override changed came from (`pgbake explain`). */
export interface ExtensionOrigin {
  layer: string;
  /** Earlier whole entries of the same name this one replaces. */
  replaced: { file: string; layer: string }[];
  /** Fields set by `override: true` entries of later catalogs: field -> file. */
  fields: Record<string, { file: string; layer: string }>;
}

// ---- Plan -----------------------------------------------------------------------------------
// Every input of every build is here: render reads the plan only, and `pgbake plan --json`
// prints it. Targets carry a `kind`, so code tells them apart by that and not by their shape.

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

/** A metadata value: literal text, or a bake variable set per run (`created`, `revision`). */
export type MetadataValue = string | { variable: "created" | "revision" };
/** OCI annotation/label key → value, in the order they are written. */
export type Metadata = [key: string, value: MetadataValue][];

interface TargetPlanCommon {
  name: string;
  base: string;
  major: number;
  platforms: string[];
  /** The repository the target's images and registry cache go to (`postgresql`, `pgvector`). */
  repository: string;
  /** Docker build args, exactly as the build gets them. */
  args: Record<string, string>;
  /** Named bake contexts: name → `target:...` or a source (git URL or path relative to the output directory). */
  contexts: Record<string, string>;
  /** Tags without the registry; `{timestamp}` stays a marker for the bake variable of that name. */
  tags: string[];
  /** Labels and annotations (empty for runtimes, which are never pushed). */
  metadata: Metadata;
  /**
   * `host` when the base's apt repositories are on this machine's loopback (a local mirror): the
   * build reaches them only in the host's network, and `pgbake bake` grants `network.host`.
   */
  network?: "host";
}

export interface RuntimeTargetPlan extends TargetPlanCommon {
  kind: "runtime";
  /** The apt repositories as build args, those that differ from the Dockerfile's defaults (plan/apt.ts). */
  aptArgs: Record<string, string>;
  pgVersion: string;
  postgresFrom: PostgresFrom;
}

/** What a source-built extension image's Dockerfile runs (the build system and its options). */
export interface SourceBuildPlan {
  build: SourceBuild;
  build_options: string[];
  binaries: string[];
  pgrx_version?: string;
  go_main?: string;
}

export interface ExtensionTargetPlan extends TargetPlanCommon {
  kind: "extension";
  extension: string;
  version: string;
  extensionKind: Exclude<ExtensionKind, "contrib">;
  /** Build args besides PG_MAJOR with `{major}` standing for the major (`args` has them filled). */
  buildArgs: Record<string, string>;
  runtimeTarget: string;
  /** Source builds read their code from this named context. */
  sourceContext?: { name: string; value: string };
  /** Set for source and tool builds. */
  sourceBuild?: SourceBuildPlan;
  /** Why this image cannot be an image volume (the entry's image_volume_unsupported): built for operand images only. */
  imageVolumeUnsupported?: string;
}

/** One library of an operand's preload list, the entry that preloads it and why it stands there. */
export interface PreloadSlot {
  library: string;
  extension: string;
  position: PreloadPosition | "flavor";
}

export interface OperandTargetPlan extends TargetPlanCommon {
  kind: "operand";
  image: string;
  flavor: string;
  type: string;
  pgVersion: string;
  preview: boolean;
  requested: string[];
  kept: KeptExtension[];
  excluded: ExcludedExtension[];
  sharedPreloadLibraries: string[];
  /** Why each library stands where it does in sharedPreloadLibraries (same order). */
  preloadOrder: PreloadSlot[];
  /** What kept extensions need at startup that the image does not provide. */
  startupNeeds: (StartupNeed & { extension: string })[];
  runtimePackages: string[];
  typePackages: string[];
  runtimeTarget: string;
}

export type TargetPlan = RuntimeTargetPlan | ExtensionTargetPlan | OperandTargetPlan;

/** The input entry whose images a group gathers (`major`: the PostgreSQL major, as text). */
export interface GroupOwner {
  kind: "extension" | "major" | "flavor" | "base" | "type";
  name: string;
}

export interface GroupPlan {
  name: string;
  description: string;
  targets: string[];
  /** Absent for `default`, which gathers every image. */
  of?: GroupOwner;
}

/**
 * The facts targets share, as the bake file names them once (lookup maps and functions):
 * PG versions, bases, types, flavors, extension descriptions and licences, tag templates and
 * common metadata. Per-target values above are these facts applied.
 */
export interface SharedFacts {
  /** The config file's name, for the bake file's header. */
  configName: string;
  /** The config's `image`: the default flavor's repository, where runtimes keep their registry cache. */
  image: string;
  postgres: PostgresVersion[];
  bases: {
    name: string;
    image: string;
    codename: string;
    platforms: string[];
    /** OCI base.name / base.digest of the operand images on this base. */
    baseName: string;
    baseDigest?: string;
  }[];
  types: { name: string; description: string; packages: string[] }[];
  flavors: { name: string; description: string; image: string }[];
  /** Of the extensions that have image targets. */
  extensions: { name: string; description: string; license: string }[];
  tagTemplates: { operand: string[]; extension: string[] };
  /** Labels every image carries, before its own (vendor, source, url, documentation). */
  commonMetadata: Metadata;
  /** Licence of the operand images (`metadata.licenses`). */
  operandLicenses?: string;
  annotationPrefix: string;
}

export interface Plan {
  registry: string;
  /** One docker-bake.hcl, or that plus one self-contained bake file per part. */
  bakeFiles: BakeFilesMode;
  /** Attestations and registry caches on or off (`build:` in the config). */
  build: { attest: boolean; cache: boolean };
  shared: SharedFacts;
  runtimes: RuntimeTargetPlan[];
  extensionImages: ExtensionTargetPlan[];
  operands: OperandTargetPlan[];
  groups: GroupPlan[];
  /** Preview versions left out of the build, with the reason (a stable release of the same major). */
  droppedPreviews: { version: string; droppedBecause: string }[];
}
