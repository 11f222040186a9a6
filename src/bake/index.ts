// Stage 6 (optional): run `docker buildx bake` on the generated files.
import { execa } from "execa";
import { shellWord } from "../render/escape.js";

export interface BakeOptions {
  outDir: string;
  targets: string[];
  push?: boolean;
  check?: boolean;
  print?: boolean;
  set?: string[];
  registry?: string;
  extraArgs?: string[];
  /** Which generated bake file to read (default docker-bake.hcl); see plan/partition.ts. */
  bakeFile?: string;
}

export function bakeCommand(opts: BakeOptions): { file: string; args: string[]; cwd: string; env: Record<string, string> } {
  const args = ["buildx", "bake", "--file", opts.bakeFile ?? "docker-bake.hcl"];
  if (opts.push) args.push("--push");
  if (opts.check) args.push("--check");
  if (opts.print) args.push("--print");
  for (const s of opts.set ?? []) args.push("--set", s);
  args.push(...(opts.extraArgs ?? []), ...opts.targets);
  return { file: "docker", args, cwd: opts.outDir, env: opts.registry ? { registry: opts.registry } : {} };
}

/** The command as one shell line, for --dry-run: every word through the one shell-quoting helper. */
export function formatCommand(cmd: ReturnType<typeof bakeCommand>): string {
  const env = Object.entries(cmd.env).map(([k, v]) => `${k}=${shellWord(v)} `).join("");
  return `cd ${shellWord(cmd.cwd)} && ${env}${cmd.file} ${cmd.args.map(shellWord).join(" ")}`;
}

export async function runBake(opts: BakeOptions): Promise<number> {
  const cmd = bakeCommand(opts);
  const result = await execa(cmd.file, cmd.args, {
    cwd: cmd.cwd,
    env: cmd.env,
    stdio: "inherit",
    reject: false,
  });
  return result.exitCode ?? 1;
}
