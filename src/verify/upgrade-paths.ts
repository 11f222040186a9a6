// Every upgrade path an image ships: for each version A that has a chain of `name--A--B.sql`
// scripts to the default version and that CREATE EXTENSION can make (an install script for A,
// or one it reaches by update), CREATE EXTENSION ... VERSION 'A', ALTER EXTENSION ... UPDATE,
// the version checked, the smoke test run. Each path is a check of its own, run in the server as
// it is under test (image volumes on PG 18+, the operand image's own files otherwise), each in a
// database made for it except for extensions that live in one database only (pg_cron). Paths the
// entry declares broken (broken_upgrade_paths) are skipped with its reason.
import { runSmokeTest } from "./checks.js";
import { databaseSettings } from "./cnpg.js";
import { CheckFailure, expect, type Recorder } from "./results.js";
import { psqlError, quoteIdent, quoteLiteral, type PgServer } from "./server.js";
import type { ExtensionUnderTest } from "./subjects.js";

/** The prefix of the databases the paths run in (one per path: pgbake_upgrade_paths_1, ...). */
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
  const rows = output
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("|"));
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

/** Why a version's path is skipped: the entry's broken_upgrade_paths declare it. */
const declaredBroken = (ext: ExtensionUnderTest, sqlName: string, from: string): string | undefined => ext.brokenUpgradePaths?.find((b) => b.sqlName === sqlName && b.from.includes(from))?.reason;

/** Every extension CREATE EXTENSION ... CASCADE of these names may create, with what its default version requires. */
const requiredQuery = (sqlNames: string[]): string =>
  `WITH RECURSIVE r(name) AS (SELECT unnest(ARRAY[${sqlNames.map(quoteLiteral).join(", ")}]::name[])
  UNION SELECT unnest(v.requires) FROM pg_available_extension_versions v JOIN r ON v.name = r.name)
SELECT r.name, coalesce(array_to_string(v.requires, ','), '') FROM r LEFT JOIN pg_available_extensions a ON a.name = r.name
  LEFT JOIN pg_available_extension_versions v ON v.name = r.name AND v.version = a.default_version`;

/** `name|required,...` lines as each name's requirements, transitively. */
export function parseRequires(output: string): Map<string, Set<string>> {
  const direct = new Map(
    output
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("|"))
      .map(([n, r]) => [n!, (r ?? "").split(",").filter(Boolean)]),
  );
  const all = new Map<string, Set<string>>();
  const walk = (n: string, into: Set<string>): void => {
    for (const r of direct.get(n) ?? [])
      if (!into.has(r)) {
        into.add(r);
        walk(r, into);
      }
  };
  for (const n of direct.keys()) {
    const into = new Set<string>();
    walk(n, into);
    all.set(n, into);
  }
  return all;
}

/**
 * Where the extension's paths run: a database made afresh for each path, so that no path sees what
 * an earlier one (or its smoke test) left; `postgres` when it or an extension it requires installs
 * in one database only (documentdb requires pg_cron, which refuses any database but
 * `cron.database_name`), where each path drops and re-creates it instead. With what each of its
 * names requires.
 */
async function pathsSetting(pg: PgServer, ext: ExtensionUnderTest): Promise<{ database: string; requires: Map<string, Set<string>> }> {
  const r = await pg.sql(requiredQuery(ext.sqlNames));
  const requires = r.exitCode === 0 ? parseRequires(r.stdout) : new Map<string, Set<string>>();
  const names = [...ext.sqlNames, ...[...requires.values()].flatMap((s) => [...s])];
  return { database: names.some((n) => databaseSettings[n] !== undefined) ? "postgres" : pathsDatabase, requires };
}

const databasesMade = new WeakMap<PgServer, number>();
/** The name of a database not made yet in this server, for one path. */
function freshDatabase(pg: PgServer): string {
  const n = (databasesMade.get(pg) ?? 0) + 1;
  databasesMade.set(pg, n);
  return `${pathsDatabase}_${n}`;
}

/** Each shipped path of each of the extension's SQL names, as checks; the number of paths run. */
export async function upgradePathChecks(rec: Recorder, pg: PgServer, ext: ExtensionUnderTest): Promise<number> {
  let run = 0;
  const { database, requires } = await pathsSetting(pg, ext);
  for (const [index, sqlName] of ext.sqlNames.entries()) {
    const name = `upgrade paths ${sqlName}`;
    const r = await pg.sql(sourcesQuery(sqlName));
    if (r.exitCode !== 0) {
      rec.fail(name, `${ext.name}: the update paths of ${sqlName} could not be read: ${psqlError(r.stderr)}`, "upgrade-path");
      continue;
    }
    const sources = parseSources(r.stdout);
    // A declaration of which the image ships none of the paths is stale (an older package of
    // another release may ship only some of them).
    for (const b of ext.brokenUpgradePaths?.filter((x) => x.sqlName === sqlName) ?? [])
      if (!b.from.some((v) => sources?.installable.includes(v)))
        rec.fail(
          `upgrade paths ${sqlName} declared broken`,
          `${ext.name}: broken_upgrade_paths names ${sqlName} ${b.from.join(", ")}, but the image ships no path from any of them that CREATE EXTENSION can start`,
          "upgrade-path",
        );
    if (!sources) continue;
    if (sources.installable.length === 0) {
      rec.skip(name, `${sources.notInstallable.length} versions have update scripts to ${sources.defaultVersion} but no install script (${sources.notInstallable.join(", ")})`, "upgrade-path");
      continue;
    }
    for (const from of sources.installable) {
      const check = `upgrade path ${sqlName} ${from} -> ${sources.defaultVersion}`;
      const broken = declaredBroken(ext, sqlName, from);
      if (broken !== undefined) {
        rec.skip(check, `broken_upgrade_paths of ${ext.name}: ${broken}`, "upgrade-path");
        continue;
      }
      run++;
      // A new database, not one dropped and made again: DROP DATABASE waits for a checkpoint.
      const fresh = database === pathsDatabase ? freshDatabase(pg) : undefined;
      await rec.check(
        check,
        async () => {
          const sql = [
            // The failure message is the error alone, not the notices of DROP ... IF EXISTS and CASCADE.
            "SET client_min_messages = warning;",
            ...(fresh
              ? [`CREATE DATABASE ${quoteIdent(fresh)};`, `\\connect ${quoteIdent(fresh)}`, "SET client_min_messages = warning;"]
              : [`DROP EXTENSION IF EXISTS ${quoteIdent(sqlName)} CASCADE;`]),
            // Its SQL names before this one first, as the entry orders them (documentdb_extended_rum's
            // script uses documentdb's operators), except those that require this one.
            ...ext.sqlNames
              .slice(0, index)
              .filter((n) => !requires.get(n)?.has(sqlName))
              .map((n) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(n)} CASCADE;`),
            `CREATE EXTENSION ${quoteIdent(sqlName)} VERSION ${quoteLiteral(from)} CASCADE;`,
            `ALTER EXTENSION ${quoteIdent(sqlName)} UPDATE;`,
            // The extension's other SQL names (dropped with it, or never made here), for the smoke test.
            ...ext.sqlNames.filter((n) => n !== sqlName).map((n) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(n)} CASCADE;`),
            `SELECT extversion FROM pg_extension WHERE extname = ${quoteLiteral(sqlName)};`,
          ].join("\n");
          const u = await pg.sql(sql, "postgres");
          if (u.exitCode !== 0) throw new CheckFailure(`${ext.name}: ${sqlName} ${from} -> ${sources.defaultVersion} failed: ${psqlError(u.stderr)}`);
          const version = u.stdout.trim().split("\n").pop();
          expect(version === sources.defaultVersion, `${ext.name}: ${sqlName} ${from} updated to ${version ?? "nothing"}, not ${sources.defaultVersion}`);
          if (ext.smokeTest) {
            await runSmokeTest(pg, ext, fresh ?? database, `smoke test after ${sqlName} ${from} -> ${sources.defaultVersion}`);
          }
          return undefined;
        },
        "upgrade-path",
      );
    }
  }
  return run;
}
