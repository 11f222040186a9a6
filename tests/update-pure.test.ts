// The pure parts of `pgbake update`, in-process: which YAML edits make each major get the version
// the indexes offer, how many targets a pin change rebuilds, and the small readers and checks the
// network code leans on (Packages indexes, architectures, tag order, upstream values' fit).
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { versionFor } from "../src/model/compat.js";
import type { ExtensionSpec, Plan } from "../src/model/types.js";
import { debianArch, decompress, parsePackages } from "../src/update/apt-index.js";
import { matchingNewestFirst } from "../src/update/git-tags.js";
import { mib } from "../src/update/http.js";
import { versionEdits } from "../src/update/pins.js";
import { affectedTargets } from "../src/update/rebuilds.js";
import { extensionVersionFits, pgVersionFits, shownValue, sourceTagFits } from "../src/update/upstream.js";
import { applyEdits } from "../src/update/yaml-edit.js";

/** The two fields versionFor reads, as the loader gives them from an extension file's text. */
function specOf(yamlText: string): ExtensionSpec {
  const data = parse(yamlText) as { version: string; versions?: Record<string, string> };
  return { version: String(data.version), versions_by_major: Object.fromEntries(Object.entries(data.versions ?? {}).map(([k, v]) => [k, String(v)])) } as ExtensionSpec;
}

function fileText(version: string, versions: Record<string, string>): string {
  const own = Object.entries(versions);
  return [`name: acme`, `version: '${version}'`, ...(own.length > 0 ? ["versions:", ...own.map(([m, v]) => `  '${m}': '${v}'`)] : []), "kind: package", ""].join("\n");
}

describe("versionEdits", () => {
  it("moves the shared version when every major sharing it agrees, and touches nothing else", () => {
    const ext = specOf(fileText("1.0", { "15": "0.9" }));
    expect(
      versionEdits(
        ext,
        new Map([
          [16, "1.1"],
          [17, "1.1"],
        ]),
      ),
    ).toEqual([{ path: ["version"], value: "1.1" }]);
    expect(
      versionEdits(
        ext,
        new Map([
          [15, "0.9"],
          [16, "1.0"],
          [17, "1.0"],
        ]),
      ),
    ).toEqual([]);
  });

  it("changes a major's own entry in versions, not the shared version", () => {
    const ext = specOf(fileText("1.0", { "15": "0.9" }));
    expect(
      versionEdits(
        ext,
        new Map([
          [15, "0.9.1"],
          [17, "1.0"],
        ]),
      ),
    ).toEqual([{ path: ["versions", "15"], value: "0.9.1" }]);
  });

  it("when majors sharing version disagree, version follows the newest major and the others get entries", () => {
    const ext = specOf(fileText("1.0", {}));
    expect(
      versionEdits(
        ext,
        new Map([
          [16, "1.0"],
          [17, "1.2"],
        ]),
      ),
    ).toEqual([
      { path: ["version"], value: "1.2" },
      { path: ["versions", "16"], value: "1.0", after: "version" },
    ]);
  });

  it("applied to the file, makes versionFor give every major what was wanted (any file, any wanted versions)", () => {
    const version = fc.constantFrom("1.0", "1.1", "2.0");
    const majors = fc.uniqueArray(fc.integer({ min: 13, max: 19 }), { minLength: 1, maxLength: 5 }).map((ms) => ms.sort((a, b) => a - b));
    fc.assert(
      fc.property(version, fc.dictionary(fc.constantFrom("13", "15", "17", "19"), version), majors, fc.array(version, { minLength: 5, maxLength: 5 }), (shared, own, ms, picks) => {
        const text = fileText(shared, own);
        const ext = specOf(text);
        // findPinChanges asks with the majors in ascending order.
        const wanted = new Map(ms.map((m, i) => [m, picks[i]!]));
        const edits = versionEdits(ext, wanted);
        const after = specOf(applyEdits(text, edits));
        for (const [m, v] of wanted) expect(versionFor(after, m), `PG ${m}`).toBe(v);
        // Nothing wanted already: no edit at all.
        if ([...wanted].every(([m, v]) => versionFor(ext, m) === v)) expect(edits).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("affectedTargets", () => {
  // Two runtimes; on the PG 17 one, images of extensions a and b; operands copying from them.
  const plan = {
    runtimes: [
      { name: "runtime-17-trixie", major: 17, base: "trixie" },
      { name: "runtime-16-trixie", major: 16, base: "trixie" },
    ],
    extensionImages: [
      { name: "a-17-trixie", major: 17, base: "trixie", extension: "a", runtimeTarget: "runtime-17-trixie" },
      { name: "b-17-trixie", major: 17, base: "trixie", extension: "b", runtimeTarget: "runtime-17-trixie" },
      { name: "a-16-trixie", major: 16, base: "trixie", extension: "a", runtimeTarget: "runtime-16-trixie" },
    ],
    operands: [
      { name: "pg-a-17", major: 17, base: "trixie", contexts: { runtime: "target:runtime-17-trixie", "ext-a": "target:a-17-trixie" } },
      { name: "pg-b-17", major: 17, base: "trixie", contexts: { runtime: "target:runtime-17-trixie", "ext-b": "target:b-17-trixie" } },
      { name: "pg-16", major: 16, base: "trixie", contexts: { runtime: "target:runtime-16-trixie" } },
    ],
  } as unknown as Plan;

  it("an extension's pin rebuilds its images and the operands that copy from them, not the runtime", () => {
    expect(affectedTargets(plan, { extension: "a", major: 17 })).toBe(2); // a-17-trixie, pg-a-17
    expect(affectedTargets(plan, { extension: "a" })).toBe(3); // both a images, pg-a-17
    expect(affectedTargets(plan, { extension: "b" })).toBe(2);
  });

  it("a PostgreSQL minor or a base rebuilds the runtimes and everything built on them", () => {
    expect(affectedTargets(plan, { major: 17 })).toBe(5);
    expect(affectedTargets(plan, { major: 16 })).toBe(3);
    expect(affectedTargets(plan, { base: "trixie" })).toBe(8);
    expect(affectedTargets(plan, { base: "bookworm" })).toBe(0);
  });
});

describe("apt index reading", () => {
  it("parsePackages keeps every version of every package, across stanzas and CRLF blank lines", () => {
    const text = [
      "Package: postgresql-17",
      "Version: 17.6-1.pgdg13+1",
      "Architecture: amd64",
      "",
      "Package: postgresql-17-pgvector",
      "Description: x",
      "Version: 0.8.1-2.pgdg13+1",
      "\r",
      "Package: postgresql-17",
      "Version: 17.5-1.pgdg13+1",
      "",
      "Package: no-version-here",
      "",
      "Version: 1.0",
      "",
    ].join("\n");
    expect(Object.fromEntries(parsePackages(text))).toEqual({
      "postgresql-17": ["17.6-1.pgdg13+1", "17.5-1.pgdg13+1"],
      "postgresql-17-pgvector": ["0.8.1-2.pgdg13+1"],
    });
  });

  it("decompress: gzip and xz up to the limit; a bomb, a truncated file or a non-index is one message naming the URL", () => {
    const text = Buffer.from("Package: a\nVersion: 1\n\n".repeat(1000));
    const xz = execFileSync("xz", ["--compress", "--stdout"], { input: text });
    expect(decompress("http://m/Packages.gz", gzipSync(text))).toEqual(text);
    expect(decompress("http://m/Packages.xz", xz)).toEqual(text);
    expect(decompress("http://m/Packages", text)).toBe(text);
    const bomb = gzipSync(Buffer.alloc(3 << 20));
    expect(() => decompress("http://m/Packages.gz", bomb, 1 << 20)).toThrow("http://m/Packages.gz: is more than 1 MiB once decompressed");
    expect(() => decompress("http://m/Packages.xz", execFileSync("xz", ["--compress", "--stdout"], { input: Buffer.alloc(3 << 20) }), 1 << 20)).toThrow(
      "http://m/Packages.xz: is more than 1 MiB once decompressed",
    );
    expect(() => decompress("http://m/Packages.gz", gzipSync(text).subarray(0, 40))).toThrow(/Packages\.gz: is not a whole gzip file/);
    expect(() => decompress("http://m/Packages.xz", xz.subarray(0, 40))).toThrow(/Packages\.xz: is not a whole xz file/);
    expect(() => decompress("http://m/Packages.xz", text)).toThrow(/Packages\.xz: is not a whole xz file/);
  });

  it("debianArch names platforms as Debian's archive does", () => {
    expect(["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386", "linux/ppc64le", "linux/s390x"].map(debianArch)).toEqual([
      "amd64",
      "arm64",
      "armhf",
      "armel",
      "i386",
      "ppc64el",
      "s390x",
    ]);
  });
});

describe("git tags", () => {
  it("matchingNewestFirst orders by version (not text), pre-releases before their release, drops tags without digits", () => {
    const tags = ["v1.10.0", "v1.9.0", "v1.10.0-rc1", "v2.0.0-beta", "latest", "other-3.0"].map((tag, i) => ({ tag, commit: String(i).repeat(40) }));
    expect(matchingNewestFirst(tags, "v*").map((t) => t.tag)).toEqual(["v2.0.0-beta", "v1.10.0", "v1.10.0-rc1", "v1.9.0"]);
    expect(matchingNewestFirst(tags, "v1.?.*").map((t) => t.tag)).toEqual(["v1.9.0"]);
  });
});

describe("upstream values against the schema", () => {
  it("a value fits the field it goes into, or the reason says which rule it breaks", () => {
    expect(pgVersionFits()("17.6")).toBeUndefined();
    expect(pgVersionFits()("19~beta3")).toBeUndefined();
    expect(pgVersionFits()("17.6; rm -rf /")).toMatch(/not of the form/);
    expect(extensionVersionFits()("1.0+dfsg")).toBeUndefined();
    expect(extensionVersionFits()("1".repeat(65))).toMatch(/65 characters, more than the 64/);
    expect(sourceTagFits()("release/v1.2")).toBeUndefined();
    expect(sourceTagFits()("-rf")).toMatch(/not of the form/);
  });

  it("shownValue quotes, makes control characters visible and cuts long values", () => {
    expect(shownValue("v1.0")).toBe("'v1.0'");
    expect(shownValue("a\nb")).not.toContain("\n");
    expect(shownValue("x".repeat(50))).toBe(`'${"x".repeat(40)}...'`);
  });

  it("mib gives bytes below a MiB and tenths of MiB above", () => {
    expect(mib(1023)).toBe("1023 bytes");
    expect(mib(3 * 1024 * 1024 + 300 * 1024)).toBe("3.3 MiB");
  });
});
