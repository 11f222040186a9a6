// Reads a postgres-extensions-containers-style repository: each directory holding a
// metadata.hcl is one extension (its Dockerfile, README.md and system-libs/ beside it), and
// turns it into catalog files, each checked by the schema before anything is written.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { LineCounter, parseDocument, stringify } from "yaml";
import { InputError, InputErrors, FsError } from "../model/errors.js";
import type { RenderedFile } from "../model/files.js";
import { checkSchema } from "../validate/schema.js";
import { mapCnpgExtension, type CnpgSource, type ImportedEntry, type Known, type ReportItem } from "./cnpg-extensions.js";
import { readCnpgMetadata } from "./cnpg-metadata.js";
import { dockerfileFacts } from "./dockerfile.js";

export interface CnpgImport {
  files: RenderedFile[];
  entries: ImportedEntry[];
  report: ReportItem[];
}

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new FsError("read", file, err);
  }
}

/** system-libs/{major}-{distro}-os-libs.txt: lines `libfoo1_1.2-3_amd64.deb MD5Sum:...`, as package names per distro. */
function osLibs(dir: string): Record<string, string[]> {
  const libs = join(dir, "system-libs");
  if (!existsSync(libs)) return {};
  const out: Record<string, Set<string>> = {};
  for (const f of readdirSync(libs).sort()) {
    const m = /^[0-9]+-([a-z]+)-os-libs\.txt$/.exec(f);
    if (!m) continue;
    const set = (out[m[1]!] ??= new Set());
    for (const line of read(join(libs, f)).split("\n")) {
      const pkg = /^([a-z0-9][a-z0-9.+-]*)_/.exec(line.trim())?.[1];
      if (pkg) set.add(pkg);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([d, s]) => [d, [...s].sort()]));
}

export async function readCnpgRepository(root: string, known: (sqlName: string, name: string) => Known | undefined, header: string): Promise<CnpgImport> {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InputErrors([new InputError(root, 0, 0, "", "directory not found")]);
  const dirs = readdirSync(root)
    .filter((d) => !d.startsWith(".") && existsSync(join(root, d, "metadata.hcl")))
    .sort();
  if (dirs.length === 0) throw new InputErrors([new InputError(root, 0, 0, "", "holds no */metadata.hcl (expected a postgres-extensions-containers-style repository)")]);
  // Every file is read and checked before anything is mapped: one bad file stops the import whole.
  const errors: InputError[] = [];
  const sources: CnpgSource[] = [];
  for (const d of dirs) {
    const dir = join(root, d);
    const file = join(dir, "metadata.hcl");
    try {
      const meta = await readCnpgMetadata(dir, file, read(file));
      const dockerfile = join(dir, "Dockerfile");
      sources.push({
        meta,
        where: d,
        dockerfile: existsSync(dockerfile) ? { file: relative(root, dockerfile), facts: dockerfileFacts(read(dockerfile), meta.targetArgs) } : undefined,
        readme: existsSync(join(dir, "README.md")) ? read(join(dir, "README.md")) : undefined,
        osLibs: osLibs(dir),
      });
    } catch (err) {
      if (err instanceof InputErrors) errors.push(...err.errors);
      else throw err;
    }
  }
  const seen = new Map<string, string>();
  for (const s of sources) {
    const other = seen.get(s.meta.name);
    if (other) errors.push(new InputError(s.meta.file, 1, 1, "name", `'${s.meta.name}' is also the name in ${other}/metadata.hcl`));
    seen.set(s.meta.name, s.where);
  }
  if (errors.length > 0) throw new InputErrors(errors);

  const namesByDir = new Map(sources.map((s) => [s.where, s.meta.name]));
  const files: RenderedFile[] = [];
  const entries: ImportedEntry[] = [];
  const report: ReportItem[] = [];
  for (const s of sources) {
    const mapped = mapCnpgExtension(s, namesByDir, known(s.meta.sqlName, s.meta.name));
    report.push(...mapped.report);
    if (!mapped.entry) continue;
    const path = `${mapped.entry.name}.yaml`;
    const text = entryYaml(mapped.entry, header);
    // The schema decides, as for a hand-written entry: what it refuses is reported, not written.
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    const problems = checkSchema({ file: path, doc, lines, text, data: doc.toJS() }, "extension");
    if (problems.length > 0) {
      for (const p of problems) report.push({ subject: s.meta.name, field: p.path || "(entry)", reason: `not imported: the value pgbake would write is invalid: ${p.message}` });
      continue;
    }
    entries.push(mapped.entry);
    files.push({ path, content: text });
  }
  return { files, entries, report };
}

export function entryYaml(entry: ImportedEntry, header: string): string {
  const lines = [`# ${header}`, "# yaml-language-server: $schema=../node_modules/pgbake/schemas/extension.schema.json"];
  for (const [key, value] of entry.fields) lines.push(stringify({ [key]: value }, { lineWidth: 100 }).trimEnd());
  return `${lines.join("\n")}\n`;
}

/** The report as text: one line per fact not carried, grouped by extension. */
export function reportText(imp: CnpgImport, from: string, to: string): string {
  const out = [`pgbake import cnpg-extensions ${from}: ${imp.entries.length} entries written to ${to}; ${imp.report.length} facts not carried as fields:`];
  for (const r of imp.report) out.push(`  ${r.subject}: ${r.field}: ${r.reason}`);
  return `${out.join("\n")}\n`;
}
