// The helpers that each stand for one meaning several stages used to decide on their own: what
// an image reference names, whether a context is a local path, whether a host is this machine's
// loopback, and which extensions a request pulls in through `requires`.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { selectExtensions, withRequirements } from "../src/model/compat.js";
import { isLocalPath, isLoopbackHost, isLoopbackUrl, parseImageRef } from "../src/model/references.js";
import { baseReference } from "../src/plan/metadata.js";
import { registryBase } from "../src/update/registry.js";
import { writeFileWhole } from "../src/write/whole.js";
import { markdownCell } from "../src/model/markdown.js";

describe("parseImageRef", () => {
  it.each([
    ["debian:bookworm-slim", { registry: "docker.io", repository: "library/debian", tag: "bookworm-slim", qualified: "docker.io/library/debian:bookworm-slim" }],
    ["debian", { registry: "docker.io", repository: "library/debian", tag: "latest", qualified: "docker.io/library/debian" }],
    ["me/pg:17", { registry: "docker.io", repository: "me/pg", tag: "17", qualified: "docker.io/me/pg:17" }],
    ["localhost:5000/debian:trixie", { registry: "localhost:5000", repository: "debian", tag: "trixie", qualified: "localhost:5000/debian:trixie" }],
    ["ghcr.io/org/team/img", { registry: "ghcr.io", repository: "org/team/img", tag: "latest", qualified: "ghcr.io/org/team/img" }],
    ["registry:5000/img:1", { registry: "registry:5000", repository: "img", tag: "1", qualified: "registry:5000/img:1" }],
  ])("%s", (ref, expected) => {
    expect(parseImageRef(ref)).toEqual({ name: ref, digest: undefined, ...expected });
  });

  it("splits the digest off, and the plan's base labels take name and digest from it", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const ref = parseImageRef(`localhost:5000/debian:trixie@${digest}`);
    expect(ref).toMatchObject({ name: "localhost:5000/debian:trixie", tag: "trixie", digest });
    expect(baseReference(`debian:bookworm-slim@${digest}`)).toEqual({ name: "docker.io/library/debian:bookworm-slim", digest });
  });
});

describe("isLocalPath", () => {
  it("is a path, relative or absolute, and nothing buildx fetches or builds itself", () => {
    for (const p of ["dockerfiles/ext", "./ctx", "../up", "/abs/dir", "ctx:with-colon"]) expect(isLocalPath(p), p).toBe(true);
    for (const v of ["target:runtime-17-trixie", "docker-image://debian:trixie", "https://example.org/x.tar", "git://host/repo", "git@github.com:o/r.git", "oci-layout:///x"])
      expect(isLocalPath(v), v).toBe(false);
  });
});

describe("loopback", () => {
  it("isLoopbackHost: localhost, 127.0.0.0/8 and [::1], with or without a port; nothing else", () => {
    for (const h of ["localhost", "localhost:5000", "127.0.0.1", "127.1.2.3:8080", "[::1]", "[::1]:5000"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["ghcr.io", "localhost.example.org", "127.0.0.1.nip.io", "10.0.0.1:5000", "my-localhost", "128.0.0.1"]) expect(isLoopbackHost(h), h).toBe(false);
  });

  it("isLoopbackUrl reads the URL's host", () => {
    expect(isLoopbackUrl("http://127.0.0.1:8080/debian")).toBe(true);
    expect(isLoopbackUrl("https://localhost")).toBe(true);
    expect(isLoopbackUrl("http://deb.debian.org/debian")).toBe(false);
    expect(isLoopbackUrl("http://localhost.evil.example/debian")).toBe(false);
    expect(isLoopbackUrl("file:///srv/127.0.0.1")).toBe(false);
  });

  it("a registry on the loopback is spoken to in plain http, any other in https", () => {
    expect(registryBase("127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
    expect(registryBase("localhost:5000")).toBe("http://localhost:5000");
    expect(registryBase("ghcr.io")).toBe("https://ghcr.io");
    expect(registryBase("docker.io")).toBe("https://registry-1.docker.io");
  });
});

describe("withRequirements", () => {
  const catalog = new Map(Object.entries({ a: ["b", "c"], b: ["c"], c: [], d: ["a"], e: ["ghost"] }).map(([name, requires]) => [name, { requires }]));

  it("puts every requirement before what requires it, each once, naming the first that pulled it in", () => {
    expect(withRequirements(["d", "b"], catalog)).toEqual([
      { name: "c", requiredBy: "b" },
      { name: "b", requiredBy: "a" },
      { name: "a", requiredBy: "d" },
      { name: "d", requiredBy: undefined },
    ]);
  });

  it("leaves out names the catalog does not hold (validation reports them)", () => {
    expect(withRequirements(["e", "nowhere"], catalog)).toEqual([{ name: "e", requiredBy: undefined }]);
  });

  it("is what selectExtensions keeps before anything is dropped", () => {
    const specs = new Map([...catalog].filter(([n]) => n !== "e").map(([name, { requires }]) => [name, { name, requires, kind: "package", shared_preload_libraries: [] } as never]));
    const slot = { major: 17, preview: false, base: "trixie", platforms: ["linux/amd64"] };
    expect(selectExtensions(["d"], specs, slot)).toEqual({ kept: withRequirements(["d"], specs), excluded: [] });
  });
});

describe("writeFileWhole", () => {
  it("replaces a file through a rename and leaves nothing beside it; a failed write keeps the old state", () => {
    const dir = mkdtempSync(join(tmpdir(), "pgbake-whole-"));
    try {
      const file = join(dir, "sub", "pgbake.yaml");
      writeFileWhole(file, "a: 1\n");
      writeFileWhole(file, "a: 2\n");
      expect([readFileSync(file, "utf8"), readdirSync(join(dir, "sub"))]).toEqual(["a: 2\n", ["pgbake.yaml"]]);
      mkdirSync(join(dir, "taken"));
      writeFileSync(join(dir, "taken", "x"), "");
      expect(() => writeFileWhole(join(dir, "taken"), "b: 1\n")).toThrow();
      expect(readdirSync(dir).sort()).toEqual(["sub", "taken"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("markdownCell", () => {
  it("keeps a value in its cell and its row: pipes escaped, newline a space, control characters visible", () => {
    expect(markdownCell("a|b\nc\u001b[31m")).toBe("a\\|b c\\u001b[31m");
    expect(markdownCell("plain 1.2.3")).toBe("plain 1.2.3");
  });
});
