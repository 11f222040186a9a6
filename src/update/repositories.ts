// Which apt repositories a base installs PostgreSQL and its extension packages from: the same
// ones the runtime Dockerfile configures (src/plan/apt.ts), so `update` reads what a build reads.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEBIAN_ARCHIVE_KEYRING, type BaseSpec } from "../model/types.js";
import type { AptRepository } from "./apt-index.js";
import { UpdateError } from "./errors.js";
import { getFile, type NetworkBudget } from "./http.js";

/** The PGDG key postgresql-common ships (what the runtime image trusts by default). */
export const PGDG_KEYRINGS = ["/usr/share/postgresql-common/pgdg/apt.postgresql.org.gpg", "/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc"];
/** Where a base without `apt.distro` gets Debian from: its image's own sources, which are these. */
export const DEBIAN_DEFAULT = { archive: "http://deb.debian.org/debian", security: "http://deb.debian.org/debian-security" };

const downloadedKeys = new Map<string, Promise<string>>();

/** A key URL (bases.<name>.apt.pgdg_key) as a local file, once per run. */
function keyFile(url: string, budget: NetworkBudget): Promise<string> {
  let p = downloadedKeys.get(url);
  if (!p) {
    p = (async () => {
      const body = await getFile(url, budget, 1 << 20);
      if (!body) throw new UpdateError(url, "HTTP 404");
      const file = join(mkdtempSync(join(tmpdir(), "pgbake-key-")), "key.asc");
      writeFileSync(file, body);
      return file;
    })();
    downloadedKeys.set(url, p);
  }
  return p;
}

/** The repositories of `base` that hold `postgresql-<major>` and the extension packages. */
export async function postgresRepositories(base: BaseSpec, major: number, preview: boolean, extraKeyrings: string[], budget: NetworkBudget): Promise<AptRepository[]> {
  if (base.postgres_from === "pgdg") {
    const keyrings = base.apt.pgdg_key ? [await keyFile(base.apt.pgdg_key, budget)] : PGDG_KEYRINGS.filter(existsSync);
    return [
      {
        uri: base.apt.pgdg_mirror,
        suite: `${base.codename}-pgdg`,
        components: preview ? ["main", String(major)] : ["main"],
        keyrings: [...keyrings, ...extraKeyrings],
      },
    ];
  }
  if (base.apt.distro) return base.apt.distro.flatMap((s) => s.suites.map((suite) => ({ uri: s.uri, suite, components: s.components, keyrings: [s.signed_by, ...extraKeyrings] })));
  const keyrings = [DEBIAN_ARCHIVE_KEYRING, ...extraKeyrings];
  return [
    { uri: DEBIAN_DEFAULT.archive, suite: base.codename, components: ["main"], keyrings },
    { uri: DEBIAN_DEFAULT.archive, suite: `${base.codename}-updates`, components: ["main"], keyrings, optional: true },
    { uri: DEBIAN_DEFAULT.security, suite: `${base.codename}-security`, components: ["main"], keyrings, optional: true },
  ];
}
