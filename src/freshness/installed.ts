// What a pushed image holds, read from the image itself through the local docker engine: an
// operand's dpkg database (dpkg-query in the image), an extension image's version records
// (licenses/<package>/version, which pgbake-collect.sh writes: a scratch image has no dpkg), and
// the layers of its base. An operand's SBOM attestation (`build.attest`), when the registry has
// one, is read first: it answers without starting the image.
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PgbakeError } from "../model/errors.js";
import { run } from "../model/process.js";

async function docker(args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const r = await run("docker", args);
  return { ok: r.exitCode === 0, stdout: r.stdout, stderr: r.stderr };
}

/** Pulls `image` for `platform`; false when the registry has no such tag, an error for anything else. */
export async function pull(image: string, platform: string): Promise<boolean> {
  const r = await docker(["pull", "--quiet", "--platform", platform, image]);
  if (r.ok) return true;
  if (/not found|manifest unknown|no matching manifest/i.test(r.stderr)) return false;
  throw new PgbakeError(`docker pull ${image}: ${r.stderr.trim().split("\n").at(-1)}`);
}

/** The digest the registry serves for an image's tag (an index digest when it is one), read with the engine's credentials. */
export async function pushedDigest(image: string): Promise<string> {
  const r = await docker(["buildx", "imagetools", "inspect", image, "--format", "{{json .Manifest}}"]);
  const digest = r.ok ? (JSON.parse(r.stdout) as { digest?: unknown }).digest : undefined;
  if (typeof digest !== "string") throw new PgbakeError(`docker buildx imagetools inspect ${image}: ${r.stderr.trim().split("\n").at(-1) || "no digest"}`);
  return digest;
}

/** Package -> version of what dpkg says is installed in an image that has dpkg. */
export async function dpkgInstalled(image: string): Promise<Map<string, string>> {
  const r = await docker(["run", "--rm", "--network", "none", "--user", "0", "--entrypoint", "dpkg-query", image, "-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Version}\n"]);
  if (!r.ok) throw new PgbakeError(`dpkg-query in ${image}: ${r.stderr.trim().split("\n").at(-1)}`);
  const out = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const [status, name, version] = line.split("\t");
    if (status?.startsWith("ii") && name && version) out.set(name.replace(/:.*$/, ""), version);
  }
  return out;
}

/** Package -> version recorded in an extension image's licenses/<package>/version files. */
export async function recordedPackages(image: string): Promise<Map<string, string>> {
  const created = await docker(["create", image, "/none"]);
  if (!created.ok) throw new PgbakeError(`docker create ${image}: ${created.stderr.trim().split("\n").at(-1)}`);
  const id = created.stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), "pgbake-outdated-"));
  try {
    const copied = await docker(["cp", `${id}:/licenses`, dir]);
    const out = new Map<string, string>();
    if (!copied.ok) return out;
    for (const pkg of readdirSync(join(dir, "licenses"))) {
      const file = join(dir, "licenses", pkg, "version");
      if (existsSync(file)) out.set(pkg, readFileSync(file, "utf8").trim());
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await docker(["rm", id]);
  }
}

/** The uncompressed layer digests of a local image, bottom first. */
export async function layers(image: string): Promise<string[]> {
  const r = await docker(["image", "inspect", "--format", "{{json .RootFS.Layers}}", image]);
  if (!r.ok) throw new PgbakeError(`docker image inspect ${image}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as string[];
}

/** Debian package -> version from an SPDX document's purls (`pkg:deb/debian/NAME@VERSION?...`). */
export function spdxDebPackages(spdx: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const packages = (spdx as { packages?: unknown } | undefined)?.packages;
  if (!Array.isArray(packages)) return out;
  for (const p of packages as { externalRefs?: { referenceLocator?: unknown }[] }[])
    for (const ref of p.externalRefs ?? []) {
      const m = typeof ref.referenceLocator === "string" ? /^pkg:deb\/[^/]+\/([^@?]+)@([^?#]+)/.exec(ref.referenceLocator) : null;
      if (m) out.set(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
    }
  return out;
}

/** The Debian packages an image's SBOM attestation lists for `platform`; undefined when it has none. */
export async function sbomPackages(image: string, platform: string): Promise<Map<string, string> | undefined> {
  const r = await docker(["buildx", "imagetools", "inspect", image, "--format", "{{json .SBOM}}"]);
  if (!r.ok || !r.stdout.trim() || r.stdout.trim() === "null") return undefined;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  // One platform: { SPDX }; several: { "<platform>": { SPDX } }.
  const entry = (data.SPDX ? data : data[platform]) as { SPDX?: unknown } | undefined;
  const found = spdxDebPackages(entry?.SPDX);
  return found.size > 0 ? found : undefined;
}
