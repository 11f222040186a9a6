// This machine's own Debian mirror, derived at run time from its apt sources (as
// scripts/e2e/lib.sh does): no mirror host name is ever written into the repository.
import { readFileSync } from "node:fs";

export const hostSources = process.env.PGBAKE_E2E_HOST_SOURCES ?? "/etc/apt/sources.list.d/debian.sources";

export interface DerivedSource {
  uri: string;
  suites: string[];
}

/** The deb822 stanzas of the host's debian.sources with every `bookworm[-x]` suite renamed to `codename[-x]`. */
export function derivedSources(codename: string): DerivedSource[] {
  const out: DerivedSource[] = [];
  for (const stanza of readFileSync(hostSources, "utf8").split(/\n\s*\n/)) {
    const lines = stanza.split("\n").filter((l) => !/^\s*#/.test(l));
    const field = (name: string): string[] =>
      lines
        .find((l) => l.startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim()
        .split(/\s+/) ?? [];
    const uri = field("URIs")[0];
    const suites = field("Suites")
      .filter((s) => /^bookworm(-|$)/.test(s))
      .map((s) => s.replace(/^bookworm/, codename));
    if (uri && suites.length > 0) out.push({ uri, suites });
  }
  return out;
}

/** Derived sources, keeping only suites the mirror has (sid has no sid-updates or sid-security). */
export async function existingSources(codename: string): Promise<DerivedSource[]> {
  const out: DerivedSource[] = [];
  for (const s of derivedSources(codename)) {
    const suites: string[] = [];
    for (const suite of s.suites) {
      const res = await fetch(`${s.uri.replace(/\/$/, "")}/dists/${suite}/InRelease`, { method: "HEAD" });
      if (res.ok) suites.push(suite);
    }
    if (suites.length > 0) out.push({ uri: s.uri, suites });
  }
  return out;
}

/** The first URI of the host's main Debian stanza (the one carrying plain `bookworm`). */
export function mainMirror(): string {
  return derivedSources("bookworm").find((s) => s.suites.includes("bookworm"))!.uri;
}
