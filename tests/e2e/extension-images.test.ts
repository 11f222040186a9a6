// Every extension image of the e2e config: CloudNativePG's image-volume layout (/lib,
// /share/extension, /licenses, /system), and files that work when copied into a plain minimal
// operand image of the same major and base (the operand image is built by operands.test.ts' bake
// or here). Libraries in /system are used as CloudNativePG uses them, through LD_LIBRARY_PATH.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { docker, e2ePlan, imageRef } from "../helpers/e2e.js";
import { extensionSql, PgContainer } from "../helpers/postgres.js";

const { plan, catalog, config } = e2ePlan();
const specs = new Map(catalog.extensions.map((e) => [e.name, e]));

beforeAll(() => {
  const run = inject("e2eBake");
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
    // Runtime packages' shared libraries, and only those, go to system/.
    const system = files.filter((f) => f.startsWith("system/"));
    if (spec.runtime_packages.length > 0) expect(system.some((f) => /^system\/[^/]+\.so/.test(f)), "a library in system/").toBe(true);
    else expect(system).toEqual([]);
  });

  it("works when its files are copied into a plain minimal operand image", async () => {
    const operand = plan.operands.find(
      (o) => o.flavor === config.default_flavor && o.type === "minimal" && o.major === target.major && o.base === target.base,
    )!;
    const withSystem = spec.runtime_packages.length > 0;
    // As CloudNativePG mounts an image volume: the system libraries in a directory of their own.
    const systemDir = `/extensions/${target.extension}/system`;
    const build = async (tag: string, system: boolean) => {
      const dockerfile = [
        `FROM ${imageRef(operand)}`,
        `COPY --from=${imageRef(target)} /lib/ /usr/lib/postgresql/${target.major}/lib/`,
        `COPY --from=${imageRef(target)} /share/ /usr/share/postgresql/${target.major}/`,
        ...(system ? [`COPY --from=${imageRef(target)} /system/ ${systemDir}/`, `ENV LD_LIBRARY_PATH=${systemDir}`] : []),
        "",
      ].join("\n");
      await docker(["build", "-q", "-t", tag, "-"], { input: dockerfile });
    };
    const run = async (tag: string) => {
      const preload = spec.shared_preload_libraries;
      const pg = await PgContainer.start(tag, preload.length > 0 ? ["postgres", "-c", `shared_preload_libraries=${preload.join(",")}`] : []);
      try {
        return await pg.sql(extensionSql(spec.sql_names, spec.smoke_test));
      } finally {
        await pg.remove();
        await docker(["rmi", tag], { reject: false });
      }
    };
    const tag = `pgbake-e2e-copy/${target.name}:latest`;
    await build(tag, withSystem);
    const r = await run(tag);
    expect(r.exitCode, `${target.name}: ${r.stderr}`).toBe(0);
    expect(r.stdout.trim().split("\n").pop(), target.name).not.toBe("f");
    if (withSystem) {
      // The plain operand image lacks the library: without /system the extension cannot load.
      const bare = `pgbake-e2e-copy/${target.name}-without-system:latest`;
      await build(bare, false);
      const without = await run(bare);
      expect(without.exitCode, `${target.name} without /system`).not.toBe(0);
      expect(without.stderr).toMatch(/cannot open shared object file/);
    }
  });
});
