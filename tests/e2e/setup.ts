// One build of the e2e config for every e2e file: `pgbake generate` + `pgbake bake --push`, run
// once before them; each file reads its result with inject("e2eBake").
import type { TestProject } from "vitest/node";
import { e2eConfig, generateAndBake, type BakeRun } from "../helpers/e2e.js";

declare module "vitest" {
  export interface ProvidedContext {
    e2eBake: BakeRun;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const run = await generateAndBake(e2eConfig, ["--push"]);
  project.provide("e2eBake", run);
}
