// Preview releases (`19~beta3`) are built until the same major is released: once a stable
// version of that major is listed too, the preview is dropped, as CloudNativePG's bake file does.
import type { PostgresVersion } from "../model/types.js";

export interface ActiveVersions {
  versions: PostgresVersion[];
  dropped: { version: string; droppedBecause: string }[];
}

export function activeVersions(listed: PostgresVersion[]): ActiveVersions {
  const stable = new Map(listed.filter((v) => !v.preview).map((v) => [v.major, v.version]));
  const versions: PostgresVersion[] = [];
  const dropped: ActiveVersions["dropped"] = [];
  for (const v of listed) {
    const release = v.preview ? stable.get(v.major) : undefined;
    if (release) dropped.push({ version: v.version, droppedBecause: `PG ${v.major} is stable (${release} is listed)` });
    else versions.push(v);
  }
  return { versions, dropped };
}
