// The apt repositories of a runtime as build arguments (templates/runtime.Dockerfile.hbs): the
// distribution's sources as sources.list lines, PGDG's mirror, archive and key. Only values that
// differ from the Dockerfile's defaults become arguments, so a config without `apt:` builds as before.
import { PGDG_DEFAULT_MIRROR, type AptSource, type BaseSpec, type PostgresVersion } from "../model/types.js";
import { isLoopbackUrl } from "../model/references.js";

/** One `deb [options] URI SUITE COMPONENTS` line per suite. */
export function sourcesListLines(sources: AptSource[]): string[] {
  return sources.flatMap((s) => {
    const options = [`signed-by=${s.signed_by}`, ...(s.archive ? ["check-valid-until=no"] : [])].join(" ");
    return s.suites.map((suite) => `deb [${options}] ${s.uri} ${suite} ${s.components.join(" ")}`);
  });
}

export function runtimeAptArgs(base: BaseSpec, pg: PostgresVersion): Record<string, string> {
  const args: Record<string, string> = {};
  if (base.apt.distro) args.APT_SOURCES = sourcesListLines(base.apt.distro).join("\n");
  if (base.postgres_from === "pgdg") {
    args.CODENAME = base.codename;
    if (base.apt.pgdg_mirror !== PGDG_DEFAULT_MIRROR) args.PGDG_MIRROR = base.apt.pgdg_mirror;
    if (base.apt.pgdg_archive) args.PGDG_ARCHIVE = base.apt.pgdg_archive;
    if (base.apt.pgdg_key) args.PGDG_KEYRING_URL = base.apt.pgdg_key;
    // A preview's packages live in the major's own component (as apt.postgresql.org.sh does it).
    if (pg.preview) args.PGDG_COMPONENTS = `main ${pg.major}`;
  }
  return args;
}

/** An apt URL on this machine's loopback, which a build container reaches only in the host's network. */
export function usesLoopback(base: BaseSpec): boolean {
  const urls = [base.apt.pgdg_mirror, base.apt.pgdg_archive, base.apt.pgdg_key, ...(base.apt.distro ?? []).map((d) => d.uri)];
  return urls.some((u) => u !== undefined && isLoopbackUrl(u));
}
