// Preload (`node --import`) that SIGKILLs the process at its Nth filesystem call that changes
// something (PGBAKE_KILL_AT_STEP=N), as a crash or a power cut would stop it; with
// PGBAKE_FAIL_AT_STEP=N that call fails with EIO instead. pgbake reads node:fs through its default
// export at each call (src/write/fs.ts), so wrapping the functions here reaches the writer.
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const killAt = Number(process.env.PGBAKE_KILL_AT_STEP ?? 0);
const failAt = Number(process.env.PGBAKE_FAIL_AT_STEP ?? 0);
const mutating = ["writeFileSync", "renameSync", "linkSync", "unlinkSync", "rmdirSync", "rmSync", "mkdirSync", "chmodSync"];
let step = 0;
for (const name of mutating) {
  const real = fs[name];
  fs[name] = (...args) => {
    step++;
    if (step === killAt) process.kill(process.pid, "SIGKILL");
    if (step === failAt) throw Object.assign(new Error(`EIO: injected failure, ${name.replace("Sync", "")} '${args[0]}'`), { code: "EIO", syscall: name.replace("Sync", ""), path: String(args[0]) });
    return real(...args);
  };
}
syncBuiltinESMExports();
