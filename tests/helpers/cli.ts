// Runs the built CLI as a user would (node dist/...), capturing output and exit code.
import { execa } from "execa";
import { join } from "node:path";
import { repoRoot } from "./workspace.js";

export const cliPath = join(repoRoot, "dist/src/cli/main.js");

/** What a run of pgbake gives back, whether in a child process (here) or in process (cli-in-process.ts). */
export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function pgbake(args: string[], cwd = repoRoot): Promise<CliResult> {
  const r = await execa("node", [cliPath, ...args], { cwd, reject: false });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}
