// The pure parts of verify/ a CI job or a user reads: the JUnit XML of `pgbake test --report`
// (what CI test reporters parse, so it must stay well-formed whatever a check's name, detail or
// server log holds) and the image an `--upgrade-from` value names.
import { describe, expect, it } from "vitest";
import { junitXml } from "../src/verify/report.js";
import type { TestRun } from "../src/verify/results.js";
import { upgradeSource } from "../src/verify/upgrade.js";

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const decode = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => entities[e]!);

/**
 * A strict reading of the XML subset junitXml writes (declaration, elements, double-quoted
 * attributes, text): throws where an XML parser would (an unescaped `<`, `&` or `"`, a character
 * XML 1.0 forbids, an unclosed or mismatched tag, more than one root), else the tree as a reader
 * gets it: entities decoded, whitespace in attribute values made spaces.
 */
function parseXml(xml: string): XmlElement {
  // oxlint-disable-next-line no-control-regex -- the characters XML 1.0 does not allow
  const forbidden = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(xml);
  if (forbidden) throw new Error(`character U+${forbidden[0].codePointAt(0)!.toString(16)} is not allowed in XML`);
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, "");
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>|([^<]+)/gy;
  const root: XmlElement = { name: "", attributes: {}, children: [], text: "" };
  const stack = [root];
  let at = 0;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    at = token.lastIndex;
    const top = stack.at(-1)!;
    const [, closing, name, attrs, selfClosing, text] = m;
    if (text !== undefined) {
      if (/&(?!(?:amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`a bare & in the text ${JSON.stringify(text)}`);
      if (stack.length === 1 && text.trim() !== "") throw new Error(`text outside the root element: ${JSON.stringify(text)}`);
      top.text += decode(text);
    } else if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      // A literal tab, newline or return in an attribute value reaches the reader as a space.
      const attributes = Object.fromEntries([...attrs!.matchAll(/([\w.-]+)="([^"]*)"/g)].map(([, k, v]) => [k!, decode(v!.replace(/[\t\n\r]/g, " "))]));
      const element: XmlElement = { name: name!, attributes, children: [], text: "" };
      if (stack.length === 1 && root.children.length > 0) throw new Error(`a second root element <${name}>`);
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (at !== body.length) throw new Error(`not XML at ${JSON.stringify(body.slice(at, at + 40))}`);
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is never closed`);
  if (root.children.length !== 1) throw new Error("no root element");
  return root.children[0]!;
}

const hostileName = `CREATE EXTENSION "a&b" <c> 🐘`;
const hostileDetail = `ERROR:  syntax error at or near "<" & 'x' > y\n\u001b[31mLINE 1\u001b[0m\u0000\uD800`;
const hostileLog = "2026-12-07 LOG:  </system-out> is not the end\n\u0007bell";

const run: TestRun = {
  started: "2026-12-07T21:00:00.000Z",
  seconds: 12.5,
  subjects: [
    {
      target: "postgresql-18-minimal-sid",
      image: "localhost:5000/pgbake/postgresql:18-minimal-sid@sha256:" + "a".repeat(64),
      mode: "operand",
      seconds: 7.25,
      extensionsChecked: 2,
      logs: hostileLog,
      checks: [
        { name: "server starts", status: "passed", seconds: 1.5 },
        { name: hostileName, status: "failed", seconds: 0.125, detail: hostileDetail },
        { name: "server log clean", kind: "server-log", status: "passed", seconds: 0 },
        { name: "upgrade paths pg_cron", kind: "upgrade-path", status: "skipped", seconds: 0, detail: "no older version <1.6> in the image" },
        { name: "x libraries resolve", kind: "libraries", status: "failed", seconds: 0 },
      ],
    },
    {
      target: "pgvector-18-sid",
      image: "localhost:5000/pgbake/pgvector:0.8.1-18-sid",
      mode: "image-volume",
      seconds: 3,
      extensionsChecked: 1,
      // Logs of a subject that passed: not reported (only a failure's logs help a reader).
      logs: "LOG:  fine",
      checks: [
        { name: "CREATE EXTENSION vector", status: "passed", seconds: 1 },
        { name: "interface snapshot", kind: "snapshot", status: "skipped", seconds: 0, detail: "no snapshot directory" },
      ],
    },
  ],
};

describe("pgbake test's JUnit XML", () => {
  /** The report as a JUnit reader gets it; parsed in each test, so that XML it refuses fails that test by name. */
  const read = (): { xml: string; doc: XmlElement; suites: XmlElement[] } => {
    const xml = junitXml(run);
    const doc = parseXml(xml);
    return { xml, doc, suites: doc.children.filter((c) => c.name === "testsuite") };
  };
  const cases = (suite: XmlElement): XmlElement[] => suite.children.filter((c) => c.name === "testcase");
  const having = (suite: XmlElement, child: string): XmlElement[] => cases(suite).filter((c) => c.children.some((x) => x.name === child));

  it('is well-formed XML with check names, details and logs holding <, &, " and control characters', () => {
    const { xml, doc, suites } = read();
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(doc.name).toBe("testsuites");
    expect(cases(suites[0]!).map((c) => c.attributes.name)).toContain(hostileName);
    const failed = cases(suites[0]!).find((c) => c.attributes.name === hostileName)!;
    const failure = failed.children.find((c) => c.name === "failure")!;
    // The text as a reader gets it back: every character, less those XML cannot carry at all.
    // oxlint-disable-next-line no-control-regex -- ESC, NUL and a lone surrogate: what XML 1.0 has no place for
    const carried = hostileDetail.replace(/[\u0000\u001b\uD800]/g, "");
    expect(failure.attributes.message).toBe(carried.replace(/\n/g, " "));
    expect(failure.text).toBe(carried);
    const out = suites[0]!.children.find((c) => c.name === "system-out")!;
    // oxlint-disable-next-line no-control-regex -- BEL
    expect(out.text).toBe(hostileLog.replace(/\u0007/g, ""));
    expect(suites[0]!.children.find((c) => c.name === "properties")!.children[0]!.attributes).toEqual({ name: "image", value: run.subjects[0]!.image });
  });

  it("counts per testsuite what JUnit readers count: tests, failures and skipped match its testcases", () => {
    const { doc, suites } = read();
    expect(suites.map((s) => s.attributes.name)).toEqual(["postgresql-18-minimal-sid (operand)", "pgvector-18-sid (image-volume)"]);
    for (const s of suites) {
      expect(Number(s.attributes.tests), s.attributes.name).toBe(cases(s).length);
      expect(Number(s.attributes.failures), s.attributes.name).toBe(having(s, "failure").length);
      expect(Number(s.attributes.skipped), s.attributes.name).toBe(having(s, "skipped").length);
      expect(s.attributes.errors).toBe("0");
    }
    expect(suites.map((s) => [s.attributes.tests, s.attributes.failures, s.attributes.skipped])).toEqual([
      ["5", "2", "1"],
      ["2", "0", "1"],
    ]);
    expect([doc.attributes.tests, doc.attributes.failures]).toEqual(["7", "2"]);
    expect(doc.attributes.timestamp).toBe(run.started);
  });

  it("says why a check failed or was skipped, names kinded checks by target.kind, and gives logs only where a check failed", () => {
    const [operand, volume] = read().suites as [XmlElement, XmlElement];
    // A failure without a detail still has a message, for readers that show only the attribute.
    const bare = cases(operand).find((c) => c.attributes.name === "x libraries resolve")!;
    expect(bare.attributes.classname).toBe("postgresql-18-minimal-sid.libraries");
    expect(bare.children[0]!.attributes.message).toBe("failed");
    const skipped = having(operand, "skipped")[0]!;
    expect(skipped.children[0]!.attributes.message).toBe("no older version <1.6> in the image");
    expect(cases(operand).find((c) => c.attributes.name === "server starts")!.attributes).toEqual({ classname: "postgresql-18-minimal-sid", name: "server starts", time: "1.500" });
    expect(volume.children.some((c) => c.name === "system-out")).toBe(false);
    expect(operand.attributes.time).toBe("7.250");
  });

  it("the reading above refuses what a JUnit reader would", () => {
    expect(() => parseXml('<a name="x<y"/>')).toThrow();
    expect(() => parseXml("<a>x & y</a>")).toThrow(/bare &/);
    expect(() => parseXml("<a>\u001b</a>")).toThrow(/not allowed/);
    expect(() => parseXml("<a><b></a></b>")).toThrow(/closes/);
    expect(() => parseXml("<a/><b/>")).toThrow(/second root/);
    expect(parseXml('<a k="&lt;&amp;&quot;">x &gt; y</a>')).toEqual({ name: "a", attributes: { k: '<&"' }, children: [], text: "x > y" });
  });
});

describe("--upgrade-from: the older image it names", () => {
  const digest = `sha256:${"0".repeat(64)}`;

  it("a tag alone is that tag of the tested image's repository, whether the image is named by tag, digest or both", () => {
    expect(upgradeSource("18-minimal-sid-old", "localhost:5000/pgbake/postgresql:18.1-202611211200-minimal-sid")).toBe("localhost:5000/pgbake/postgresql:18-minimal-sid-old");
    // The digest pins the new image: the older one must not inherit it.
    expect(upgradeSource("0.8.0-18-sid", `ghcr.io/acme/pgvector:0.8.1-18-sid@${digest}`)).toBe("ghcr.io/acme/pgvector:0.8.0-18-sid");
    expect(upgradeSource("old", `localhost:5000/pgbake/postgresql@${digest}`)).toBe("localhost:5000/pgbake/postgresql:old");
    // A registry's port is not a tag.
    expect(upgradeSource("old", "localhost:5000/pgbake/postgresql")).toBe("localhost:5000/pgbake/postgresql:old");
  });

  it("a digest alone names that image of the tested repository", () => {
    expect(upgradeSource(digest, "localhost:5000/pgbake/pgvector:0.8.1-18-sid")).toBe(`localhost:5000/pgbake/pgvector@${digest}`);
    expect(upgradeSource(digest, `ghcr.io/acme/pgvector:0.8.1-18-sid@sha256:${"b".repeat(64)}`)).toBe(`ghcr.io/acme/pgvector@${digest}`);
  });

  it("anything naming a repository (a / or a :) is used as given", () => {
    for (const from of ["postgres:17", "localhost:5000/other/postgresql:17-minimal-trixie", "registry.example/acme/postgresql", `localhost:5000/pgbake/postgresql@${digest}`])
      expect(upgradeSource(from, "localhost:5000/pgbake/postgresql:18-minimal-sid")).toBe(from);
  });
});
