// `pgbake derive --from-distro`: the same project (catalogs, flavors, types, tags, metadata) with
// PostgreSQL and its extensions from Debian's own suites instead of PGDG: one base per suite, each
// carrying the major that suite ships (PG 15 bookworm, 17 trixie, 18 sid by default). Written as
// a config of its own, derived from the source each time it runs, so it never drifts by hand.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { parseDocument } from "yaml";
import { displayPath } from "../model/errors.js";
import { DEBIAN_ARCHIVE_KEYRING } from "../model/types.js";
import { planFrom, type InputPaths } from "../pipeline/index.js";
import { UsageError } from "./usage.js";
import { writeFileWhole } from "../write/whole.js";

/** Which Debian suite ships which PostgreSQL major (postgresql-NN is the suite's only server). */
export const DEBIAN_SUITE_OF_MAJOR: Readonly<Record<number, string>> = { 15: "bookworm", 17: "trixie", 18: "sid" };
/** Suites that take no -updates or -security companion (Debian's rolling ones). */
const rolling = new Set(["sid", "unstable", "experimental"]);

export interface DeriveOptions {
  /** Major -> Debian codename; the source's majors without one are left out. */
  suites: Map<number, string>;
  /** Codename -> base image (default `debian:<codename>-slim`). */
  images: Map<string, string>;
  /** A Debian mirror (and its security mirror) the bases read instead of their images' sources. */
  mirror?: string;
  securityMirror?: string;
  platforms?: string[];
  /** Turn off attestations (BuildKit's SBOM scanner is an image on Docker Hub). */
  withoutAttestations: boolean;
}

const pairs = (values: string[] | undefined, what: string): [string, string][] =>
  (values ?? []).map((v) => {
    const eq = v.indexOf("=");
    if (eq < 1 || eq === v.length - 1) throw new UsageError(`${what} takes KEY=VALUE, not '${v}'`);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });

export function deriveOptions(v: Record<string, unknown>): DeriveOptions {
  const suites = new Map<number, string>(Object.entries(DEBIAN_SUITE_OF_MAJOR).map(([m, s]) => [Number(m), s]));
  for (const [major, codename] of pairs(v.suite as string[] | undefined, "--suite")) {
    if (!/^[0-9]{2}$/.test(major) || !/^[a-z][a-z0-9-]*$/.test(codename)) throw new UsageError(`--suite takes MAJOR=CODENAME (17=trixie), not '${major}=${codename}'`);
    suites.set(Number(major), codename);
  }
  return {
    suites,
    images: new Map(pairs(v.base as string[] | undefined, "--base")),
    mirror: v.mirror as string | undefined,
    securityMirror: v["security-mirror"] as string | undefined,
    platforms: v.platform as string[] | undefined,
    withoutAttestations: v["without-attestations"] === true,
  };
}

/** A `catalogs:` entry or `output:` as seen from the derived file's directory. */
function rebased(value: string, fromDir: string, toDir: string): string {
  if (!(value.startsWith("./") || value.startsWith("../") || value === "." || isAbsolute(value))) return value; // builtin, a package
  const moved = relative(toDir, resolve(fromDir, value)) || ".";
  return moved.startsWith(".") || isAbsolute(moved) ? moved : `./${moved}`;
}

/** The derived config's text, and the source's majors it leaves out (no Debian suite given). */
export function deriveConfig(sourceFile: string, target: string, opts: DeriveOptions): { text: string; dropped: number[] } {
  const doc = parseDocument(readFileSync(sourceFile, "utf8"));
  const fromDir = dirname(resolve(sourceFile));
  const toDir = dirname(resolve(target));
  const postgres = (doc.toJS().postgres ?? []) as { major: number }[];
  const kept = postgres.filter((p) => opts.suites.has(p.major));
  const dropped = postgres.filter((p) => !opts.suites.has(p.major)).map((p) => p.major);
  if (kept.length === 0) throw new UsageError(`no major of ${displayPath(sourceFile)} has a Debian suite (--suite MAJOR=CODENAME)`);
  doc.set(
    "postgres",
    doc.createNode(
      postgres.filter((p) => opts.suites.has(p.major)),
      { flow: false },
    ),
  );
  const codenames = [...new Set(kept.map((p) => opts.suites.get(p.major)!))];
  const bases: Record<string, unknown> = {};
  for (const codename of codenames) {
    const apt = opts.mirror && {
      distro: [
        { uri: opts.mirror, suites: rolling.has(codename) ? [codename] : [codename, `${codename}-updates`], signed_by: DEBIAN_ARCHIVE_KEYRING },
        ...(rolling.has(codename) || !opts.securityMirror ? [] : [{ uri: opts.securityMirror, suites: [`${codename}-security`], signed_by: DEBIAN_ARCHIVE_KEYRING }]),
      ],
    };
    bases[codename] = {
      image: opts.images.get(codename) ?? `debian:${codename}-slim`,
      codename,
      postgres_from: "distro",
      majors: kept.filter((p) => opts.suites.get(p.major) === codename).map((p) => p.major),
      ...(apt ? { apt } : {}),
    };
  }
  doc.set("bases", doc.createNode(bases));
  if (opts.platforms) doc.set("platforms", doc.createNode(opts.platforms, { flow: true }));
  if (opts.withoutAttestations) doc.setIn(["build", "attest"], false);
  const catalogs = doc.get("catalogs") as { items?: unknown[] } | undefined;
  if (catalogs?.items)
    doc.set(
      "catalogs",
      doc.createNode(
        (doc.toJS().catalogs as string[]).map((c) => rebased(c, fromDir, toDir)),
        { flow: true },
      ),
    );
  // Its own output directory: the source's generated files are never touched.
  doc.set("output", ".");
  // The source's header describes the source; the derived file says what it is (and where the
  // schema is from its own directory).
  const first = (doc.contents as { items?: { key?: { commentBefore?: string } }[] } | null)?.items?.[0]?.key;
  const schema = /\$schema=(\S+)/.exec(`${doc.commentBefore ?? ""}\n${first?.commentBefore ?? ""}`)?.[1];
  if (first) first.commentBefore = undefined;
  doc.commentBefore =
    (schema ? ` yaml-language-server: $schema=${/^[a-z]+:/.test(schema) ? schema : rebased(schema.startsWith(".") ? schema : `./${schema}`, fromDir, toDir)}\n` : "") +
    ` Derived by \`pgbake derive --from-distro\` from ${relative(toDir, resolve(sourceFile)) || sourceFile}: rerun it rather than edit.\n` +
    ` PostgreSQL and every extension package come from Debian's suites (${kept.map((p) => `PG ${p.major} ${opts.suites.get(p.major)}`).join(", ")});\n` +
    " `pgbake update` fills each entry's `suites` versions from them.";
  return { text: doc.toString({ lineWidth: 0 }), dropped };
}

export const deriveCommand = {
  usage:
    "pgbake derive --from-distro --write FILE [--config pgbake.yaml] [--suite MAJOR=CODENAME]... [--base CODENAME=IMAGE]... [--mirror URL [--security-mirror URL]] [--platform P]... [--without-attestations] [--force]",
  summary:
    "write FILE: this config with PostgreSQL and extensions from Debian's own suites instead of PGDG (same catalogs, flavors and types; one base per suite: PG 15 bookworm, 17 trixie, 18 sid unless --suite says otherwise)",
  options: {
    "from-distro": { type: "boolean" },
    write: { type: "string" },
    suite: { type: "string", multiple: true },
    base: { type: "string", multiple: true },
    mirror: { type: "string" },
    "security-mirror": { type: "string" },
    platform: { type: "string", multiple: true },
    "without-attestations": { type: "boolean" },
    force: { type: "boolean" },
  } satisfies NonNullable<ParseArgsConfig["options"]>,
  run(v: Record<string, unknown>, paths: InputPaths, print: (s: string) => void): number {
    if (v["from-distro"] !== true) throw new UsageError("derive needs --from-distro (the only derivation so far)");
    const write = v.write as string | undefined;
    if (!write) throw new UsageError("derive needs --write FILE");
    const target = resolve(write);
    if (existsSync(target) && !v.force) throw new UsageError(`${write} exists: nothing written (--force replaces it)`);
    // The source must be a valid project first: its errors are reported at its own lines.
    const source = planFrom(paths).config.file;
    if (resolve(source) === target) throw new UsageError("--write must not be the source config");
    const { text, dropped } = deriveConfig(source, target, deriveOptions(v));
    writeFileWhole(target, text);
    // The result must be a valid project too; a broken one is removed, not left behind.
    let planned;
    try {
      planned = planFrom({ config: target, extensions: paths.extensions });
    } catch (err) {
      rmSync(target, { force: true });
      throw err;
    }
    for (const major of dropped) print(`note: PG ${major} left out: no Debian suite given for it (--suite ${major}=CODENAME)`);
    print(
      `${displayPath(target)}: ${planned.plan.operands.length} operand targets, ${planned.plan.extensionImages.length} extension images on ${planned.config.bases.map((b) => `${b.name} (PG ${(b.majors ?? []).join(", ")})`).join(", ")}`,
    );
    print("next: pgbake update --config " + write + " --only packages   # fill each entry's versions for these suites");
    return 0;
  },
};
