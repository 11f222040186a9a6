// HCL files read as data through hcl2json (the parser the tests already use for bake files).
// Nothing is evaluated: a value that is an expression (`"${...}"`) stays text, and the
// importers report it instead of guessing what it would become.
import { parse } from "@cdktn/hcl2json";
import { InputError, InputErrors } from "../model/errors.js";

/** hcl2json's error `FILE:4,8-5,1: message` as file:line:column. */
function syntaxError(file: string, message: string): InputError {
  const m = /:(\d+),(\d+)(?:-\d+(?:,\d+)?)?:\s*(.*?)\]?$/s.exec(message);
  return m ? new InputError(file, Number(m[1]), Number(m[2]), "", `invalid HCL: ${m[3]!.trim()}`) : new InputError(file, 1, 1, "", `invalid HCL: ${message}`);
}

export async function readHcl(file: string, text: string): Promise<Record<string, unknown>> {
  try {
    return (await parse(file, text)) as Record<string, unknown>;
  } catch (err) {
    throw new InputErrors([syntaxError(file, (err as Error).message)]);
  }
}

/** The line where `key =` (or `"key" =`) is first set in the text, else 1: where an error about that field points. */
export function lineOf(text: string, key: string, after = 1): number {
  const lines = text.split("\n");
  const re = new RegExp(`^\\s*"?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?\\s*=`);
  for (let i = Math.max(0, after - 1); i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return after > 1 ? lineOf(text, key) : 1;
}

/** HCL's escape `$${` is a literal `${`; an unescaped `${` is an expression hcl2json left unevaluated. */
export function literal(value: string): { text: string; expression: boolean } {
  const expression = /(^|[^$])\$\{/.test(value);
  return { text: value.replace(/\$\$\{/g, "${"), expression };
}
