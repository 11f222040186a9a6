// Dockerfiles: which file each target uses, and their text. Identical files are shared.
import { createHash } from "node:crypto";
import type { ExtensionTargetPlan, OperandTargetPlan, PostgresFrom, SourceBuild, SourceBuildPlan } from "../model/types.js";
import { dockerComment, shellWord } from "./escape.js";
import { template } from "./templates.js";
import type { RenderedFile } from "../model/files.js";
import { extensionContextName } from "../model/naming.js";

export const DOCKERFILE_DIR = "dockerfiles";

const pgxsMake = 'make USE_PGXS=1 PG_CONFIG="$PG_CONFIG"';

/** The shell lines of a source build: fixed per build system, values from the plan quoted. */
export function buildCommands(src: SourceBuildPlan): string[] {
  const build: SourceBuild = src.build;
  // Options go after the fixed ones, each quoted: they can add to a build, never break out of it.
  const options = (src.build_options ?? []).map((o) => ` ${shellWord(o)}`).join("");
  switch (build) {
    case "pgxs":
      return [`set -eux; ${pgxsMake} -j"$(nproc)"; ${pgxsMake} install DESTDIR=/staging`];
    case "configure":
      return [`set -eux; ./configure PG_CONFIG="$PG_CONFIG"${options}; make -j"$(nproc)"; make install DESTDIR=/staging`];
    case "cmake":
      return [
        `set -eux; cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$PG_CONFIG" -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF${options}; cmake --build build -j"$(nproc)"; DESTDIR=/staging cmake --install build`,
      ];
    case "meson":
      return [`set -eux; meson setup build --buildtype=release${options}; meson compile -C build; DESTDIR=/staging meson install -C build`];
    case "pgrx":
      return [
        `set -eux; pgbake-source-check.sh pgrx ${shellWord(src.pgrx_version ?? "0.16.1")}`,
        `set -eux; cargo install cargo-pgrx --locked --version ${shellWord(src.pgrx_version ?? "0.16.1")}; cargo pgrx init --pg"$PG_MAJOR"="$PG_CONFIG"; cargo pgrx package --pg-config "$PG_CONFIG" --out-dir /staging`,
      ];
    case "go":
      return [
        "set -eux; pgbake-source-check.sh go",
        ...(src.binaries ?? []).map((bin) => `set -eux; mkdir -p /out/bin; CGO_ENABLED=1 GOTOOLCHAIN=local go build -trimpath -o /out/bin/${shellWord(bin)} ${shellWord(src.go_main ?? ".")}`),
      ];
  }
}

export function runtimeDockerfile(postgresFrom: PostgresFrom): RenderedFile {
  return {
    path: `${DOCKERFILE_DIR}/runtime-${postgresFrom}.Dockerfile`,
    content: template("templates/runtime.Dockerfile.hbs")({ pgdg: postgresFrom === "pgdg" }),
  };
}

export function extensionDockerfile(et: ExtensionTargetPlan): RenderedFile {
  if (et.extensionKind === "package") return { path: `${DOCKERFILE_DIR}/extension-package.Dockerfile`, content: template("templates/extension-package.Dockerfile.hbs")({}) };
  const src = et.sourceBuild!;
  const build = src.build;
  const commands = buildCommands(src);
  const file = et.extensionKind === "tool" ? "tool-source" : "extension-source";
  // Build commands depend on the build system only, except for values such as binaries: hash them in.
  const generic = et.extensionKind !== "tool" && build !== "pgrx" && src.build_options.length === 0;
  const suffix = generic ? build : `${build}-${createHash("sha256").update(commands.join("\n")).digest("hex").slice(0, 8)}`;
  return {
    path: `${DOCKERFILE_DIR}/${file}-${suffix}.Dockerfile`,
    content: template(`templates/${file}.Dockerfile.hbs`)({ build, commands }),
  };
}

/** Text of an operand Dockerfile: it depends only on which extension images it copies from. */
export function operandDockerfileContent(op: OperandTargetPlan): string {
  const copied = op.kept.filter((k) => k.imageTarget).sort((a, b) => a.name.localeCompare(b.name, "en"));
  const copies = copied.map((k) => ({ context: extensionContextName(k.name), tool: k.kind === "tool" }));
  const holds = copied.length > 0 ? copied.map((k) => dockerComment(`${k.name} (${k.kind})`)) : ["PostgreSQL only"];
  return template("templates/operand.Dockerfile.hbs")({ holds, copies });
}

const maxReadableName = 160;

/** A readable name: `<image>-<type>`, plus what was dropped from what the flavor asked for. */
export function operandDockerfileName(op: OperandTargetPlan): string {
  const dropped = op.excluded.map((e) => e.name).sort();
  const stem = `${op.image.replace(/\//g, "-")}-${op.type}`;
  const name = `${stem}${dropped.length > 0 ? `-without-${dropped.join("-")}` : ""}`;
  if (name.length <= maxReadableName) return name;
  // File names stop at 255 bytes: a long drop list becomes its count and a hash.
  return `${stem}-without-${dropped.length}-${createHash("sha256").update(dropped.join(",")).digest("hex").slice(0, 12)}`;
}

/**
 * Operand Dockerfiles for all targets: targets whose files would be identical share one, named
 * after the first (by name) of them.
 */
export function operandDockerfiles(ops: OperandTargetPlan[]): Map<string, RenderedFile> {
  // Prefer the plainest name among the sharers: fewest drops, then shortest, then alphabetical.
  // One pass keeping the plainest so far: linear in targets (a sort per target was quadratic).
  const plainer = (a: string, b: string): number => Number(a.includes("-without-")) - Number(b.includes("-without-")) || a.length - b.length || a.localeCompare(b, "en");
  const nameOf = new Map<string, string>();
  const contentOf = new Map<string, string>();
  for (const op of ops) {
    const content = operandDockerfileContent(op);
    contentOf.set(op.name, content);
    const name = operandDockerfileName(op);
    const best = nameOf.get(content);
    if (best === undefined || plainer(name, best) < 0) nameOf.set(content, name);
  }
  const out = new Map<string, RenderedFile>();
  for (const op of ops) {
    const content = contentOf.get(op.name)!;
    out.set(op.name, { path: `${DOCKERFILE_DIR}/${nameOf.get(content)!}.Dockerfile`, content });
  }
  return out;
}
