// Reading an input file as text: bounded in size (checked before reading), strict UTF-8 (a bad
// byte is an error at its line and column, never a silent U+FFFD), normalised to NFC.
//
// NFC at load rather than rejecting other forms: buildx (and most tools after it) compare and
// print text in NFC, so a value such as "Cafe\u0301" would not round-trip through the bake file
// as written; the two forms are canonically equivalent (the same text to a reader), and editors
// differ in which one they save. Normalising first also makes "Café" typed both ways one key for
// the duplicate-key check.
import { readFileSync, statSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { InputError, InputErrors } from "../model/errors.js";

/** Larger than any sensible config or catalog file by far; bounds memory and time before parsing. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    const second = buf[i + 1] ?? 0;
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    for (let k = 1; k < len; k++) if (((buf[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += len;
  }
  return -1;
}

export function readInputText(file: string): string {
  let buf: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_FILE_BYTES)
      throw new InputErrors([new InputError(file, 0, 0, "", `the file is ${size} bytes; pgbake reads input files of up to ${MAX_FILE_BYTES} bytes (1 MiB)`)]);
    buf = readFileSync(file);
  } catch (err) {
    if (err instanceof InputErrors) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new InputErrors([new InputError(file, 0, 0, "", `cannot read file (${code})`)]);
  }
  if (!isUtf8(buf)) {
    const at = firstInvalidByte(buf);
    const lineStart = at === 0 ? 0 : buf.lastIndexOf(0x0a, at - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (buf[i] === 0x0a) line++;
    const column = buf.subarray(lineStart, at).toString("utf8").length + 1;
    const byte = buf[at]!.toString(16).padStart(2, "0");
    throw new InputErrors([new InputError(file, line, column, "", `invalid UTF-8: byte 0x${byte} (byte ${at} of the file); save the file as UTF-8`)]);
  }
  // TextDecoder drops a byte order mark; NFC: see above.
  return new TextDecoder("utf-8").decode(buf).normalize("NFC");
}
