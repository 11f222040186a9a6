// The pure parts of pgbake test's checks of issue 22: ldd output, server log lines, library
// clashes, upgrade path sources, interface snapshots and their diff; and pgbake-collect.sh's
// `$libdir/` strip, run on a staging directory like a source build's.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeClash, findClashes, parseHashes, parseLddOutput, togetherResults, type LibraryFile } from "../src/verify/libraries.js";
import { NULL_MARKER, smokeResult } from "../src/verify/checks.js";
import { kindCounts, summaryTable } from "../src/verify/report.js";
import type { TestRun } from "../src/verify/results.js";
import { describeLogLines, provokedByTest, unexpectedLogLines } from "../src/verify/server-log.js";
import { describeDiff, diffInterfaces, formatSnapshot, parseInterface } from "../src/verify/snapshot.js";
import { parseRequires, parseSources } from "../src/verify/upgrade-paths.js";
import { repoRoot, tempDir } from "./helpers/workspace.js";

describe("ldd output", () => {
  const output = [
    "==> /extensions/h3/lib/h3.so",
    "\tlinux-vdso.so.1 (0x00007ffc8a5f5000)",
    "\tlibh3.so.1 => not found",
    "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f6f0c000000)",
    "\t/lib64/ld-linux-x86-64.so.2 (0x00007f6f0c400000)",
    "==> /extensions/h3/lib/h3_postgis.so",
    "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f6f0c000000)",
    "==> /extensions/x/bin/tool",
    "\t/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.42' not found (required by /extensions/x/bin/tool)",
    "\tlibfoo.so.2 => not found",
    "==> /extensions/x/system/libstatic.so",
    "\tstatically linked",
  ].join("\n");

  it("names each file and the soname it lacks, and a missing symbol version", () => {
    expect(parseLddOutput(output)).toEqual([
      { file: "/extensions/h3/lib/h3.so", soname: "libh3.so.1" },
      { file: "/extensions/x/bin/tool", soname: "libc.so.6 (version GLIBC_2.42)" },
      { file: "/extensions/x/bin/tool", soname: "libfoo.so.2" },
    ]);
  });

  it("finds nothing when every library resolves", () => {
    expect(
      parseLddOutput(
        output
          .split("\n")
          .filter((l) => !/not found/.test(l))
          .join("\n"),
      ),
    ).toEqual([]);
  });
});

describe("server log lines", () => {
  const log = [
    "2026-12-07 10:00:00.000 UTC [1] LOG:  starting PostgreSQL 18.6",
    "2026-12-07 10:00:00.100 UTC [7] FATAL:  the database system is starting up",
    "2026-12-07 10:00:01.000 UTC [9] WARNING:  pg_foo: setting bar is deprecated",
    "2026-12-07 10:00:02.000 UTC [12] ERROR:  function i22_boot_error() does not exist at character 8",
    "2026-12-07 10:00:02.000 UTC [12] HINT:  No function matches the given name and argument types.",
    "2026-12-07 10:00:02.000 UTC [12] STATEMENT:  SELECT i22_boot_error()",
    "2026-12-07 10:00:03.000 UTC [1] LOG:  database system is ready to accept connections",
    'initdb: warning: enabling "trust" authentication for local connections',
  ].join("\n");

  it("keeps WARNING, ERROR, FATAL and PANIC lines from their severity on, and nothing else", () => {
    expect(unexpectedLogLines(log, []).map((l) => l.text)).toEqual([
      "FATAL:  the database system is starting up",
      "WARNING:  pg_foo: setting bar is deprecated",
      "ERROR:  function i22_boot_error() does not exist at character 8",
    ]);
  });

  it("lets pass what the readiness probe provokes and what an entry declares", () => {
    const declared = [{ match: "^WARNING: +pg_foo: setting bar is deprecated", reason: "the old setting is kept for users of 1.x", by: "pg_foo" }];
    const left = unexpectedLogLines(log, [...provokedByTest, ...declared]);
    expect(left.map((l) => l.severity)).toEqual(["ERROR"]);
    expect(describeLogLines(left)).toBe('the server logged 1 ERROR: "ERROR:  function i22_boot_error() does not exist at character 8"');
  });

  it("does not tell twice what a failed check's message already quotes", () => {
    const reported = ["x: smoke test failed: ERROR:  function i22_boot_error() does not exist\nLINE 1: SELECT i22_boot_error()"];
    expect(unexpectedLogLines(log, provokedByTest, [], reported).map((l) => l.severity)).toEqual(["WARNING"]);
  });

  it("leaves out the span the upgrade paths wrote (old versions run on purpose), and nothing else", () => {
    expect(unexpectedLogLines(log, provokedByTest, [{ from: 2, to: 3 }]).map((l) => l.severity)).toEqual(["ERROR"]);
    expect(unexpectedLogLines(log, provokedByTest, [{ from: 3, to: 3 }]).map((l) => l.severity)).toEqual(["WARNING", "ERROR"]);
  });
});

describe("library clashes", () => {
  const file = (image: string, mount: string, dir: string, name: string, sha256: string): LibraryFile => ({ image, mount, dir, name, sha256 });
  const a = "r/a:1";
  const b = "r/b:1";

  it("reports a library of the same name with different content in two images, naming both", () => {
    const clashes = findClashes([file(a, "a", "system", "libx.so.1", "1".repeat(64)), file(b, "b", "system", "libx.so.1", "2".repeat(64))]);
    expect(clashes.map(describeClash)).toEqual([`system/libx.so.1 differs between a (${a}, sha256 111111111111) and b (${b}, sha256 222222222222)`]);
  });

  it("lets the same content, other directories, other names and non-libraries pass", () => {
    expect(
      findClashes([
        file(a, "a", "system", "libx.so.1", "1".repeat(64)),
        file(b, "b", "system", "libx.so.1", "1".repeat(64)),
        file(b, "b", "lib", "libx.so.1", "3".repeat(64)),
        file(b, "b", "system", "liby.so.1", "4".repeat(64)),
        file(a, "a", "system", "README", "5".repeat(64)),
        file(b, "b", "system", "README", "6".repeat(64)),
      ]),
    ).toEqual([]);
  });

  it("checks a run's extension images of one major and base as one set, each clash a failed case", async () => {
    const img = (image: string, major: number, files: LibraryFile[]) => ({ target: image, image, major, base: "sid", files });
    const results = await togetherResults([
      img(a, 18, [file(a, "a", "system", "libx.so.1", "1".repeat(64))]),
      img(b, 18, [file(b, "b", "system", "libx.so.1", "2".repeat(64))]),
      img("r/c:1", 18, [file("r/c:1", "c", "system", "libz.so.1", "3".repeat(64))]),
      img("r/d:1", 17, [file("r/d:1", "d", "system", "libx.so.1", "4".repeat(64))]),
    ]);
    expect(results.map((r) => [r.target, r.mode, r.checks.map((c) => [c.status, c.name])])).toEqual([
      ["extension images of PostgreSQL 18 on sid", "together", [["failed", "no library clash: system/libx.so.1"]]],
    ]);
    expect(results[0]!.checks[0]!.detail).toContain(`a (${a}, sha256 111111111111) and b (${b}`);
  });

  it("reads sha256sum lines of the mounts", () => {
    const out = `${"a".repeat(64)}  /extensions/h3/system/libh3.so.1\n${"b".repeat(64)}  /extensions/h3/lib/h3.so\n${"c".repeat(64)}  /elsewhere/x.so\n`;
    expect(parseHashes(out, "/extensions", new Map([["h3", "r/h3:1"]]))).toEqual([file("r/h3:1", "h3", "system", "libh3.so.1", "a".repeat(64)), file("r/h3:1", "h3", "lib", "h3.so", "b".repeat(64))]);
  });
});

describe("upgrade path sources", () => {
  it("splits versions that can be created from those without an install script, in version order", () => {
    expect(parseSources("1.6|1.10|t\n1.6|1.0|t\n1.6|1.2|t\n1.6|0.9|f\n")).toEqual({ defaultVersion: "1.6", installable: ["1.0", "1.2", "1.10"], notInstallable: ["0.9"] });
    expect(parseSources("")).toBeUndefined();
  });

  it("reads what each SQL name requires, through what those require (documentdb needs documentdb_core and, through it, nothing more)", () => {
    const r = parseRequires("documentdb|documentdb_core,pg_cron,vector\ndocumentdb_core|\ndocumentdb_extended_rum|\npg_cron|\nvector|\nouter|documentdb\n");
    expect([...r.get("documentdb")!].sort()).toEqual(["documentdb_core", "pg_cron", "vector"]);
    expect([...r.get("outer")!].sort()).toEqual(["documentdb", "documentdb_core", "pg_cron", "vector"]);
    expect(r.get("documentdb_core")!.size).toBe(0);
  });
});

describe("interface snapshots", () => {
  const before = parseInterface(
    [
      "i22_fixture\tfunction pgbake_fixture_add(integer,integer)\treturns integer immutable strict",
      "i22_fixture\tfunction pgbake_fixture_version()\treturns text volatile",
      "i22_fixture\ttype i22_pair\ttype c, length -1",
    ].join("\n"),
  );

  it("orders objects the same way whatever order the server gave, and reads back what it writes", () => {
    const shuffled = parseInterface(
      [...before]
        .reverse()
        .map((o) => `${o.sqlName}\t${o.identity}\t${o.detail}`)
        .join("\n"),
    );
    expect(shuffled).toEqual(before);
    expect(parseInterface(formatSnapshot("i22_fixture", 18, before))).toEqual(before);
  });

  it("reports each object removed or changed, and those added", () => {
    const after = parseInterface(
      [
        "i22_fixture\tfunction pgbake_fixture_add(integer,integer)\treturns bigint immutable strict",
        "i22_fixture\tfunction pgbake_fixture_mul(integer,integer)\treturns integer immutable strict",
        "i22_fixture\ttype i22_pair\ttype c, length -1",
      ].join("\n"),
    );
    const diff = diffInterfaces(before, after);
    expect(diff.removed.map((o) => o.identity)).toEqual(["function pgbake_fixture_version()"]);
    expect(diff.changed.map((c) => [c.before.detail, c.after.detail])).toEqual([["returns integer immutable strict", "returns bigint immutable strict"]]);
    expect(diff.added.map((o) => o.identity)).toEqual(["function pgbake_fixture_mul(integer,integer)"]);
    expect(describeDiff(diff)).toBe(
      "removed: function pgbake_fixture_version() (returns text volatile); changed: function pgbake_fixture_add(integer,integer): returns integer immutable strict -> returns bigint immutable strict; added: function pgbake_fixture_mul(integer,integer)",
    );
    expect(diffInterfaces(before, before)).toEqual({ removed: [], changed: [], added: [] });
  });
});

describe("the summary counts each kind of check apart", () => {
  const run: TestRun = {
    started: "2026-12-07T10:00:00.000Z",
    seconds: 3,
    subjects: [
      {
        target: "x-18-sid",
        image: "r/x:1",
        mode: "image-volume",
        seconds: 3,
        extensionsChecked: 1,
        checks: [
          { name: "CREATE EXTENSION x", status: "passed", seconds: 0 },
          { name: "x libraries resolve", kind: "libraries", status: "failed", seconds: 0, detail: "lib/x.so needs liby.so.1, not found" },
          { name: "upgrade path x 1.0 -> 1.1", kind: "upgrade-path", status: "passed", seconds: 0 },
          { name: "upgrade path x 1.0.1 -> 1.1", kind: "upgrade-path", status: "failed", seconds: 0 },
          { name: "upgrade paths y", kind: "upgrade-path", status: "skipped", seconds: 0 },
          { name: "server log clean", kind: "server-log", status: "passed", seconds: 0 },
        ],
      },
    ],
  };

  it("in the table's totals and in the JSON report", () => {
    expect(summaryTable(run)).toContain("\n  server log clean: 1 run, 0 failed\n  libraries resolve: 1 run, 1 failed\n  upgrade paths: 2 run, 1 failed, 1 skipped");
    expect(kindCounts(run).find((k) => k.kind === "snapshot")).toEqual({ kind: "snapshot", run: 0, failed: 0, skipped: 0 });
  });
});

describe("pgbake-collect.sh strips $libdir/ from extension SQL", () => {
  const work = tempDir("pgbake-collect-");
  afterAll(() => work.cleanup());
  const script = join(repoRoot, "templates/files/pgbake-collect.sh");

  it("so that a module named '$libdir/NAME' in an upgrade script is found through dynamic_library_path", () => {
    const stage = join(work.dir, "stage");
    const ext = join(stage, "usr/share/postgresql/18/extension");
    mkdirSync(ext, { recursive: true });
    writeFileSync(
      join(ext, "postgis--3.5.0--3.6.1.sql"),
      "CREATE OR REPLACE FUNCTION postgis_lib_version() RETURNS text AS '$libdir/postgis-3', 'postgis_lib_version' LANGUAGE c;\nLOAD '$libdir/postgis-3';\nSELECT '$libdir/plugins/auto_explain';\n",
    );
    writeFileSync(join(ext, "postgis.control"), "module_pathname = '$libdir/postgis-3'\n");
    const out = join(work.dir, "out");
    execFileSync("sh", [script, "staging", stage], { env: { ...process.env, PG_MAJOR: "18", OUT: out } });
    expect(readFileSync(join(out, "share/extension/postgis--3.5.0--3.6.1.sql"), "utf8")).toBe(
      "CREATE OR REPLACE FUNCTION postgis_lib_version() RETURNS text AS 'postgis-3', 'postgis_lib_version' LANGUAGE c;\nLOAD 'postgis-3';\nSELECT '$libdir/plugins/auto_explain';\n",
    );
    expect(readFileSync(join(out, "share/extension/postgis.control"), "utf8")).toBe("module_pathname = 'postgis-3'\n");
  });
});

describe("smoke test results", () => {
  it("take the last line, and fail on false or NULL (psql's null display set to the marker)", () => {
    expect(smokeResult("CREATE TABLE\nt\n", "x: smoke test", "SELECT q")).toBe("t");
    expect(smokeResult("", "x: smoke test", "SELECT q")).toBe("");
    expect(() => smokeResult("1\nf\n", "x: smoke test", "SELECT q")).toThrow("x: smoke test returned false: SELECT q");
    expect(() => smokeResult(`${NULL_MARKER}\n`, "x: smoke test", "SELECT q")).toThrow("x: smoke test returned NULL: SELECT q");
  });
});
