// A command used wrongly (a missing or bad option): the CLI prints the message and the usage, exit 2.
import type { ParseArgsConfig } from "node:util";
import { PgbakeError } from "../model/errors.js";
import { didYouMean } from "../validate/suggest.js";

export class UsageError extends PgbakeError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** A usage error's message; an unknown option gets the closest one the command takes. */
export function usageMessage(err: Error, options: NonNullable<ParseArgsConfig["options"]>): string {
  const unknown = (err as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'(-[^']*)'/.exec(err.message)?.[1] : undefined;
  if (unknown === undefined) return err.message;
  const flags = Object.entries(options).flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}`] : [])]);
  const hint = didYouMean(unknown, flags);
  return hint ? `unknown option '${unknown}'${hint}` : err.message;
}
