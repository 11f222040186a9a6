// What each schema pattern means, in words: "does not match ^[a-z][a-z0-9]*...$" tells a user
// little, "expected a lowercase name such as 'my-base'" tells them what to write.
const phrases: Record<string, string> = {
  "^[0-9]{2}(\\.[0-9]+)?(~(alpha|beta|rc)[0-9]+)?$": "a PostgreSQL version such as '17.6' or '19~beta3'",
  "^[A-Za-z0-9._/-]+$": "a relative path of letters, digits, '.', '_', '/' and '-'",
  "^[A-Za-z0-9_.{}-]+$": "a tag template of letters, digits, '.', '_', '-' and {placeholders}",
  "^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$": "an image repository such as 'postgresql' or 'team/postgresql'",
  "^[a-z0-9][a-z0-9.+-]*$": "a Debian package name such as 'libssl3'",
  "^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(/[a-z0-9._-]+)*$": "a registry such as 'localhost:5000' or 'ghcr.io/me'",
  "^[a-z0-9][a-z0-9._-]*(:[0-9]+)?(/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$":
    "an image reference such as 'debian:bookworm-slim' or 'debian@sha256:<64 lowercase hex digits>'",
  "^[a-z][a-z0-9]*(-[a-z0-9]+)*$": "a lowercase name such as 'bookworm' or 'my-base' (letters, digits, single '-')",
  "^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$": "an extension name such as 'pg_cron' or 'pgvector' (lowercase, digits, '_', single '-')",
  "^linux/(amd64|arm64|arm/v6|arm/v7|ppc64le|s390x|386|riscv64)$": "a platform: linux/amd64, linux/arm64, linux/arm/v6, linux/arm/v7, linux/ppc64le, linux/s390x, linux/386 or linux/riscv64",
  "^((https|git)://[A-Za-z0-9.-]+(:[0-9]+)?/[A-Za-z0-9._~/-]+|\\.{0,2}/?[A-Za-z0-9._/-]+)$": "an https:// or git:// URL or a local path (letters, digits, '.', '_', '~', '/', '-')",
  "^[0-9A-Za-z][0-9A-Za-z.+~_-]*$": "a version such as '1.2.3' or '2.0~rc1' (letters, digits, '.', '+', '~', '_', '-')",
  "^([0-9]+:)?[0-9A-Za-z{}.+~*_-]+$": "an apt version pattern such as '{version}-*' or '1:{version}-*'",
  "^[0-9]+\\.[0-9]+\\.[0-9]+$": "a version such as '0.16.1'",
  "^[0-9]{2}$": "a two-digit PostgreSQL major such as '17'",
  "^[A-Za-z0-9][A-Za-z0-9.+ ()-]*$": "an SPDX license expression such as 'MIT' or 'Apache-2.0'",
  "^[A-Za-z0-9][A-Za-z0-9._-]*$": "a file name of letters, digits, '.', '_' and '-'",
  "^[A-Za-z0-9][A-Za-z0-9._/-]*$": "a git ref or path of letters, digits, '.', '_', '/' and '-'",
  "^[A-Za-z0-9_$-]+$": "a library name of letters, digits, '_', '$' and '-'",
  "^[a-z0-9][a-z0-9.+-]*(\\{major\\}[a-z0-9.+-]*)*$": "a Debian package name, {major} allowed, such as 'postgresql-{major}-pgvector'",
  "^\\./[A-Za-z0-9._/-]*$": "a Go package path starting with './'",
  "^https?://[^\\s]+$": "an http(s):// URL without spaces",
};

/** The user's value, quoted so that control characters and escapes print visibly and on one line. */
export function shown(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return typeof value === "string" ? JSON.stringify(short) : short;
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${shown(value)}`;
}

export function expectedForPattern(pattern: string, value: unknown): string {
  const what = phrases[pattern] ?? `a value matching ${pattern}`;
  let hint = "";
  if (typeof value === "string" && value.includes("@") && pattern.includes("@sha256")) hint = " (a digest is '@sha256:' and 64 lowercase hex digits)";
  // Package names take {major} only: a typo such as {majr} is the likely mistake, say so.
  const unknown = typeof value === "string" && pattern.includes("\\{major\\}") ? [...value.matchAll(/\{([^}]*)\}/g)].find((m) => m[1] !== "major") : undefined;
  if (unknown) hint = ` (unknown placeholder {${unknown[1]}}: the only one is {major})`;
  return `expected ${what}, got ${shown(value)}${hint}`;
}
