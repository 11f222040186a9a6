// Interface snapshots (`pgbake test --snapshot DIR`): each extension's SQL objects as the catalogs
// list them (its members in pg_depend: functions with their signatures and results, types,
// operators, relations with their columns, casts, ...), one file per extension and major, in a
// stable order. A later run compares: an object removed or changed fails the check unless the
// run accepts the new interface (`--accept`, which writes it); objects added are shown, not failed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CheckFailure, expect, type Recorder } from "./results.js";
import { quoteLiteral, type PgServer } from "./server.js";

export interface SnapshotOptions {
  dir: string;
  /** Write the interface seen even when it differs (the change is reviewed in the diff). */
  accept: boolean;
}

/** One object: `sqlName<TAB>identity<TAB>detail`; identity is what pg_describe_object says. */
export interface InterfaceObject {
  sqlName: string;
  identity: string;
  detail: string;
}

/** The members of these extensions, one line each: extension, identity, then what may change under the same identity. */
export function interfaceQuery(sqlNames: string[]): string {
  return `SELECT e.extname || E'\\t' || pg_describe_object(d.classid, d.objid, 0) || E'\\t' || coalesce(CASE d.classid
  WHEN 'pg_proc'::regclass THEN (SELECT 'returns ' || coalesce(pg_get_function_result(p.oid), '-') || ' ' ||
      CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END ||
      CASE WHEN p.proisstrict THEN ' strict' ELSE '' END || CASE p.proparallel WHEN 's' THEN ' parallel safe' WHEN 'r' THEN ' parallel restricted' ELSE '' END
    FROM pg_proc p WHERE p.oid = d.objid)
  WHEN 'pg_class'::regclass THEN (SELECT c.relkind::text || ' (' || coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
      FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')' FROM pg_class c WHERE c.oid = d.objid)
  WHEN 'pg_operator'::regclass THEN (SELECT 'returns ' || format_type(o.oprresult, NULL) FROM pg_operator o WHERE o.oid = d.objid)
  WHEN 'pg_type'::regclass THEN (SELECT 'type ' || t.typtype::text || ', length ' || t.typlen::text FROM pg_type t WHERE t.oid = d.objid)
  END, '')
FROM pg_depend d JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE d.deptype = 'e' AND e.extname IN (${sqlNames.map(quoteLiteral).join(", ")})`;
}

/** Object lines, sorted by code point (not by a collation, so every machine writes the same file). */
export function parseInterface(text: string): InterfaceObject[] {
  const out: InterfaceObject[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [sqlName = "", identity = "", ...detail] = line.split("\t");
    out.push({ sqlName, identity, detail: detail.join("\t") });
  }
  return out.sort((a, b) => compare(lineOf(a), lineOf(b)));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const lineOf = (o: InterfaceObject): string => `${o.sqlName}\t${o.identity}\t${o.detail}`;
const keyOf = (o: InterfaceObject): string => `${o.sqlName}\t${o.identity}`;

export function formatSnapshot(extension: string, major: number, objects: InterfaceObject[]): string {
  const head = [
    `# The SQL interface of ${extension} on PostgreSQL ${major}, written by pgbake test --snapshot.`,
    "# One object a line: CREATE EXTENSION name, the object (pg_describe_object), what may change under that name.",
  ];
  return `${[...head, ...objects.map(lineOf)].join("\n")}\n`;
}

export interface InterfaceDiff {
  removed: InterfaceObject[];
  changed: { before: InterfaceObject; after: InterfaceObject }[];
  added: InterfaceObject[];
}

export function diffInterfaces(before: InterfaceObject[], after: InterfaceObject[]): InterfaceDiff {
  const old = new Map(before.map((o) => [keyOf(o), o]));
  const now = new Map(after.map((o) => [keyOf(o), o]));
  return {
    removed: before.filter((o) => !now.has(keyOf(o))),
    changed: after.flatMap((o) => {
      const was = old.get(keyOf(o));
      return was && was.detail !== o.detail ? [{ before: was, after: o }] : [];
    }),
    added: after.filter((o) => !old.has(keyOf(o))),
  };
}

export function describeDiff(d: InterfaceDiff): string {
  return [
    ...d.removed.map((o) => `removed: ${o.identity}${o.detail ? ` (${o.detail})` : ""}`),
    ...d.changed.map((c) => `changed: ${c.after.identity}: ${c.before.detail} -> ${c.after.detail}`),
    ...d.added.map((o) => `added: ${o.identity}`),
  ].join("; ");
}

export const snapshotFile = (dir: string, extension: string, major: number): string => join(dir, `${extension}.pg${major}.txt`);

let writes = 0;

/** Reads the interface from the server, then writes it or compares it with the file of an earlier run. */
export async function snapshotCheck(rec: Recorder, pg: PgServer, ext: { name: string; sqlNames: string[] }, major: number, opts: SnapshotOptions, database?: string): Promise<void> {
  if (ext.sqlNames.length === 0) return;
  await rec.check(
    `interface snapshot ${ext.name}`,
    async () => {
      const r = await pg.sql(interfaceQuery(ext.sqlNames), database);
      if (r.exitCode !== 0) throw new CheckFailure(`the catalogs could not be read: ${r.stderr.trim()}`);
      const now = parseInterface(r.stdout);
      const file = snapshotFile(opts.dir, ext.name, major);
      const write = (): void => {
        mkdirSync(opts.dir, { recursive: true });
        const tmp = `${file}.${process.pid}-${++writes}.tmp`;
        writeFileSync(tmp, formatSnapshot(ext.name, major, now));
        renameSync(tmp, file);
      };
      if (!existsSync(file)) {
        write();
        return `${now.length} objects written to ${file}`;
      }
      const diff = diffInterfaces(parseInterface(readFileSync(file, "utf8")), now);
      const broken = diff.removed.length + diff.changed.length;
      if (diff.added.length + broken > 0 && opts.accept) {
        write();
        return `accepted: ${describeDiff(diff)}`;
      }
      expect(broken === 0, `${ext.name} on PostgreSQL ${major} differs from ${file}: ${describeDiff(diff)} (--accept records the new interface)`);
      return diff.added.length > 0 ? `${now.length} objects, new: ${describeDiff(diff)}` : `${now.length} objects as in ${file}`;
    },
    "snapshot",
  );
}
