// Release features read back through real buildx: tags with the run's timestamp, OCI annotations
// and labels, attestations, OCI output and registry caches, all equal to the plan and config.
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFrom } from "../src/pipeline/index.js";
import { hclString } from "../src/render/escape.js";
import { printExpr, ref, template } from "../src/render/hcl.js";
import { baseReference } from "../src/plan/metadata.js";
import type { Plan, ProjectConfig } from "../src/model/types.js";
import { bakePrint, type BakePrint } from "./helpers/buildx.js";
import { pgbake } from "./helpers/cli.js";
import { copyDefaults, repoRoot } from "./helpers/workspace.js";

const timestamp = "202611211200";
const revision = "0123456789abcdef0123456789abcdef01234567";
let plan: Plan;
let config: ProjectConfig;
let printed: BakePrint;

beforeAll(async () => {
  ({ plan, config } = planFrom({}));
  printed = await bakePrint(repoRoot, [], { timestamp, revision });
});

describe("docker buildx bake --print of the committed default output", () => {
  it("tags every image with the plan's tags, {timestamp} being the bake variable", () => {
    for (const t of [...plan.operands, ...plan.extensionImages]) {
      expect(printed.target[t.name]!.tags).toEqual(t.tags.map((tag) => `localhost:5000/${tag.replace("{timestamp}", timestamp)}`));
    }
    expect(printed.target["postgresql-17-minimal-trixie"]!.tags).toEqual([
      "localhost:5000/postgresql:17-minimal-trixie",
      "localhost:5000/postgresql:17.12-minimal-trixie",
      "localhost:5000/postgresql:17.12-202611211200-minimal-trixie",
    ]);
  });

  it("carries matching index,manifest annotations and labels from the plan and config", () => {
    for (const op of plan.operands) {
      const t = printed.target[op.name]!;
      const base = baseReference(config.bases.find((b) => b.name === op.base)!.image);
      const expected: Record<string, string> = {
        "org.opencontainers.image.version": op.pgVersion,
        "org.opencontainers.image.created": "2026-11-21T12:00:00Z",
        "org.opencontainers.image.revision": revision,
        "org.opencontainers.image.vendor": "pgbake",
        "org.opencontainers.image.licenses": "PostgreSQL",
        "org.opencontainers.image.source": config.metadata.source!,
        "org.opencontainers.image.base.name": base.name,
        "org.opencontainers.image.base.digest": base.digest!,
        "dev.pgbake.postgres.version": op.pgVersion,
        "dev.pgbake.image.type": op.type,
        "dev.pgbake.image.flavor": op.flavor,
        "dev.pgbake.extensions.enabled": String(op.kept.length),
        "dev.pgbake.extensions.total": String(op.kept.length + op.excluded.length),
      };
      for (const [key, value] of Object.entries(expected)) {
        expect(t.labels?.[key], `${op.name} ${key}`).toBe(value);
        expect(t.annotations).toContain(`index,manifest:${key}=${value}`);
      }
      // Every annotation has its label, and the other way round.
      const annotated = Object.fromEntries(
        t.annotations!.map((a) =>
          a
            .replace(/^index,manifest:/, "")
            .split(/=(.*)/s)
            .slice(0, 2),
        ),
      );
      expect(annotated).toEqual(t.labels);
    }
    const full = printed.target["postgresql-full-18-minimal-trixie"]!;
    expect(full.labels?.["dev.pgbake.extensions.total"]).toBe("6");
    expect(full.labels?.["dev.pgbake.extensions.enabled"]).toBe("5"); // citus dropped on 18
    expect(printed.target["pgvector-17-bookworm"]!.labels?.["org.opencontainers.image.version"]).toBe("0.8.7");
  });

  it("attests SBOM and max provenance with OCI media types, and caches per target and scope in the image's repository", () => {
    for (const t of [...plan.operands, ...plan.extensionImages]) {
      const p = printed.target[t.name]!;
      expect(p.attest).toEqual([{ type: "provenance", mode: "max" }, { type: "sbom" }]);
      expect(p.output).toEqual([{ type: "image", "oci-mediatypes": "true", "oci-artifact": "true" }]);
    }
    const caches: [string, string][] = [
      ["pgvector-17-bookworm", "localhost:5000/pgvector:cache-pgvector-17-bookworm-all"],
      ["postgresql-full-17-standard-trixie", "localhost:5000/postgresql-full:cache-postgresql-full-17-standard-trixie-all"],
      ["runtime-17-trixie", "localhost:5000/postgresql:cache-runtime-17-trixie-all"],
    ];
    for (const [name, ref] of caches) {
      expect(printed.target[name]!["cache-from"]).toEqual([{ type: "registry", ref }]);
      expect(printed.target[name]!["cache-to"]).toEqual([{ type: "registry", ref, mode: "max", "image-manifest": "true", "oci-mediatypes": "true" }]);
    }
    expect(printed.target["runtime-17-trixie"]!.attest).toBeUndefined();
  });

  it("scopes the cache and the annotation levels by variables", async () => {
    const p = await bakePrint(repoRoot, ["pgvector-17-bookworm"], { cache_scope: "ubuntu-24.04-arm", annotation_levels: "manifest" });
    const t = p.target["pgvector-17-bookworm"]!;
    expect(t["cache-to"]).toEqual([expect.objectContaining({ ref: "localhost:5000/pgvector:cache-pgvector-17-bookworm-ubuntu-24.04-arm" })]);
    expect(t.annotations!.every((a) => a.startsWith("manifest:"))).toBe(true);
  });

  it("refuses a timestamp that is not YYYYMMDDhhmm", async () => {
    await expect(bakePrint(repoRoot, ["pgvector-17-bookworm"], { timestamp: "latest" })).rejects.toThrow(/timestamp must be YYYYMMDDhhmm/);
  });
});

describe("switches and schemes in the config", () => {
  const work = copyDefaults();
  afterAll(() => work.cleanup());
  const edit = (from: string, to: string): void => {
    const text = readFileSync(work.config, "utf8");
    expect(text).toContain(from);
    writeFileSync(work.config, text.replace(from, to));
  };

  it("turns attestations and caches off, and takes aza-pg's tag scheme", async () => {
    edit("  attest: true\n  cache: true\n", "  attest: false\n  cache: false\n");
    edit(
      'operand: ["{major}-{type}-{base}", "{version}-{type}-{base}", "{version}-{timestamp}-{type}-{base}"]',
      'operand: ["{version}-{timestamp}-{type}-{flavor}-{base}", "{version}-{type}-{flavor}-{base}", "{major}-{type}-{flavor}-{base}"]',
    );
    const r = await pgbake(["generate", "--config", work.config, "--extensions", work.extensions]);
    expect(r.exitCode, r.stderr).toBe(0);
    const p = await bakePrint(work.dir, ["postgresql-vector-18-standard-trixie"], { timestamp });
    const t = p.target["postgresql-vector-18-standard-trixie"]!;
    // Off is off: buildx would add a provenance attestation to a pushed image unless it is disabled.
    expect(t.attest).toEqual([
      { type: "provenance", disabled: true },
      { type: "sbom", disabled: true },
    ]);
    // Two platforms make an index even without attestations: annotations go on it too.
    expect(t.annotations?.length).toBeGreaterThan(0);
    for (const a of t.annotations ?? []) expect(a).toMatch(/^index,manifest:/);
    expect(t["cache-from"]).toBeUndefined();
    expect(t["cache-to"]).toBeUndefined();
    expect(t.tags).toEqual([
      "localhost:5000/postgresql-vector:18.6-202611211200-standard-vector-trixie",
      "localhost:5000/postgresql-vector:18.6-standard-vector-trixie",
      "localhost:5000/postgresql-vector:18-standard-vector-trixie",
    ]);
  });
});

describe("the escaping helper", () => {
  it("doubles ${ and %{ in literal text so nothing from a config is ever evaluated", () => {
    expect(hclString("a ${b} %{c}")).toBe('"a $${b} %%{c}"');
    expect(printExpr(template("x-${y}-", ref("timestamp")))).toBe('"x-$${y}-${timestamp}"');
    // A literal `$` just before an interpolation stays a `$`, it does not escape the interpolation.
    expect(printExpr(template("a$", ref("timestamp")))).toBe('"a${"$"}${timestamp}"');
  });
});
