// Reading an input file as text: only a regular file (a FIFO or a device is refused, never waited
// on), bounded by the bytes actually read (not the size the file reports: /dev/zero, /proc), strict UTF-8 (a bad
// byte is an error at its line and column, never a silent U+FFFD), normalised to NFC.
//
// NFC at load rather than rejecting other forms: buildx (and most tools after it) compare and
// print text in NFC, so a value such as "Cafe\u0301" would not round-trip through the bake file
// as written; the two forms are canonically equivalent (the same text to a reader), and editors
// differ in which one they save. Normalising first also makes "Café" typed both ways one key for
// the duplicate-key check.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { isUtf8 } from "node:buffer";
import { InputError, InputErrors } from "../model/errors.js";

/** Larger than any sensible config or catalog file by far; bounds memory and time before parsing. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(buf: Buffer): number {
  for (let i = 0; i < buf.length;) {
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

const kindOf = (st: Stats): string =>
  st.isFIFO() ? "a FIFO" : st.isCharacterDevice() || st.isBlockDevice() ? "a device" : st.isSocket() ? "a socket" : st.isDirectory() ? "a directory" : "not a file";

/** A problem with reading a file as a whole (a message without the file's name), or its bytes. */
export type ReadResult = { bytes: Buffer } | { problem: string; code?: string };

/**
 * The bytes of a regular file, at most `max` of them: opened without waiting (O_NONBLOCK, so a
 * FIFO with no writer cannot hang the run), refused unless it is a regular file, and counted as read.
 */
export function readRegularFile(file: string, max = MAX_FILE_BYTES): ReadResult {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { problem: "cannot read file", code: (err as NodeJS.ErrnoException).code ?? "error" };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { problem: `cannot read file: it is ${kindOf(st)}; pgbake reads regular files only` };
    const limit = `pgbake reads input files of up to ${max} bytes${max === MAX_FILE_BYTES ? " (1 MiB)" : ""}`;
    if (st.size > max) return { problem: `the file is ${st.size} bytes; ${limit}` };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) return { problem: `the file holds more than ${max} bytes (more than the ${st.size} it reports); ${limit}` };
      chunks.push(chunk.subarray(0, n));
    }
    return { bytes: Buffer.concat(chunks, total) };
  } catch (err) {
    return { problem: "cannot read file", code: (err as NodeJS.ErrnoException).code ?? "error" };
  } finally {
    closeSync(fd);
  }
}

export function readInputText(file: string): string {
  const read = readRegularFile(file);
  if (!("bytes" in read)) throw new InputErrors([new InputError(file, 0, 0, "", read.code ? `${read.problem} (${read.code})` : read.problem)]);
  const buf = read.bytes;
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
