// Every extension image of the e2e config: CloudNativePG's image-volume layout (/lib,
// /share/extension, /licenses), and files that work when copied into a plain minimal operand
// image of the same major and base (the operand image is built by operands.test.ts' bake or here).
import { beforeAll, describe, expect, it } from "vitest";
import { docker, e2eConfig, e2ePlan, generateAndBake, imageRef } from "../helpers/e2e.js";
import { extensionSql, PgContainer } from "../helpers/postgres.js";

const { plan, catalog, config } = e2ePlan();
const specs = new Map(catalog.extensions.map((e) => [e.name, e]));

beforeAll(async () => {
  const run = await generateAndBake(e2eConfig, ["--push"]);
  expect(run.exitCode, run.output.slice(-4000)).toBe(0);
});

/** What `docker create` itself adds to a container's filesystem (mount points, /etc/hosts...). */
const containerArtifacts = /^(\.dockerenv|dev(\/.*)?|proc|sys|etc(\/(hostname|hosts|mtab|resolv\.conf))?)$/;

/** The file list of an image without a shell: create a container (never started) and export it. */
async function filesOf(image: string): Promise<string[]> {
  await docker(["pull", "-q", image]);
  const { stdout: id } = await docker(["create", "--entrypoint", "/nonexistent", image]);
  try {
    const { execa } = await import("execa");
    const list = await execa("sh", ["-c", `docker export ${id.trim()} | tar -t`]);
    return list.stdout
      .split("\n")
      .map((f) => f.replace(/\/$/, ""))
      .filter((f) => f && !containerArtifacts.test(f));
  } finally {
    await docker(["rm", id.trim()]);
  }
}

describe.each(plan.extensionImages.map((t) => [t.name, t] as const))("extension image %s", (_name, target) => {
  const spec = specs.get(target.extension)!;

  it("has the image-volume layout and the extension's files", async () => {
    const files = await filesOf(imageRef(target));
    const top = new Set(files.map((f) => f.split("/")[0]));
    expect([...top].sort()).toEqual(["lib", "licenses", "share", "system"]);
    for (const n of spec.sql_names) expect(files, `${n}.control`).toContain(`share/extension/${n}.control`);
    expect(files.some((f) => /^lib\/[^/]+\.so$/.test(f)), "a shared library in lib/").toBe(true);
    expect(files.some((f) => /^licenses\/[^/]+\/[^/]+$/.test(f)), "a license file in licenses/<name>/").toBe(true);
  });

  it("works when its files are copied into a plain minimal operand image", async () => {
    const operand = plan.operands.find(
      (o) => o.flavor === config.default_flavor && o.type === "minimal" && o.major === target.major && o.base === target.base,
    )!;
    const tag = `pgbake-e2e-copy/${target.name}:latest`;
    const dockerfile = [
      `FROM ${imageRef(operand)}`,
      `COPY --from=${imageRef(target)} /lib/ /usr/lib/postgresql/${target.major}/lib/`,
      `COPY --from=${imageRef(target)} /share/ /usr/share/postgresql/${target.major}/`,
      "",
    ].join("\n");
    await docker(["build", "-q", "-t", tag, "-"], { input: dockerfile });
    const preload = spec.shared_preload_libraries;
    const pg = await PgContainer.start(tag, preload.length > 0 ? ["postgres", "-c", `shared_preload_libraries=${preload.join(",")}`] : []);
    try {
      const r = await pg.sql(extensionSql(spec.sql_names, spec.smoke_test));
      expect(r.exitCode, `${target.name}: ${r.stderr}`).toBe(0);
    } finally {
      await pg.remove();
      await docker(["rmi", tag], { reject: false });
    }
  });
});
