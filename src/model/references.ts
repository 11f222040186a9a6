// What a string of the inputs refers to, decided once for every stage: an image reference
// (registry, repository, tag, digest), a build context or file (a path on this machine or
// something buildx fetches), a host (this machine's loopback or not).

export interface ImageRef {
  /** As written, minus the digest. */
  name: string;
  registry: string;
  repository: string;
  /** The tag written, else `latest`. */
  tag: string;
  digest?: string;
  /** Registry and repository in full, the tag as written: `docker.io/library/debian:bookworm-slim`. */
  qualified: string;
}

/** Docker's reference rules: no registry host means Docker Hub, one-part names are `library/`. */
export function parseImageRef(ref: string): ImageRef {
  const [nameTag, digest] = ref.split("@") as [string, string | undefined];
  const slash = nameTag.indexOf("/");
  const first = slash > 0 ? nameTag.slice(0, slash) : "";
  const hasHost = slash > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasHost ? first : "docker.io";
  let rest = hasHost ? nameTag.slice(slash + 1) : nameTag;
  const colon = rest.lastIndexOf(":");
  const tag = colon > 0 ? rest.slice(colon + 1) : undefined;
  rest = colon > 0 ? rest.slice(0, colon) : rest;
  const repository = registry === "docker.io" && !rest.includes("/") ? `library/${rest}` : rest;
  return { name: nameTag, registry, repository, tag: tag ?? "latest", digest, qualified: `${registry}/${repository}${tag === undefined ? "" : `:${tag}`}` };
}

/**
 * A build context or file value that is a path on this machine, which the bake file anchors at its
 * own directory and buildx may need leave to read; not a URL, another target, an image or a git remote.
 */
export const isLocalPath = (value: string): boolean => !/^([a-z][a-z0-9+.-]*:\/\/|target:|docker-image:|git@)/.test(value);

/** A host (port allowed) on this machine's loopback: `localhost`, `127.x.x.x`, `[::1]`. */
export const isLoopbackHost = (host: string): boolean => /^(localhost|127(\.[0-9]+){3}|\[::1\])(:[0-9]+)?$/.test(host);

/** An http(s) URL whose host is on this machine's loopback. */
export const isLoopbackUrl = (url: string): boolean => {
  const host = /^https?:\/\/([^/?#]+)/.exec(url)?.[1];
  return host !== undefined && isLoopbackHost(host);
};
