// The decisions of `pgbake outdated` and `bake --outdated` on a real plan (the e2e config) with
// given readings: which installed versions are behind (within a pin, or a pin update would move),
// and which targets a finding rebuilds and whose apt steps it refreshes.
import { describe, expect, it } from "vitest";
import { behind, refreshSelection, type FreshnessReport, type ImageFreshness } from "../src/freshness/outdated.js";
import { spdxDebPackages } from "../src/freshness/installed.js";
import { e2ePlan } from "./helpers/e2e.js";

const at = (version: string, suite = "trixie", since?: string) => ({ version, from: `http://mirror ${suite}`, security: suite.endsWith("-security"), since });

describe("behind", () => {
  it("lists a newer version, marks a security suite, and keeps a pinned package within its pin", () => {
    const installed = new Map([
      ["libssl3t64", "3.5.9-1~deb13u1"],
      ["libzstd1", "1.5.7+dfsg-1"],
      ["postgresql-17", "17.12-0+deb13u1"],
      ["postgresql-17-pgvector", "0.8.0-1"],
    ]);
    const candidates = new Map([
      ["libssl3t64", [at("3.5.9-1~deb13u1"), at("3.5.10-1~deb13u1", "trixie-security", "Mon, 07 Dec 2026 10:00:00 UTC")]],
      ["libzstd1", [at("1.5.7+dfsg-1")]],
      ["postgresql-17", [at("17.12-0+deb13u1"), at("17.13-0+deb13u1", "trixie-security")]],
      ["postgresql-17-pgvector", [at("0.8.0-1"), at("0.8.0-2", "trixie-updates")]],
    ]);
    const pins = new Map([
      ["postgresql-17", /^17\.12-.*$/],
      ["postgresql-17-pgvector", /^0\.8\.0-.*$/],
    ]);
    const r = behind(installed, candidates, pins);
    expect(r.packages).toEqual([
      { name: "libssl3t64", installed: "3.5.9-1~deb13u1", available: "3.5.10-1~deb13u1", from: "http://mirror trixie-security", security: true, since: "Mon, 07 Dec 2026 10:00:00 UTC" },
      { name: "postgresql-17-pgvector", installed: "0.8.0-1", available: "0.8.0-2", from: "http://mirror trixie-updates", security: false, since: undefined },
    ]);
    expect(r.pins).toEqual([{ name: "postgresql-17", pin: "17.12-*", newest: "17.13-0+deb13u1" }]);
  });

  it("finds nothing when the installed versions are the newest (an older one served is no news)", () => {
    const r = behind(new Map([["libh3-1", "4.1.0-2"]]), new Map([["libh3-1", [at("4.0.0-1"), at("4.1.0-2")]]]), new Map());
    expect(r).toEqual({ packages: [], pins: [] });
  });
});

describe("refreshSelection on the e2e plan", () => {
  const { plan } = e2ePlan();
  const finding = (target: string, pkg: string, own: boolean): ImageFreshness => ({
    target,
    kind: target.startsWith("postgresql") ? "operand" : "extension",
    image: `localhost:5000/${target}`,
    digest: `sha256:${"0".repeat(64)}`,
    packages: [{ name: pkg, installed: "1", available: "2", from: "x", security: false }],
    pins: [],
    ownPackages: own ? [pkg] : [],
  });
  const report = (images: ImageFreshness[]): FreshnessReport => ({ images, absent: [], notes: [] });

  it("an extension image's own package: that image and the operands that copy from it, its apt step refreshed", () => {
    const sel = refreshSelection(plan, report([finding("h3-17-trixie", "libh3-1", true)]));
    const holders = plan.operands.filter((o) => Object.values(o.contexts).includes("target:h3-17-trixie")).map((o) => o.name);
    expect(holders.length).toBeGreaterThan(0);
    expect(sel.build.sort()).toEqual(["h3-17-trixie", ...holders].sort());
    expect([...sel.refresh]).toEqual([["h3-17-trixie", "libh3-1=2"]]);
  });

  it("an operand's runtime package: the runtime is refreshed, so every image of its major and base is built", () => {
    const op = plan.operands.find((o) => o.major === 17 && o.flavor === "base")!;
    const sel = refreshSelection(plan, report([finding(op.name, "libc6", false)]));
    const onRuntime = [...plan.extensionImages, ...plan.operands].filter((t) => t.runtimeTarget === op.runtimeTarget).map((t) => t.name);
    expect(sel.build.sort()).toEqual(onRuntime.sort());
    expect([...sel.refresh.keys()]).toEqual([op.runtimeTarget]);
  });

  it("nothing behind builds nothing", () => {
    expect(refreshSelection(plan, report([{ ...finding("h3-17-trixie", "x", true), packages: [], ownPackages: [] }]))).toEqual({ refresh: new Map(), build: [] });
  });
});

describe("bad input", () => {
  it("exits 2 naming the problem, before reading any image", async () => {
    const { pgbakeInProcess } = await import("./helpers/cli-in-process.js");
    const { e2eConfig, e2eExtensions } = await import("./helpers/e2e.js");
    const paths = ["--config", e2eConfig, "--extensions", e2eExtensions];
    const timeout = await pgbakeInProcess(["outdated", ...paths, "--timeout", "soon"]);
    expect([timeout.exitCode, timeout.stderr]).toEqual([2, expect.stringContaining("--timeout takes a number of seconds")]);
    const target = await pgbakeInProcess(["bake", "--outdated", ...paths, "h3-17-trixie"]);
    expect([target.exitCode, target.stderr]).toEqual([2, expect.stringContaining("--outdated chooses the targets itself")]);
    const missing = await pgbakeInProcess(["outdated", "--config", "/nonexistent/pgbake.yaml"]);
    expect(missing.exitCode).toBe(2);
  });
});

describe("an SBOM attestation's packages", () => {
  it("are the Debian purls of its SPDX document, name and version unescaped; other ecosystems ignored", () => {
    const spdx = {
      spdxVersion: "SPDX-2.3",
      packages: [
        { name: "libssl3t64", versionInfo: "3.5.9-1~deb13u1", externalRefs: [{ referenceType: "purl", referenceLocator: "pkg:deb/debian/libssl3t64@3.5.9-1~deb13u1?arch=amd64&distro=debian-13" }] },
        { name: "passwd", externalRefs: [{ referenceType: "purl", referenceLocator: "pkg:deb/debian/passwd@1%3A4.17.4-2?arch=amd64" }] },
        { name: "left-pad", externalRefs: [{ referenceType: "purl", referenceLocator: "pkg:npm/left-pad@1.3.0" }] },
        { name: "no refs" },
      ],
    };
    expect([...spdxDebPackages(spdx)]).toEqual([
      ["libssl3t64", "3.5.9-1~deb13u1"],
      ["passwd", "1:4.17.4-2"],
    ]);
    expect(spdxDebPackages(undefined).size).toBe(0);
  });
});
