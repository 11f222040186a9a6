// CloudNativePG extension metadata → pgbake catalog entries (pure: the files are read by
// read-cnpg.ts). Each fact lands in the field that means the same thing; a fact with no such
// field goes to the entry's `notes` and to the report, with the reason, so nothing is dropped
// without a word. Per-distribution differences are reported: today's schema keeps versions
// per PostgreSQL major, bases and runtime packages per base.
import type { CnpgMetadata } from "./cnpg-metadata.js";
import type { DockerfileFacts } from "./dockerfile.js";

export interface CnpgSource {
  meta: CnpgMetadata;
  /** Path of the directory as the report names it (`pgvector`). */
  where: string;
  dockerfile?: { file: string; facts: DockerfileFacts };
  readme?: string;
  /** system-libs/{major}-{distro}-os-libs.txt, as package names per distro. */
  osLibs: Record<string, string[]>;
}

export interface Known {
  description?: string;
  homepage?: string;
}

export interface ReportItem {
  /** What the line is about: an extension, a target, a type, a build arg. */
  subject: string;
  field: string;
  reason: string;
}

export interface ImportedEntry {
  name: string;
  /** Field → value, in the order the file lists them. */
  fields: [string, unknown][];
}

/** A Debian version split as pgbake pins it: `1:3.6.4+dfsg-2.pgdg13+1` → version 3.6.4, pattern `1:{version}+dfsg-*`. */
export function splitDebianVersion(deb: string): { version: string; pattern: string } {
  const epoch = /^([0-9]+):/.exec(deb)?.[1];
  const noEpoch = epoch === undefined ? deb : deb.slice(epoch.length + 1);
  const dash = noEpoch.lastIndexOf("-");
  const upstream = dash > 0 ? noEpoch.slice(0, dash) : noEpoch;
  const numeric = /^[0-9]+(\.[0-9]+)*/.exec(upstream)?.[0] ?? upstream;
  const suffix = upstream.slice(numeric.length);
  return { version: numeric, pattern: `${epoch !== undefined ? `${epoch}:` : ""}{version}${suffix}${dash > 0 ? "-*" : ""}` };
}

/** The value most distros give; a tie goes to the distro sorting last (Debian's newer codenames do, bookworm < trixie). */
function mostCommon(byDistro: [string, string][]): string {
  const counts = new Map<string, { n: number; last: string }>();
  for (const [distro, v] of byDistro) {
    const c = counts.get(v) ?? { n: 0, last: "" };
    counts.set(v, { n: c.n + 1, last: distro > c.last ? distro : c.last });
  }
  return [...counts.entries()].sort((a, b) => b[1].n - a[1].n || b[1].last.localeCompare(a[1].last))[0]![0];
}

const IMAGE_LAYOUT = /^\/(licenses|lib|lib\/bitcode|share\/extension|system)(\/.*)?$/;

export function mapCnpgExtension(src: CnpgSource, namesByDir: Map<string, string>, known: Known | undefined): { entry?: ImportedEntry; report: ReportItem[] } {
  const m = src.meta;
  const report: ReportItem[] = [];
  const notes: string[] = [`Imported by pgbake import from CloudNativePG metadata ${src.where}/metadata.hcl.`];
  const lost = (field: string, reason: string, note?: string): void => {
    report.push({ subject: m.name, field, reason });
    if (note) notes.push(note);
  };

  const packages = src.dockerfile?.facts.packages ?? [];
  if (packages.length === 0) {
    const why = src.dockerfile ? `${src.dockerfile.file} installs no apt package` : `${src.where} has no Dockerfile`;
    return { report: [{ subject: m.name, field: "(entry)", reason: `not imported: ${why}; import makes kind package entries only (write a kind source entry by hand)` }] };
  }
  const main = packages.find((p) => p.pinned) ?? packages[0]!;
  if (!main.pinned) lost("package", `no package is pinned to \${EXT_VERSION}; ${main.name}, the first installed, is taken as the extension's package`);
  for (const u of src.dockerfile!.facts.unresolved) lost("Dockerfile", `${src.dockerfile!.file}:${u.line}: '${u.word}' names a variable no build arg sets; not carried`);
  for (const c of src.dockerfile!.facts.copies)
    if (!IMAGE_LAYOUT.test(c.dest))
      lost("Dockerfile", `${src.dockerfile!.file}:${c.line}: COPY into ${c.dest}: pgbake lays out extension images itself (/lib, /share/extension, /licenses, /system); not carried`);

  // Versions: per major in pgbake, per distro and major in CloudNativePG.
  const distros = Object.keys(m.versions).sort();
  const majors = [...new Set(distros.flatMap((d) => Object.keys(m.versions[d]!)))].sort();
  const perMajor = new Map<string, string>();
  const patterns: [string, string][] = [];
  const sqls: string[] = [];
  for (const major of majors) {
    const has = distros.filter((d) => m.versions[d]![major]);
    const split = has.map((d) => [d, splitDebianVersion(m.versions[d]![major]!.package)] as const);
    const chosen = mostCommon(split.map(([d, s]) => [d, s.version]));
    perMajor.set(major, chosen);
    for (const [d, s] of split) {
      patterns.push([d, s.pattern]);
      if (s.version !== chosen) lost(`versions.${d}.${major}`, `PG ${major} on ${d} pins ${s.version}, other distributions ${chosen}: pgbake keeps one version per major (${chosen} taken)`);
    }
    const missing = distros.filter((d) => !has.includes(d));
    if (missing.length > 0) lost(`versions`, `PG ${major} is not built on ${missing.join(", ")} in the source: pgbake builds an entry on every major of its range on each of its bases`);
    for (const d of has) {
      const sql = m.versions[d]![major]!.sql;
      if (sql !== undefined) sqls.push(`PG ${major} on ${d}: ${sql}`);
    }
  }
  const revisions = distros.flatMap((d) => Object.entries(m.versions[d]!).map(([major, v]) => `${major}/${d} ${v.package}`));
  lost(
    "versions.*.package",
    `pgbake pins the upstream version with a Debian revision pattern, not each distribution's exact build (${revisions.join(", ")})`,
    `CloudNativePG pinned ${revisions.join(", ")}.`,
  );
  if (sqls.length > 0) lost("versions.*.sql", "pgbake has no field for the SQL version CREATE EXTENSION reports; kept in notes", `SQL versions: ${sqls.join("; ")}.`);
  const newest = majors[majors.length - 1]!;
  const version = perMajor.get(newest)!;
  const versions = Object.fromEntries([...perMajor].filter(([, v]) => v !== version));
  const pattern = mostCommon(patterns);
  if (new Set(patterns.map(([, p]) => p)).size > 1)
    lost("versions.*.package", `the Debian versions differ in shape (${[...new Set(patterns.map(([, p]) => p))].join(", ")}); package_version ${pattern} taken`);
  const nums = majors.map(Number);
  const gaps = nums.slice(1).flatMap((n, i) => Array.from({ length: n - nums[i]! - 1 }, (_, k) => nums[i]! + k + 1));
  if (gaps.length > 0) lost("versions", `PG ${gaps.join(", ")}: inside min_pg_version..max_pg_version but not in the source; pgbake builds it too`);

  // Paths and environment CloudNativePG sets for the image.
  for (const [key, list] of [
    ["extension_control_path", m.extensionControlPath],
    ["dynamic_library_path", m.dynamicLibraryPath],
    ["bin_path", m.binPath],
  ] as const)
    if (list.length > 0) lost(key, `${JSON.stringify(list)}: pgbake's images use CloudNativePG's defaults (/share, /lib) and have no field for other paths`, `${key}: ${list.join(", ")}.`);
  const osLibDistros = Object.keys(src.osLibs).sort();
  if (m.ldLibraryPath.length > 0 && !(m.ldLibraryPath.length === 1 && m.ldLibraryPath[0] === "system"))
    lost("ld_library_path", `${JSON.stringify(m.ldLibraryPath)}: pgbake's images put runtime libraries in /system only`, `ld_library_path: ${m.ldLibraryPath.join(", ")}.`);
  if (m.ldLibraryPath.includes("system") && osLibDistros.length === 0)
    lost("ld_library_path", "the image puts libraries in /system but no system-libs/*-os-libs.txt lists their packages: add runtime_packages by hand");
  if (m.autoUpdateOsLibs) lost("auto_update_os_libs", "pgbake update does not re-derive runtime packages; runtime_packages_by_base is the system-libs lists as they are now");
  for (const [k, v] of Object.entries(m.env)) lost(`env.${k}`, `'${v}': pgbake has no field for environment variables of the server`, `env ${k}=${v}.`);
  for (const [k, v] of Object.entries(m.postgresqlParameters))
    lost(`postgresql_parameters.${k}`, `'${v}': pgbake has no field for server parameters besides shared_preload_libraries`, `postgresql_parameters ${k}=${v}.`);
  if (m.imageName !== undefined && m.imageName !== m.name)
    lost("image_name", `'${m.imageName}': pgbake names extension images after the entry ('${m.name}')`, `CloudNativePG image name: ${m.imageName}.`);
  for (const f of m.unknownFields) lost(f, "a field this importer does not know; not carried");
  if (Object.keys(m.targetArgs).length > 0)
    notes.push(
      `Build args ${Object.entries(m.targetArgs)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")} were resolved into the package names.`,
    );

  const requires: string[] = [];
  for (const r of m.requiredExtensions) {
    const name = namesByDir.get(r);
    if (name) requires.push(name);
    else lost("required_extensions", `'${r}' is no extension directory of this repository; not carried`);
  }
  if (!m.createExtension) notes.push(`CloudNativePG's tests do not CREATE EXTENSION ${m.sqlName}: sql_names is empty.`);

  const description = readmeParagraph(src.readme) ?? known?.description;
  const homepage = readmeLink(src.readme) ?? known?.homepage;
  if (!description) lost("description", "none in metadata.hcl, README.md or pgbake's reference data: a placeholder was written");
  if (!homepage) lost("homepage", "none in metadata.hcl, README.md or pgbake's reference data: a placeholder was written");
  if (m.licenses.length === 0) lost("licenses", "empty: license NOASSERTION written");

  const fields: [string, unknown][] = [["name", m.name]];
  const sqlNames = m.createExtension ? [m.sqlName] : [];
  if (sqlNames.length !== 1 || sqlNames[0] !== m.name) fields.push(["sql_names", sqlNames]);
  fields.push(
    ["description", description ?? `${m.name} (imported from CloudNativePG metadata)`],
    ["license", m.licenses.length > 0 ? m.licenses.join(" AND ") : "NOASSERTION"],
    ["homepage", homepage ?? `https://example.invalid/${m.name}`],
    ["kind", "package"],
    ["version", version],
  );
  if (Object.keys(versions).length > 0) fields.push(["versions", versions]);
  fields.push(["package", main.name]);
  if (pattern !== "{version}-*") fields.push(["package_version", pattern]);
  const extra = [...new Set(packages.filter((p) => p !== main).map((p) => p.name))];
  if (extra.length > 0) fields.push(["extra_packages", extra]);
  fields.push(["min_pg_version", Number(majors[0])], ["max_pg_version", Number(newest)], ["bases", distros]);
  if (m.sharedPreloadLibraries.length > 0) fields.push(["shared_preload_libraries", m.sharedPreloadLibraries]);
  if (requires.length > 0) fields.push(["requires", requires]);
  if (osLibDistros.length > 0) fields.push(["runtime_packages_by_base", Object.fromEntries(osLibDistros.map((d) => [d, src.osLibs[d]]))]);
  fields.push(["notes", notes.join(" ")]);
  return { entry: { name: m.name, fields }, report };
}

/** The README's first paragraph of prose, Markdown links reduced to their text. */
export function readmeParagraph(readme: string | undefined): string | undefined {
  if (!readme) return undefined;
  const body = readme.replace(/<!--[\s\S]*?-->/g, "");
  for (const para of body.split(/\n\s*\n/)) {
    const t = para.trim();
    if (t === "" || /^(#|!\[|<|```|\||-|\*|>)/.test(t)) continue;
    const plain = t
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/\*\*|`/g, "")
      .replace(/\s+/g, " ")
      .trim();
    if (plain === "") continue;
    return plain.length > 500 ? `${plain.slice(0, 496).replace(/\s+\S*$/, "")} ...` : plain;
  }
  return undefined;
}

/** The README's first link outside CloudNativePG's own sites: the project's home. */
export function readmeLink(readme: string | undefined): string | undefined {
  for (const m of (readme ?? "").matchAll(/\]\((https?:\/\/[^)\s]+)\)/g)) if (!/cloudnative-pg/.test(m[1]!)) return m[1];
  return undefined;
}
