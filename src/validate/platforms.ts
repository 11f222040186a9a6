// An extension image must cover every platform of the operand images that use it (a bake
// `target:` context cannot be narrower than its user, docker/buildx#2486). Where that holds on
// some bases and not others, the plan drops the extension from the others with the reason
// "platform ... not supported" (like any other incompatibility). Where it holds on no base at all,
// the flavor could never hold what it asks for: that is a mistake in the input, so say which file to fix.
import type { SourceDoc } from "../load/index.js";
import type { ExtensionSpec, ProjectConfig } from "../model/types.js";
import { excludedBecause, suiteOf } from "../model/compat.js";
import { InputError } from "../model/errors.js";
import { fieldSource, positionOf } from "./position.js";

interface Shortfall {
  missing: Set<string>;
  bases: Set<string>;
  users: Set<string>;
}

export function checkPlatformCoverage(config: ProjectConfig, catalog: ExtensionSpec[], docs: Map<string, SourceDoc>): InputError[] {
  const byName = new Map(catalog.map((e) => [e.name, e]));
  const short = new Map<string, Shortfall>();
  const users = [
    ...config.flavors.map((f) => ({ label: `flavor '${f.name}'`, extensions: f.extensions })),
    ...config.types.map((t) => ({ label: `type '${t.name}'`, extensions: t.extensions })),
  ];
  for (const user of users) {
    // What the user's images would hold: the asked-for extensions and what they require.
    const wanted = new Map<string, string>();
    const add = (name: string, via: string): void => {
      if (wanted.has(name) || !byName.has(name)) return;
      wanted.set(name, via);
      for (const req of byName.get(name)!.requires) add(req, via ? via : name);
    };
    for (const name of user.extensions) add(name, "");
    for (const [name, via] of wanted) {
      const ext = byName.get(name)!;
      if (!ext.platforms || ext.kind === "contrib") continue;
      const fitsSomewhere = config.bases.some((base) => {
        const needed = config.platforms.filter((p) => !base.platforms || base.platforms.includes(p));
        return (!ext.bases || ext.bases.includes(base.name)) && needed.every((p) => ext.platforms!.includes(p));
      });
      if (fitsSomewhere) continue;
      for (const base of config.bases) {
        // Other reasons (disabled, bases, versions) exclude it anyway, and the plan says why.
        const buildable = config.postgres.some(
          (pg) => excludedBecause(ext, { major: pg.major, preview: pg.preview, base: base.name, suite: suiteOf(base), platforms: [] }) === undefined,
        );
        if (!buildable) continue;
        const needed = config.platforms.filter((p) => !base.platforms || base.platforms.includes(p));
        const missing = needed.filter((p) => !ext.platforms!.includes(p));
        if (missing.length === 0) continue;
        const s = short.get(name) ?? { missing: new Set(), bases: new Set(), users: new Set() };
        missing.forEach((p) => s.missing.add(p));
        s.bases.add(base.name);
        s.users.add(via ? `${user.label} (through ${via})` : user.label);
        short.set(name, s);
      }
    }
  }
  const errors: InputError[] = [];
  for (const [name, s] of short) {
    const ext = byName.get(name)!;
    const src = fieldSource(ext, "platforms", docs);
    const pos = positionOf(src, ["platforms"]);
    errors.push(
      new InputError(
        src.file,
        pos.line,
        pos.column,
        "platforms",
        `${ext.platforms!.join(", ")} does not cover ${[...s.missing].sort().join(", ")}, which ${[...s.users].sort().join(", ")} ` +
          `build${s.users.size === 1 ? "s" : ""} on base ${[...s.bases].sort().join(", ")}; add the platform here or narrow the base's platforms in the config`,
      ),
    );
  }
  return errors;
}
