// The newest tag of a git remote that matches a glob (`v13.*`), with the commit it points to,
// from `git ls-remote --tags` (annotated tags: the peeled object, `^{}`). What a tag points to
// is only known once fetched: the chosen tag is fetched alone (depth 1, no trees or blobs) and
// peeled, and a tag on a blob or a tree is skipped for the next.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../model/process.js";
import { compareDebVersions } from "./debversion.js";
import { UpdateError } from "./errors.js";
import type { NetworkBudget } from "./http.js";

export interface TagCommit {
  tag: string;
  commit: string;
}

/** `*` any run of characters, `?` one; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** The version a tag names: leading non-digits dropped, `-rc1` read as a pre-release (`~rc1`). */
export function tagVersion(tag: string): string {
  return tag
    .replace(/^[^0-9]*/, "")
    .replace(/[-_.]?(alpha|beta|rc|pre)/gi, "~$1")
    .replace(/_/g, ".");
}

/** git with the request's time (or what is left of the deadline), its failure one UpdateError. */
async function git(remote: string, args: string[], budget: NetworkBudget, what: string, cwd?: string): Promise<string> {
  const left = budget.started + budget.deadlineMs - Date.now();
  if (left <= 0) throw new UpdateError(remote, `not read: the update's deadline of ${Math.round(budget.deadlineMs / 1000)} s has passed (--deadline)`);
  const timeout = Math.min(budget.requestMs, left);
  const r = await run("git", args, { cwd, env: { GIT_TERMINAL_PROMPT: "0" }, timeoutMs: timeout, maxBuffer: 64 << 20 });
  if (r.timedOut) throw new UpdateError(remote, `${what}: no complete answer within ${Math.round(timeout / 1000)} s (${timeout === budget.requestMs ? "--timeout" : "--deadline"})`);
  if (r.overflowed) throw new UpdateError(remote, `${what}: more than 64 MiB of output`);
  if (r.exitCode !== 0) throw new UpdateError(remote, `${what} failed (${(r.stderr.trim() || `exit ${r.exitCode}`).split("\n").slice(-1)[0]})`);
  return r.stdout;
}

export async function remoteTags(remote: string, budget: NetworkBudget): Promise<TagCommit[]> {
  budget.progress(`reading the tags of ${remote}`);
  const stdout = await git(remote, ["ls-remote", "--tags", remote], budget, "git ls-remote");
  const direct = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^([0-9a-f]{40})\s+refs\/tags\/(.+?)(\^\{\})?$/.exec(line.trim());
    if (!m) continue;
    (m[3] ? peeled : direct).set(m[2]!, m[1]!);
  }
  return [...direct.keys()].map((tag) => ({ tag, commit: peeled.get(tag) ?? direct.get(tag)! }));
}

/** The tags matching `track`, newest (by version order) first. */
export function matchingNewestFirst(tags: TagCommit[], track: string): TagCommit[] {
  const re = globToRegExp(track);
  const matching = tags.filter((t) => re.test(t.tag) && /[0-9]/.test(t.tag));
  matching.sort((a, b) => compareDebVersions(tagVersion(b.tag), tagVersion(a.tag)) || b.tag.localeCompare(a.tag, "en"));
  return matching;
}

/** The newest (by version order) of the tags matching `track`; undefined when none matches. */
export function newestMatching(tags: TagCommit[], track: string): TagCommit | undefined {
  return matchingNewestFirst(tags, track)[0];
}

/** Fetches tags of one remote alone into a scratch repository, to see what they point to. */
export class TagPeeler {
  private dir: string | undefined;

  constructor(
    private readonly remote: string,
    private readonly budget: NetworkBudget,
  ) {}

  /** The commit `tag` points to (through annotated tags), or why it is not a commit. */
  async peel(tag: string): Promise<{ commit: string } | { not: string }> {
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), "pgbake-tags-"));
      await git(this.remote, ["init", "--quiet", "--bare", this.dir], this.budget, "git init");
      await git(this.remote, ["remote", "add", "upstream", this.remote], this.budget, "git remote add", this.dir);
    }
    this.budget.progress(`fetching tag ${tag} of ${this.remote}`);
    const ref = `refs/tags/${tag}`;
    await git(this.remote, ["fetch", "--quiet", "--no-tags", "--depth=1", "--filter=tree:0", "upstream", `+${ref}:${ref}`], this.budget, `git fetch of tag ${tag}`, this.dir);
    const type = (await git(this.remote, ["cat-file", "-t", `${ref}^{}`], this.budget, "git cat-file", this.dir)).trim();
    if (type !== "commit") return { not: `points to a ${type}, not a commit` };
    return { commit: (await git(this.remote, ["rev-parse", `${ref}^{}`], this.budget, "git rev-parse", this.dir)).trim() };
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
