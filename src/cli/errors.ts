// The one place where any error becomes what the user sees: a message on stderr (control
// characters escaped, no stack trace) and an exit code: 2 bad input or a path pgbake cannot use,
// 1 a failure of the machine or a build. PGBAKE_DEBUG=1 adds the stack of an unexpected error.
import { exitCodeOf, fromErrno, InputErrors, PgbakeError, visible } from "../model/errors.js";

/** Each line made visible on its own: newlines between lines stay, any other control character is escaped. */
export const visibleLines = (text: string): string => text.split("\n").map(visible).join("\n");

export function reportError(err: unknown, write: (s: string) => void = (s) => void process.stderr.write(s)): number {
  if (err instanceof InputErrors) {
    write(`pgbake: ${err.errors.length} problem(s) in the input:\n${err.message}\n`);
    return exitCodeOf(err);
  }
  const known = err instanceof PgbakeError ? err : fromErrno(err);
  if (known) {
    write(`pgbake: ${visibleLines(known.message)}\n`);
    return exitCodeOf(known);
  }
  const message = err instanceof Error ? err.message : String(err);
  const debug = process.env.PGBAKE_DEBUG && err instanceof Error && err.stack ? `\n${err.stack}` : "";
  write(`pgbake: internal error: ${visibleLines(message)}${debug}\n(a bug in pgbake: run again with PGBAKE_DEBUG=1 for details)\n`);
  return exitCodeOf(err);
}
