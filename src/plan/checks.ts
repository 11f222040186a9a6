// The post-plan step: checks that need to know what is built. Always: every target and group name
// claimed once (unique-names.ts), extensions that no image can
// hold for their platforms (platforms.ts), images that cannot start (plan/composition.ts) and every
// tag names one image of its repository (unique-tags.ts). With
// `generate --release`: everything that goes into a published image must be pinned. Bases by
// digest (a tag can be re-pushed) and source builds by full commit (a git tag can move).
import type { SourceDoc } from "../load/index.js";
import type { Catalog, Plan, ProjectConfig } from "../model/types.js";
import { InputError } from "../model/errors.js";
import { checkComposition } from "./composition.js";
import { isGitUrl } from "../model/naming.js";
import { fieldSource, formatPath, positionOf, type PathSegment } from "../validate/position.js";
import { checkPlatformCoverage } from "./platforms.js";
import { checkUniqueNames } from "./unique-names.js";
import { checkUniqueTags } from "./unique-tags.js";

const fullCommit = /^[0-9a-f]{40}$/;
const pinnedImage = /@sha256:[0-9a-f]{64}$/;

export interface PlanChecks {
  /** Refuse unpinned bases and sources. */
  release?: boolean;
}

/** Every problem the checks in `checks` find, with file and position; empty when all pass. */
export function checkPlan(checks: PlanChecks, config: ProjectConfig, catalog: Catalog, plan: Plan, configDoc: SourceDoc, extensionDocs: SourceDoc[]): InputError[] {
  // Two targets of one name also share their tags and images: the name clash is the one mistake to report.
  const names = checkUniqueNames(plan, configDoc);
  if (names.length > 0) return names;
  // Images that cannot start, and tags naming two images, are refused whatever the command.
  const composition = checkComposition(config, catalog, plan, configDoc);
  const platforms = checkPlatformCoverage(config, catalog, plan, new Map(extensionDocs.map((d) => [d.file, d])));
  return [...platforms, ...composition, ...checkUniqueTags(config, plan, configDoc), ...(checks.release ? checkRelease(config, catalog, plan, configDoc, extensionDocs) : [])];
}

function checkRelease(config: ProjectConfig, catalog: Catalog, plan: Plan, configDoc: SourceDoc, extensionDocs: SourceDoc[]): InputError[] {
  const errors: InputError[] = [];
  const at = (src: SourceDoc, path: PathSegment[], message: string): void => {
    const pos = positionOf(src, path);
    errors.push(new InputError(src.file, pos.line, pos.column, formatPath(path), message));
  };
  const usedBases = new Set(plan.runtimes.map((r) => r.base));
  for (const base of config.bases)
    if (usedBases.has(base.name) && !pinnedImage.test(base.image)) at(configDoc, ["bases", base.name, "image"], `base image '${base.image}' is not pinned by digest (add @sha256:...) for a release`);
  // Only what is built: a disabled or never-kept extension cannot change a published image.
  const built = new Set(plan.extensionImages.map((t) => t.extension));
  const docs = new Map(extensionDocs.map((d) => [d.file, d]));
  for (const ext of catalog.extensions) {
    if (!built.has(ext.name) || !ext.source) continue;
    if (!isGitUrl(ext.source.git)) continue; // a local directory is the build's own input
    if (!fullCommit.test(ext.source.ref)) at(fieldSource(ext, "source", docs), ["source", "ref"], `source ref '${ext.source.ref}' is not a full 40-hex commit; a tag or branch can move`);
  }
  return errors;
}
