// Stage 6 (optional): run `docker buildx bake` on the generated files.
import { StringDecoder } from "node:string_decoder";
import { run } from "../model/process.js";
import { shellWord } from "../model/shell.js";
import { BakeLog, type BakeFailures } from "./failures.js";

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
  const env = Object.entries(cmd.env)
    .map(([k, v]) => `${k}=${shellWord(v)} `)
    .join("");
  return `cd ${shellWord(cmd.cwd)} && ${env}${cmd.file} ${cmd.args.map(shellWord).join(" ")}`;
}

/**
 * Runs the bake. buildx's stderr (its progress) passes through as it comes and is read on the way
 * (failures.ts): a failed build ends with the summary of what failed, after buildx's own output.
 */
export async function runBake(opts: BakeOptions): Promise<{ exitCode: number; failures?: BakeFailures }> {
  const cmd = bakeCommand(opts);
  const log = new BakeLog();
  const text = new StringDecoder("utf8");
  const { exitCode } = await run(cmd.file, cmd.args, {
    cwd: cmd.cwd,
    env: cmd.env,
    inheritStdio: true,
    onStderr: (chunk) => {
      process.stderr.write(chunk);
      log.feed(text.write(chunk));
    },
  });
  return exitCode === 0 ? { exitCode } : { exitCode, failures: log.result() };
}
