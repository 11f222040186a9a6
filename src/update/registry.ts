// The current digest of an image tag, over the OCI distribution API: HEAD (then GET) on
// /v2/<repository>/manifests/<tag> accepting index and manifest types; on 401 the anonymous
// Bearer token flow that WWW-Authenticate describes (Docker Hub, GHCR, most registries).
import { UpdateError } from "./errors.js";
import { fetchBounded, type NetworkBudget } from "./http.js";
import { isLoopbackHost, type ImageRef } from "../model/references.js";

export { parseImageRef, type ImageRef } from "../model/references.js";

const manifestTypes = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Registry API host; plain http for a registry on this machine, as docker allows. */
export function registryBase(registry: string): string {
  if (registry === "docker.io") return "https://registry-1.docker.io";
  return `${isLoopbackHost(registry) ? "http" : "https"}://${registry}`;
}

/** Manifests and tokens are small: anything larger is not one. */
const MAX_BODY = 4 << 20;

interface Answer {
  ok: boolean;
  status: number;
  headers: Headers;
  body: Buffer;
}

async function request(url: string, init: RequestInit, budget: NetworkBudget): Promise<Answer> {
  const res = await fetchBounded(url, budget, MAX_BODY, init);
  if (!res) return { ok: false, status: 404, headers: new Headers(), body: Buffer.alloc(0) };
  return { ...res, ok: res.status >= 200 && res.status <= 299 };
}

/** `Bearer realm="...",service="...",scope="..."` -> an anonymous token. */
async function anonymousToken(challenge: string, url: string, budget: NetworkBudget): Promise<string> {
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  if (!/^Bearer\b/i.test(challenge) || !params.realm) throw new UpdateError(url, `needs credentials (${challenge || "401 without a challenge"})`);
  const tokenUrl = new URL(params.realm);
  if (params.service) tokenUrl.searchParams.set("service", params.service);
  if (params.scope) tokenUrl.searchParams.set("scope", params.scope);
  const res = await request(tokenUrl.href, {}, budget);
  if (!res.ok) throw new UpdateError(tokenUrl.href, `token request: HTTP ${res.status}`);
  let body: { token?: unknown; access_token?: unknown };
  try {
    body = JSON.parse(res.body.toString("utf8")) as typeof body;
  } catch {
    throw new UpdateError(tokenUrl.href, "token response is not JSON");
  }
  const token = typeof body?.token === "string" ? body.token : typeof body?.access_token === "string" ? body.access_token : undefined;
  if (!token) throw new UpdateError(tokenUrl.href, "token response without a token");
  return token;
}

/** The digest the registry serves for the reference's tag (an index digest for multi-platform images). */
export async function tagDigest(ref: ImageRef, budget: NetworkBudget): Promise<string> {
  const url = `${registryBase(ref.registry)}/v2/${ref.repository}/manifests/${ref.tag}`;
  const headers: Record<string, string> = { Accept: manifestTypes };
  let res = await request(url, { method: "HEAD", headers }, budget);
  if (res.status === 401) {
    headers.Authorization = `Bearer ${await anonymousToken(res.headers.get("www-authenticate") ?? "", url, budget)}`;
    res = await request(url, { method: "HEAD", headers }, budget);
  }
  let digest = res.ok ? res.headers.get("docker-content-digest") : null;
  if (res.ok && !digest) {
    // Some registries leave the header off HEAD: the digest of the manifest body is the same.
    const body = await request(url, { method: "GET", headers }, budget);
    const { createHash } = await import("node:crypto");
    digest = `sha256:${createHash("sha256").update(body.body).digest("hex")}`;
  }
  if (res.status === 404) throw new UpdateError(url, `no tag '${ref.tag}' in ${ref.registry}/${ref.repository}`);
  if (!res.ok || !digest) throw new UpdateError(url, `HTTP ${res.status}`);
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new UpdateError(url, `unexpected digest '${digest}'`);
  return digest;
}
