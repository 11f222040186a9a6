#!/usr/bin/env node
// Derives data/reference-extensions.json, the facts `pgbake add` pre-fills an entry from, from
// Pigsty's extension catalog (pgsty/pig, cli/ext/assets/extension.csv, Apache-2.0; see
// ../shared/data/README.md for the commit). Run: node scripts/reference-data.mjs [CSV] [OUT]
// Only what an entry needs is kept: version, licence, homepage, description, PG majors,
// preload, requires, Debian package name and whether it ships with PostgreSQL (contrib).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const csvPath = process.argv[2] ?? join(root, "..", "shared", "data", "pigsty-extension.csv");
const outPath = process.argv[3] ?? join(root, "data", "reference-extensions.json");

/** RFC 4180: quoted fields may hold commas, newlines and doubled quotes. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") (row.push(field), (field = ""));
    else if (c === "\n") (row.push(field), rows.push(row), (row = []), (field = ""));
    else if (c !== "\r") field += c;
  }
  if (field || row.length) (row.push(field), rows.push(row));
  return rows;
}

/** A Postgres array literal `{18,17,16}` as a list. */
const pgArray = (s) =>
  s && s.startsWith("{")
    ? s
        .slice(1, -1)
        .split(",")
        .filter(Boolean)
        .map((x) => x.replace(/^"|"$/g, ""))
    : [];

const [head, ...rows] = parseCsv(readFileSync(csvPath, "utf8"));
const col = Object.fromEntries(head.map((h, i) => [h, i]));
const extensions = {};
/** Package group -> extension, where they differ (`pgvector` is the extension `vector`). */
const aliases = {};
for (const r of rows) {
  const get = (name) => r[col[name]] ?? "";
  const name = get("name");
  if (!name) continue;
  const majors = pgArray(get("pg_ver"))
    .map(Number)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const entry = {
    version: get("version") || undefined,
    license: get("license") || undefined,
    homepage: get("url") || undefined,
    description: get("en_desc") || undefined,
    majors,
    preload: get("need_load") === "t",
    contrib: get("contrib") === "t",
    requires: pgArray(get("requires")),
    // `$v` is the PG major in Pigsty's names; pgbake writes `{major}`.
    deb_package: get("deb_pkg") ? get("deb_pkg").split(/\s+/)[0].replace(/\$v/g, "{major}") : undefined,
    deb_repo: get("deb_repo") || undefined,
    lang: get("lang") || undefined,
  };
  if (get("pkg") && get("pkg") !== name && get("lead") === "t") aliases[get("pkg")] = name;
  extensions[name] = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}
const out = {
  source: {
    description: "Pigsty's PostgreSQL extension catalog",
    repository: "https://github.com/pgsty/pig",
    path: "cli/ext/assets/extension.csv",
    commit: "aa98bcad69adfe670858772e0f1e60d869f4cd70",
    license: "Apache-2.0",
    derived_by: "scripts/reference-data.mjs",
  },
  aliases,
  extensions,
};
writeFileSync(outPath, `${JSON.stringify(out, null, 0).replace(/\},"/g, '},\n"')}\n`);
console.log(`${Object.keys(extensions).length} extensions -> ${outPath}`);
