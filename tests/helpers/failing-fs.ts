// The writer's file system (src/write/fs.ts) with one call failing as a broken disk would: the
// fault tests stop a write or an update at each of its filesystem calls in turn.
import { nodeFs, type WriterFs } from "../../src/write/fs.js";

/** node:fs, but call number `failAt` (counting every call into `count`) fails with EIO. */
export function failingFs(failAt: number, count = { calls: 0 }): WriterFs {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(nodeFs) as [string, (...a: unknown[]) => unknown][])
    wrapped[name] = (...args: unknown[]) => {
      if (++count.calls === failAt) throw Object.assign(new Error("EIO: injected"), { code: "EIO", syscall: name });
      return fn(...args);
    };
  return wrapped as unknown as WriterFs;
}
