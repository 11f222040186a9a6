// How CloudNativePG (1.27 and later) runs an extension image, as plain data: both `pgbake test`
// (mounting the image with docker) and `pgbake catalog` (writing `.spec.postgresql.extensions`)
// take their values from here, so what is tested is what a Cluster gets.
//
// Facts, read from cloudnative-pg/cloudnative-pg (v1.30.0):
// - each extension image is mounted read-only at `/extensions/<name>`
//   (pkg/postgres/configuration.go: ExtensionsBaseDirectory = "/extensions");
// - `extension_control_path` is `$system` followed by `/extensions/<name>/<path>` for each entry of
//   the extension's `extension_control_path` field, default `share`, in the order of the
//   `extensions` list; `dynamic_library_path` is `$libdir` followed by `/extensions/<name>/lib` the
//   same way (pkg/postgres/configuration.go: setExtensionControlPath, setDynamicLibraryPath);
// - `LD_LIBRARY_PATH` of the postgres process gets `/extensions/<name>/<path>` for each entry of
//   `ld_library_path`, which has no default: an image whose `/system` holds libraries must say
//   `ld_library_path: [system]` (pkg/utils/extensions/extensions.go: CollectLibraryPaths, used by
//   pkg/management/postgres/instance.go: buildPostgresEnv);
// - docs/src/imagevolume_extensions.md: the feature needs PostgreSQL 18 (`extension_control_path`).

export const extensionsBaseDir = "/extensions";
/** The database CloudNativePG's default bootstrap (`initdb`) makes for the application, owned by `app`. */
export const appDatabase = "app";

/**
 * Extensions that can be created in one database only, the one a server setting names: pg_cron's
 * background worker runs in `cron.database_name` (default `postgres`) and its install script
 * refuses any other database. Keyed by the CREATE EXTENSION name.
 */
export const databaseSettings: Readonly<Record<string, string>> = { pg_cron: "cron.database_name" };

/** The server settings that let these extensions be created in `database`. */
export function settingsForDatabase(sqlNames: string[], database: string): Record<string, string> {
  return Object.fromEntries(sqlNames.filter((n) => databaseSettings[n] !== undefined).map((n) => [databaseSettings[n]!, database]));
}
/** The first PostgreSQL major with `extension_control_path`. */
export const imageVolumeMinMajor = 18;

/** One entry of `.spec.postgresql.extensions` (CloudNativePG's ExtensionConfiguration). */
export interface ExtensionConfiguration {
  name: string;
  image: { reference: string };
  extension_control_path?: string[];
  dynamic_library_path?: string[];
  ld_library_path?: string[];
  bin_path?: string[];
}

/** What an extension image needs from its mount: pgbake's layout puts files in share/, lib/ and system/. */
export interface MountedExtension {
  /** The extension's name: the mount point and the `name` of the Cluster entry. */
  name: string;
  image: string;
  /** The image carries shared libraries in /system (its runtime packages). */
  hasSystemLibraries: boolean;
  /** A tool image: its binaries are in /bin (CloudNativePG's `bin_path`). */
  hasBinaries?: boolean;
}

/**
 * The Cluster entry for a pgbake extension image. The defaults (`share`, `lib`) are spelled
 * out, so the manifest says exactly what PostgreSQL is given.
 */
export function extensionConfiguration(ext: MountedExtension): ExtensionConfiguration {
  return {
    name: ext.name,
    image: { reference: ext.image },
    extension_control_path: ["share"],
    dynamic_library_path: ["lib"],
    ...(ext.hasSystemLibraries ? { ld_library_path: ["system"] } : {}),
    ...(ext.hasBinaries ? { bin_path: ["bin"] } : {}),
  };
}

export interface ImageVolumeRun {
  mounts: { image: string; target: string }[];
  /** Server settings, passed as `postgres -c NAME=VALUE`. */
  settings: Record<string, string>;
  env: Record<string, string>;
}

/** The mounts, GUCs and environment CloudNativePG gives a pod for these extension entries. */
export function imageVolumeRun(entries: ExtensionConfiguration[]): ImageVolumeRun {
  const under = (name: string, paths: string[] | undefined, fallback: string[]): string[] =>
    (paths && paths.length > 0 ? paths : fallback).map((p) => `${extensionsBaseDir}/${name}/${p.replace(/^\.?\/+|\/+$/g, "")}`);
  const control = ["$system", ...entries.flatMap((e) => under(e.name, e.extension_control_path, ["share"]))];
  const libraries = ["$libdir", ...entries.flatMap((e) => under(e.name, e.dynamic_library_path, ["lib"]))];
  const ld = entries.flatMap((e) => under(e.name, e.ld_library_path, []));
  return {
    mounts: entries.map((e) => ({ image: e.image.reference, target: `${extensionsBaseDir}/${e.name}` })),
    settings: { extension_control_path: control.join(":"), dynamic_library_path: libraries.join(":") },
    env: ld.length > 0 ? { LD_LIBRARY_PATH: ld.join(":") } : {},
  };
}
