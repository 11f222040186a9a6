// The newest tag of a git remote that matches a glob (`v13.*`), with the commit it points to,
// from `git ls-remote --tags` (annotated tags: the peeled commit, `^{}`).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { compareDebVersions } from "./debversion.js";
import { UpdateError } from "./errors.js";

const run = promisify(execFile);

export interface TagCommit {
  tag: string;
  commit: string;
}

/** `*` any run of characters, `?` one; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** The version a tag names: leading non-digits dropped, `-rc1` read as a pre-release (`~rc1`). */
export function tagVersion(tag: string): string {
  return tag.replace(/^[^0-9]*/, "").replace(/[-_.]?(alpha|beta|rc|pre)/gi, "~$1").replace(/_/g, ".");
}

export async function remoteTags(remote: string): Promise<TagCommit[]> {
  let stdout: string;
  try {
    ({ stdout } = await run("git", ["ls-remote", "--tags", remote], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
      timeout: 120_000,
      maxBuffer: 64 << 20,
    }));
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split("\n").slice(-1)[0];
    throw new UpdateError(remote, `git ls-remote failed (${stderr})`);
  }
  const direct = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^([0-9a-f]{40})\s+refs\/tags\/(.+?)(\^\{\})?$/.exec(line.trim());
    if (!m) continue;
    (m[3] ? peeled : direct).set(m[2]!, m[1]!);
  }
  return [...direct.keys()].map((tag) => ({ tag, commit: peeled.get(tag) ?? direct.get(tag)! }));
}

/** The newest (by version order) of the tags matching `track`; undefined when none matches. */
export function newestMatching(tags: TagCommit[], track: string): TagCommit | undefined {
  const re = globToRegExp(track);
  const matching = tags.filter((t) => re.test(t.tag) && /[0-9]/.test(t.tag));
  matching.sort((a, b) => compareDebVersions(tagVersion(a.tag), tagVersion(b.tag)) || a.tag.localeCompare(b.tag, "en"));
  return matching.at(-1);
}
