// What a CloudNativePG extension Dockerfile installs and copies: the apt packages of its
// `apt-get install` commands (the one pinned to ${EXT_VERSION} is the extension's package) and
// the destinations of its COPY instructions. A shell script is not evaluated: words with a
// variable the build args do not settle are returned as unresolved, for the report.

export interface AptInstall {
  /** With `{major}` for ${PG_MAJOR}: `postgresql-{major}-pgvector`. */
  name: string;
  /** Pinned to `=${EXT_VERSION}`: the package metadata.hcl's versions are versions of. */
  pinned: boolean;
  line: number;
}

export interface DockerfileFacts {
  packages: AptInstall[];
  unresolved: { word: string; line: number }[];
  /** Destinations of `COPY --from=...` into the image (`/lib/`, `/share/gdal/`). */
  copies: { dest: string; line: number }[];
}

/** Instructions with their first line, continuation lines joined and comment lines inside them dropped. */
function instructions(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) && (current || !/^\s*#\s*\w+=/.test(line))) return;
    const cont = line.endsWith("\\");
    const body = cont ? line.slice(0, -1) : line;
    if (current) current.text += ` ${body.trim()}`;
    else if (body.trim() !== "") current = { line: i + 1, text: body.trim() };
    if (!cont && current) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

export function dockerfileFacts(text: string, buildArgs: Record<string, string>): DockerfileFacts {
  const facts: DockerfileFacts = { packages: [], unresolved: [], copies: [] };
  const args: Record<string, string> = {};
  for (const ins of instructions(text)) {
    const [keyword, ...rest] = ins.text.split(/\s+/);
    const op = keyword!.toUpperCase();
    if (op === "ARG")
      for (const a of rest) {
        const eq = a.indexOf("=");
        if (eq > 0) args[a.slice(0, eq)] ??= a.slice(eq + 1).replace(/^"|"$/g, "");
      }
    if (op === "COPY" && rest.some((r) => r.startsWith("--from="))) facts.copies.push({ dest: rest[rest.length - 1]!, line: ins.line });
    if (op !== "RUN") continue;
    for (const segment of rest.join(" ").split(/&&|\|\||;|\|/)) {
      const words = segment.trim().split(/\s+/);
      const at = words.findIndex((w, i) => (w === "apt-get" || w === "apt") && words[i + 1] === "install");
      if (at < 0) continue;
      for (const w of words.slice(at + 2)) {
        // Quotes only group for the shell: 'postgresql-'$PG_MAJOR'-x' is one word.
        const word = w.replace(/["']/g, "");
        if (word === "" || word.startsWith("-")) continue;
        const eq = word.indexOf("=");
        const pin = eq < 0 ? "" : word.slice(eq + 1);
        const resolved = resolveVariables(eq < 0 ? word : word.slice(0, eq), { ...args, ...buildArgs });
        if (resolved === undefined) facts.unresolved.push({ word, line: ins.line });
        else facts.packages.push({ name: resolved, pinned: /^\$\{?EXT_VERSION\}?$/.test(pin), line: ins.line });
      }
    }
  }
  return facts;
}

/** ${PG_MAJOR} becomes pgbake's `{major}`; other variables take the build args; one left unknown: undefined. */
function resolveVariables(word: string, args: Record<string, string>): string | undefined {
  let unknown = false;
  const out = word.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => {
    const v = (a ?? b)!;
    if (v === "PG_MAJOR") return "{major}";
    if (args[v] !== undefined && !args[v].includes("$")) return args[v];
    unknown = true;
    return "";
  });
  return unknown ? undefined : out;
}
