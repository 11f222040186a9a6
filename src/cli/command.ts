// What a command of the CLI is: its usage line, summary and options, and a `run` that receives the
// options as node:util parseArgs types them from the declaration (a boolean flag is a boolean, a
// repeatable one a list), so no command casts what it was given.
import type { parseArgs, ParseArgsConfig } from "node:util";
import { BAKE_FILES_MODES, type BakeFilesMode } from "../model/input.generated.js";
import type { InputPaths } from "../pipeline/index.js";
import { UsageError } from "./usage.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** The options every command takes. */
export const common = {
  config: { type: "string", short: "c" },
  extensions: { type: "string", short: "e", multiple: true },
  out: { type: "string", short: "o" },
  "bake-files": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/** The values parseArgs gives for `common` and `O`. */
export type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: typeof common & O; allowPositionals: true; strict: true }>>["values"];

export interface Command<O extends Options = Options> {
  usage: string;
  summary: string;
  options: O;
  run(values: Values<O>, positionals: string[]): Promise<number> | number;
}

/** main.ts keeps commands of every option shape in one table and parses with each one's own options. */
export interface AnyCommand {
  usage: string;
  summary: string;
  options: Options;
  run(values: Values<Options>, positionals: string[]): Promise<number> | number;
}

/** A command with typed options. The one cast: parseArgs with these very options made the values. */
export const command = <const O extends Options>(c: Command<O>): AnyCommand => c as unknown as AnyCommand;

const isBakeFilesMode = (mode: string): mode is BakeFilesMode => (BAKE_FILES_MODES as readonly string[]).includes(mode);

/** The common options as the pipeline's input paths. */
export function pathsOf(v: Values<Options>): InputPaths {
  const mode = v["bake-files"];
  if (mode !== undefined && !isBakeFilesMode(mode)) throw new UsageError(`--bake-files takes ${BAKE_FILES_MODES.join(", ")}, not '${mode}'`);
  return { config: v.config, extensions: v.extensions, out: v.out, bakeFiles: mode };
}

export const print = (s: string): void => void process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
export const onWait = (message: string): void => void process.stderr.write(`pgbake: ${message}\n`);
