// Every catalog entry's smoke test must prove behaviour (issue 18): a function of the extension
// returns a known value, an index is used, a hook fires, an FDW reads a local object. A test that
// passes on any server where CREATE EXTENSION worked proves nothing beyond it, so the shapes that
// cannot fail once the objects exist are refused here: `OR true`, SHOW/LOAD/SET alone, a result
// that can never be false, an empty-table count, a lone `IS [NOT] NULL`, a catalog lookup.
// `pgbake test` fails a smoke test that errors or whose last line is `f` (src/verify/checks.ts),
// so the last statement is the one that decides.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "./helpers/workspace.js";

interface Entry {
  file: string;
  name: string;
  kind?: string;
  disabled?: boolean;
  smoke_test?: string;
}

/** Entries no image of this machine can hold (no Debian suite packages them), so no new test could be proven: kept as they are, said why. */
const unprovable: Record<string, string> = {
  sqlite_fdw: "no Debian suite packages it (PGDG only): nothing here can run a rewritten test",
};

const catalogDirs = ["extensions", "e2e/extensions"];

function entries(): Entry[] {
  return catalogDirs.flatMap((dir) =>
    readdirSync(join(repoRoot, dir))
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ file: `${dir}/${f}`, ...(parse(readFileSync(join(repoRoot, dir, f), "utf8")) as Omit<Entry, "file">) })),
  );
}

/** The statements of a SQL text: split at `;` outside quotes, dollar-quoted bodies and comments. */
export function statements(sql: string): string[] {
  const out: string[] = [];
  let cur = "";
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    const quoted = /^(?:'(?:[^']|'')*'|"(?:[^"]|"")*")/.exec(rest);
    const comment = /^--[^\n]*/.exec(rest);
    const skip = dollar ? rest.indexOf(dollar[0], dollar[0].length) + dollar[0].length : (quoted?.[0].length ?? comment?.[0].length ?? 0);
    if (skip > 0) {
      cur += rest.slice(0, skip);
      i += skip;
    } else if (sql[i] === ";") {
      out.push(cur.trim());
      cur = "";
      i++;
    } else {
      cur += sql[i++];
    }
  }
  out.push(cur.trim());
  return out.filter(Boolean);
}

/** The statement without its string literals and dollar-quoted bodies: what the operators and names are. */
const bare = (s: string): string => s.replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, "''").replace(/'(?:[^']|'')*'/g, "''");

// Operators that return a number or name an argument, not a truth value (pgvector's and rum's
// distances, hstore's and json's accessors, named arguments): taken out before looking for one that can be false.
const valueOperators = /<->|<=>|<#>|<@>|=>|->>|->|::/g;
const truthTests = /[=<>~]|@@|@>|<@|@\?|&&|\b(?:I?LIKE|IN|BETWEEN|NOT|EXISTS|bool_or|bool_and|IS\s+(?:NOT\s+)?(?:TRUE|FALSE|DISTINCT))\b/i;
const catalogTables = /\bFROM\s+(?:pg_catalog\.)?pg_(?:proc|extension|language|foreign_data_wrapper|available_extensions|available_extension_versions|namespace|type|settings)\b/i;

/** Why this smoke test proves only that objects exist (undefined: it can fail on a server where the extension misbehaves). */
export function existenceOnly(sql: string): string | undefined {
  if (/\bOR\s+true\b/i.test(bare(sql))) return "`OR true` makes it pass whatever the extension does";
  const all = statements(sql);
  if (all.every((s) => /^(?:SHOW|LOAD|SET|RESET)\b/i.test(s))) return "SHOW, LOAD and SET alone prove only that the library loads";
  const last = all.at(-1)!;
  if (/^DO\b/i.test(last)) {
    return /\b(?:assert|raise|die|throw|error)\b/i.test(last) ? undefined : "its DO block has no way to fail (no assert, raise, die or throw)";
  }
  const decides = bare(last);
  if (!/^(?:SELECT|WITH|VALUES|TABLE)\b/i.test(decides)) return `its last statement (${last.slice(0, 40)}…) returns no result to judge`;
  if (/count\(\*\)\s*>=\s*0\b/i.test(decides)) return "count(*) >= 0 holds for every table";
  if (/count\(\*\)\s*=\s*0\b/i.test(decides)) return "count(*) = 0 of a table proves only that the table exists";
  if (catalogTables.test(decides)) return "it reads the system catalogs: that the objects exist, not what they do";
  const compared = decides.replace(valueOperators, " ").replace(/\bIS\s+(?:NOT\s+)?NULL\b/gi, " ");
  if (!truthTests.test(compared)) {
    return /\bIS\s+(?:NOT\s+)?NULL\b/i.test(decides) ? "IS [NOT] NULL is its only test: any value passes" : "its last statement returns a value that is never false (compare it with a known one)";
  }
  return undefined;
}

describe("smoke tests prove behaviour, not existence", () => {
  const all = entries();

  it("reads every entry of both catalogs", () => {
    expect(all.length).toBeGreaterThan(120);
    expect(all.map((e) => e.file)).toContain("e2e/extensions/pgvector.yaml");
  });

  it("every entry that can be tested has a smoke test (tools prove their binaries; disabled entries build nothing)", () => {
    const missing = all.filter((e) => !e.smoke_test && e.kind !== "tool" && !e.disabled).map((e) => e.file);
    expect(missing).toEqual([]);
  });

  it("no smoke test has an existence-only shape", () => {
    const bad = all
      .filter((e) => e.smoke_test && !e.disabled && unprovable[e.name] === undefined)
      .flatMap((e) => {
        const why = existenceOnly(e.smoke_test!);
        return why ? [`${e.file}: ${why}: ${e.smoke_test!.slice(0, 80)}`] : [];
      });
    expect(bad).toEqual([]);
  });

  it("refuses each shape the issue found, and lets behaviour through", () => {
    const refused = [
      "SHOW auto_explain.log_min_duration",
      "LOAD 'wal2json'",
      "SELECT memcache_server_add('127.0.0.1:11211') OR true",
      "SELECT count(*) FROM cron.job",
      "SELECT count(*) = 0 FROM repmgr.nodes",
      "SELECT count(*) >= 0 FROM pg_active_session_history",
      "SELECT count(*) = 1 FROM pg_language WHERE lanname = 'plsh'",
      "SELECT 1 FROM pg_extension WHERE extname = 'x' AND extversion <> ''",
      "SELECT pglogical.pglogical_version() IS NOT NULL",
      "SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector",
      "SELECT pgr_version()",
      "SELECT plan(1); SELECT ok(true)",
      "DO LANGUAGE plpgsql $$ BEGIN PERFORM 1; END $$",
    ];
    expect(refused.filter((s) => existenceOnly(s) === undefined)).toEqual([]);
    const proving = [
      "SELECT ('[1,2,3]'::vector <-> '[1,2,4]'::vector) = 1",
      "SELECT '10.0.0.1'::ip4 <<= '10.0.0.0/8'::ip4r",
      "SELECT '{\"a\": 1}'::jsonb @@ 'a = 1'::jsquery",
      "DO LANGUAGE plperl $$ die 'wrong' unless 6 * 7 == 42 $$",
      "SET x = 1; SELECT f('a;b') = 'SHOW; OR true'",
      "SELECT assigned_group_state = 'single' FROM pgautofailover.register_node(formation_id => 'default', node_port => 5432)",
    ];
    expect(proving.map((s) => [s, existenceOnly(s)]).filter(([, why]) => why !== undefined)).toEqual([]);
  });

  it("splits statements outside quotes and dollar-quoted bodies", () => {
    expect(statements("SELECT 'a;b'; DO $$BEGIN PERFORM 1; END$$; SELECT $x$;$x$ = ';'")).toEqual(["SELECT 'a;b'", "DO $$BEGIN PERFORM 1; END$$", "SELECT $x$;$x$ = ';'"]);
  });
});
