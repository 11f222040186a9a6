// Every upgrade path an image ships: for each version A that has a chain of `name--A--B.sql`
// scripts to the default version and that CREATE EXTENSION can make (an install script for A,
// or one it reaches by update), CREATE EXTENSION ... VERSION 'A', ALTER EXTENSION ... UPDATE,
// the version checked, the smoke test run. Each path is a check of its own, run in the server as
// it is under test (image volumes on PG 18+, the operand image's own files otherwise), in a
// database of its own except for extensions that live in one database only (pg_cron).
import { databaseSettings } from "./cnpg.js";
import { CheckFailure, expect, type Recorder } from "./results.js";
import { psqlError, quoteIdent, quoteLiteral, type PgServer } from "./server.js";
import type { ExtensionUnderTest } from "./subjects.js";

export const pathsDatabase = "pgbake_upgrade_paths";


export interface UpgradeSources {
  defaultVersion: string;
  /** Versions with a path to the default that CREATE EXTENSION can make. */
  installable: string[];
  /** Versions with a path to the default and no way to create them (no install script). */
  notInstallable: string[];
}

/** `default|source|t-or-f` lines of sourcesQuery, as the versions to start from. */
export function parseSources(output: string): UpgradeSources | undefined {
  const rows = output.split("\n").filter(Boolean).map((l) => l.split("|"));
  if (rows.length === 0) return undefined;
  const order = (vs: string[]): string[] => [...new Set(vs)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return {
    defaultVersion: rows[0]![0]!,
    installable: order(rows.filter((r) => r[2] === "t").map((r) => r[1]!)),
    notInstallable: order(rows.filter((r) => r[2] !== "t").map((r) => r[1]!)),
  };
}

const sourcesQuery = (sqlName: string): string =>
  `SELECT a.default_version, u.source, u.source IN (SELECT v.version FROM pg_available_extension_versions v WHERE v.name = a.name)
FROM pg_available_extensions a, pg_extension_update_paths(a.name) u
WHERE a.name = ${quoteLiteral(sqlName)} AND u.target = a.default_version AND u.path IS NOT NULL AND u.source <> a.default_version`;

/** Each shipped path of each of the extension's SQL names, as checks; the number of paths run. */
export async function upgradePathChecks(rec: Recorder, pg: PgServer, ext: ExtensionUnderTest): Promise<number> {
  let run = 0;
  for (const sqlName of ext.sqlNames) {
    const name = `upgrade paths ${sqlName}`;
    const r = await pg.sql(sourcesQuery(sqlName));
    if (r.exitCode !== 0) {
      rec.fail(name, `${ext.name}: the update paths of ${sqlName} could not be read: ${psqlError(r.stderr)}`, "upgrade-path");
      continue;
    }
    const sources = parseSources(r.stdout);
    if (!sources) continue;
    if (sources.installable.length === 0) {
      rec.skip(name, `${sources.notInstallable.length} versions have update scripts to ${sources.defaultVersion} but no install script (${sources.notInstallable.join(", ")})`, "upgrade-path");
      continue;
    }
    const database = databaseSettings[sqlName] === undefined ? pathsDatabase : "postgres";
    const noDatabase = database === pathsDatabase ? await ensureDatabase(pg) : undefined;
    if (noDatabase) {
      rec.fail(name, noDatabase, "upgrade-path");
      continue;
    }
    for (const from of sources.installable) {
      run++;
      await rec.check(
        `upgrade path ${sqlName} ${from} -> ${sources.defaultVersion}`,
        async () => {
          const sql = [
            // The failure message is the error alone, not the notices of DROP ... IF EXISTS and CASCADE.
            "SET client_min_messages = warning;",
            `DROP EXTENSION IF EXISTS ${quoteIdent(sqlName)} CASCADE;`,
            `CREATE EXTENSION ${quoteIdent(sqlName)} VERSION ${quoteLiteral(from)} CASCADE;`,
            `ALTER EXTENSION ${quoteIdent(sqlName)} UPDATE;`,
            // The extension's other SQL names (dropped with it, or never made here), for the smoke test.
            ...ext.sqlNames.filter((n) => n !== sqlName).map((n) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(n)} CASCADE;`),
            `SELECT extversion FROM pg_extension WHERE extname = ${quoteLiteral(sqlName)};`,
          ].join("\n");
          const u = await pg.sql(sql, database);
          if (u.exitCode !== 0) throw new CheckFailure(`${ext.name}: ${sqlName} ${from} -> ${sources.defaultVersion} failed: ${psqlError(u.stderr)}`);
          const version = u.stdout.trim().split("\n").pop();
          expect(version === sources.defaultVersion, `${ext.name}: ${sqlName} ${from} updated to ${version ?? "nothing"}, not ${sources.defaultVersion}`);
          if (ext.smokeTest) {
            const s = await pg.sql(`${ext.smokeTest};`, database);
            if (s.exitCode !== 0) throw new CheckFailure(`${ext.name}: smoke test after ${sqlName} ${from} -> ${sources.defaultVersion} failed: ${psqlError(s.stderr)}`);
            expect(s.stdout.trim().split("\n").pop() !== "f", `${ext.name}: smoke test after ${sqlName} ${from} -> ${sources.defaultVersion} returned false`);
          }
          return undefined;
        },
        "upgrade-path",
      );
    }
  }
  return run;
}

/** Makes the paths' database once per server; why it could not be made, if so. */
async function ensureDatabase(pg: PgServer): Promise<string | undefined> {
  const r = await pg.sql(`SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(pathsDatabase)}`);
  if (r.stdout.trim() === "1") return undefined;
  const c = await pg.sql(`CREATE DATABASE ${quoteIdent(pathsDatabase)}`);
  return c.exitCode === 0 ? undefined : `CREATE DATABASE ${pathsDatabase} failed: ${psqlError(c.stderr)}`;
}
