// Debian version comparison, as dpkg does it (lib/dpkg/version.c, deb-version(7)): epoch, then
// upstream version, then revision, each compared by alternating non-digit and digit runs where
// `~` sorts before everything, even the end of the string, and letters before other characters.

export interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export function parseDebVersion(version: string): DebVersion {
  const v = version.trim();
  const colon = v.indexOf(":");
  const epoch = colon > 0 ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf("-");
  return dash >= 0
    ? { epoch: Number.isFinite(epoch) ? epoch : 0, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) }
    : { epoch: Number.isFinite(epoch) ? epoch : 0, upstream: rest, revision: "" };
}

const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);

/** dpkg's order(): `~` first, then the end of a part, then letters, then everything else. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isLetter(c)) return c.charCodeAt(0);
  if (c === "~") return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: compares an upstream version or a revision. */
export function compareVersionPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i]!)) || (j < b.length && !isDigit(b[j]!))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    while (i < a.length && isDigit(a[i]!) && j < b.length && isDigit(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a[i]!)) return 1;
    if (j < b.length && isDigit(b[j]!)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Negative, zero or positive, as `dpkg --compare-versions a lt|eq|gt b`. */
export function compareDebVersions(a: string, b: string): number {
  const va = parseDebVersion(a);
  const vb = parseDebVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch - vb.epoch;
  const up = compareVersionPart(va.upstream, vb.upstream);
  if (up !== 0) return Math.sign(up);
  return Math.sign(compareVersionPart(va.revision, vb.revision));
}

/** The newest of some versions (undefined for none). */
export function newestDebVersion(versions: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const v of versions) if (best === undefined || compareDebVersions(v, best) > 0) best = v;
  return best;
}
