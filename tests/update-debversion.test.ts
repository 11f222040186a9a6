// Debian version order against dpkg itself: real versions from this machine's apt lists (and
// the corner cases deb-version(7) names), each pair checked with `dpkg --compare-versions`.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { compareDebVersions, newestDebVersion, parseDebVersion } from "../src/update/debversion.js";

/** dpkg's order of each pair (-1, 0, 1): `dpkg --compare-versions` per pair, in one shell for all of them. */
function dpkgSays(pairs: [string, string][]): number[] {
  const script = 'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const out = execFileSync("sh", ["-c", script], { input: pairs.map(([a, b]) => `${a} ${b}\n`).join(""), encoding: "utf8", stdio: ["pipe", "pipe", "ignore"] });
  const signs = out.trim().split("\n").map(Number);
  expect(signs).toHaveLength(pairs.length);
  return signs;
}

/** The pairs on which our order and dpkg's differ. */
function disagreementsOn(pairs: [string, string][]): string[] {
  const dpkg = dpkgSays(pairs);
  return pairs.flatMap(([a, b], i) => {
    const ours = Math.sign(compareDebVersions(a, b));
    return ours === dpkg[i] ? [] : [`${a} vs ${b}: ours ${ours}, dpkg ${dpkg[i]}`];
  });
}

const corner = [
  "1.0",
  "1.0-1",
  "1.0~rc1-1",
  "1.0~~",
  "1.0~",
  "1.0a",
  "1.0+dfsg-1",
  "1.0.1",
  "1:0.9",
  "2:0.1",
  "0:1.0",
  "17.12-0+deb13u1",
  "17.12-1.pgdg13+1",
  "17.6-1.pgdg130+1",
  "19~beta3-1.pgdg13+1",
  "19~rc1-1",
  "19-1",
  "0.8.0-1",
  "0.8.1-2",
  "0.8.10-1",
  "1.6.5-1",
  "1.6.5-1+b1",
  "1.6.5-1build1",
  "10",
  "9",
  "1.0-0",
  "1.0-00",
  "a",
  "A",
  "1.0-a",
  "1.0-~",
  "1.0-+",
  "1.0-.",
];

function realVersions(): string[] {
  const out = execFileSync("apt-cache", ["dumpavail"], { encoding: "utf8", maxBuffer: 1 << 30 });
  const all = [...new Set([...out.matchAll(/^Version: (.+)$/gm)].map((m) => m[1]!))].sort();
  // A fixed spread through the sorted list: the same sample on the same lists.
  const step = Math.max(1, Math.floor(all.length / 120));
  return all.filter((_, i) => i % step === 0);
}

describe("Debian version comparison", () => {
  it("parses epoch, upstream and revision", () => {
    expect(parseDebVersion("1:2.3-4-5")).toEqual({ epoch: 1, upstream: "2.3-4", revision: "5" });
    expect(parseDebVersion("17.12")).toEqual({ epoch: 0, upstream: "17.12", revision: "" });
  });

  it("agrees with dpkg --compare-versions on corner cases, all pairs", () => {
    expect(disagreementsOn(corner.flatMap((a) => corner.map((b): [string, string] => [a, b])))).toEqual([]);
  });

  it("agrees with dpkg on real versions from the apt lists of this machine", () => {
    const versions = realVersions();
    expect(versions.length).toBeGreaterThan(60);
    // Each version against its neighbour and one far away: close pairs and distant ones.
    const pairs = versions.flatMap((a, i) => [i + 1, (i * 7 + 13) % versions.length].map((j): [string, string] => [a, versions[j % versions.length]!]));
    expect(disagreementsOn(pairs)).toEqual([]);
  });

  it("picks the newest", () => {
    expect(newestDebVersion(["17.9-1", "17.10-1", "17.10~rc1-1", "1:17.1-1"])).toBe("1:17.1-1");
    expect(newestDebVersion([])).toBeUndefined();
  });
});
