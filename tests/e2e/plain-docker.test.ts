// An operand image under plain Docker, used the way users of the Docker Official Image use theirs:
// POSTGRES_USER/PASSWORD/DB, POSTGRES_INITDB_ARGS and /docker-entrypoint-initdb.d on a volume's
// first start only, reached over TCP with password authentication from another container; a
// failing init script stops the container; and a command other than the server (what
// CloudNativePG does, with its instance manager) runs untouched. One image the shared e2e build
// already pushed; every container and volume here is this file's own.
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker, e2ePlan, imageRef } from "../helpers/e2e.js";
import { tempDir } from "../helpers/workspace.js";

const { plan } = e2ePlan();
const target = plan.operands.find((o) => o.name === "postgresql-17-minimal-trixie")!;
// PGBAKE_PLAIN_DOCKER_IMAGE runs this file alone against an image built elsewhere.
const image = process.env.PGBAKE_PLAIN_DOCKER_IMAGE ?? imageRef(target);
const work = tempDir("pgbake-plain-docker-");
const prefix = `pgbake-plain-docker-${process.pid}`;
const containers: string[] = [];
const volumes: string[] = [];
const password = "s3cret pass'word";
const user = "app_owner";
const database = "app db";

const container = (name: string): string => {
  containers.push(`${prefix}-${name}`);
  return `${prefix}-${name}`;
};
const volume = (name: string): string => {
  volumes.push(`${prefix}-${name}`);
  return `${prefix}-${name}`;
};
const dataMount = (vol: string): string[] => ["--mount", `type=volume,source=${vol},target=/var/lib/postgresql/data`];
const initMount = (dir: string): string[] => ["--mount", `type=bind,source=${dir},target=/docker-entrypoint-initdb.d,readonly`];
const logsOf = async (name: string): Promise<string> => {
  const r = await docker(["logs", name], { reject: false });
  return `${r.stdout}\n${r.stderr}`;
};

/** Waits until the server in `name` accepts connections on its usual socket; throws with its logs if it stops. */
async function ready(name: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if ((await docker(["exec", name, "pg_isready", "-q"], { reject: false })).exitCode === 0) return;
    const running = await docker(["inspect", "-f", "{{.State.Running}}", name], { reject: false });
    if (running.stdout.trim() !== "true") break;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`the server in ${name} did not come up:\n${await logsOf(name)}`);
}

/** psql over TCP from another container (the image's own psql, run through its entrypoint). */
async function psqlOverTcp(server: string, as: { user: string; password: string; database: string; port?: number }, sql: string) {
  const ip = (await docker(["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", server])).stdout.trim();
  const where = ["-h", ip, "-p", String(as.port ?? 5432), "-U", as.user, "-d", as.database];
  return docker(["run", "--rm", "-e", `PGPASSWORD=${as.password}`, image, "psql", ...where, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], { reject: false });
}

/** An init directory: each file's content, and whether it is executable. */
function initDir(name: string, files: Record<string, { content: string | Buffer; executable?: boolean }>): string {
  const dir = join(work.dir, name);
  mkdirSync(dir);
  for (const [file, { content, executable }] of Object.entries(files)) {
    writeFileSync(join(dir, file), content);
    chmodSync(join(dir, file), executable ? 0o755 : 0o644);
  }
  return dir;
}

const record = (step: number, what: string): string => `INSERT INTO init_order VALUES (${step}, '${what}');\n`;
let scripts: string;

beforeAll(async () => {
  if (!process.env.PGBAKE_PLAIN_DOCKER_IMAGE) {
    const run = inject("e2eBake");
    expect(run.exitCode, run.output.slice(-4000)).toBe(0);
  }
  await docker(["pull", "-q", image]);
  scripts = initDir("scripts", {
    // Run (executable), with the environment the entrypoint gives scripts: psql needs no options.
    "01-create.sh": {
      executable: true,
      content: `#!/bin/sh\nset -e\npsql -c "CREATE TABLE init_order (step int, what text)"\npsql -c "INSERT INTO init_order VALUES (1, 'sh as ' || current_user || ' on ' || current_database())"\n`,
    },
    "02-plain.sql": { content: record(2, "sql") },
    "03-zipped.sql.gz": { content: gzipSync(record(3, "sql.gz")) },
    // Sourced (not executable), in bash: POSTGRES_DB is the entrypoint's variable.
    "04-sourced.sh": { content: `if [[ -n "$POSTGRES_DB" ]]; then psql -c "${record(4, "sourced").trim()}"; fi\n` },
    "05-notes.txt": { content: "not a script: ignored\n" },
  });
});

afterAll(async () => {
  if (containers.length > 0) await docker(["rm", "-f", "-v", ...containers], { reject: false });
  if (volumes.length > 0) await docker(["volume", "rm", "-f", ...volumes], { reject: false });
  work.cleanup();
});

describe(`${target.name} under plain Docker`, () => {
  const data = volume("data");

  it("creates the user, database and password it is given, with POSTGRES_INITDB_ARGS, and runs the init files once, in order", async () => {
    const first = container("first");
    const env = { POSTGRES_PASSWORD: password, POSTGRES_USER: user, POSTGRES_DB: database, POSTGRES_INITDB_ARGS: "--data-checksums --locale=C" };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await docker(["run", "-d", "--name", first, ...envArgs, ...dataMount(data), ...initMount(scripts), image]);
    await ready(first);

    const as = { user, password, database };
    const rows = await psqlOverTcp(first, as, "SELECT step || ': ' || what FROM init_order ORDER BY step");
    expect(rows.stderr).toBe("");
    expect(rows.stdout.split("\n")).toEqual(["1: sh as app_owner on app db", "2: sql", "3: sql.gz", "4: sourced"]);
    const facts = await psqlOverTcp(
      first,
      as,
      "SELECT current_setting('data_checksums'), datcollate, (SELECT string_agg(rolname, ',') FROM pg_roles WHERE rolsuper) FROM pg_database WHERE datname = current_database()",
    );
    expect(facts.stdout).toBe(`on|C|${user}`);
    // Password authentication, not trust: a wrong password is refused.
    const wrong = await psqlOverTcp(first, { ...as, password: "wrong" }, "SELECT 1");
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toContain(`password authentication failed for user "${user}"`);
    const logs = await logsOf(first);
    expect(logs).toContain("ignoring /docker-entrypoint-initdb.d/05-notes.txt");
    await docker(["stop", first]);

    // The same volume again: the cluster is there, nothing runs twice.
    const second = container("second");
    await docker(["run", "-d", "--name", second, ...envArgs, ...dataMount(data), ...initMount(scripts), image]);
    await ready(second);
    const again = await psqlOverTcp(second, as, "SELECT count(*) FROM init_order");
    expect(again.stdout).toBe("4");
    const secondLogs = await logsOf(second);
    expect(secondLogs).toContain("holds a cluster: no initialisation");
    expect(secondLogs).not.toContain("initdb.d/01-create.sh");
  });

  it("without a password, rejects TCP connections and serves its socket; PGPORT is the server's port", async () => {
    const name = container("nopassword");
    // POSTGRES_DB makes it start a server while initialising, on PGPORT; the final one keeps PGPORT too.
    await docker(["run", "-d", "--name", name, "-e", "PGPORT=6543", "-e", "POSTGRES_DB=other", ...dataMount(volume("nopassword")), image]);
    await ready(name);
    const socket = await docker(["exec", name, "psql", "-U", "postgres", "-d", "other", "-XAtc", "SELECT current_user, current_setting('port')"]);
    expect(socket.stdout).toBe("postgres|6543");
    const tcp = await psqlOverTcp(name, { user: "postgres", password: "", database: "postgres", port: 6543 }, "SELECT 1");
    expect(tcp.exitCode).not.toBe(0);
    expect(tcp.stderr).toMatch(/pg_hba\.conf rejects connection/);
    expect(await logsOf(name)).toContain("no POSTGRES_PASSWORD: connections over TCP are rejected");
  });

  it("stops with a non-zero exit and the failing script's error, and refuses the half-made cluster next time", async () => {
    const failing = initDir("failing", {
      "01-broken.sql": { content: "SELECT * FROM no_such_table;\n" },
      "02-after.sql": { content: "CREATE TABLE never_made (x int);\n" },
    });
    const vol = volume("failing");
    const run = await docker(["run", "--name", container("failing"), "-e", "POSTGRES_PASSWORD=x", ...dataMount(vol), ...initMount(failing), image], { reject: false });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.exitCode, output).not.toBe(0);
    expect(output).toContain('relation "no_such_table" does not exist');
    expect(output).toContain("initialising /var/lib/postgresql/data failed");
    expect(output).not.toContain("02-after.sql");

    const next = await docker(["run", "--rm", "-e", "POSTGRES_PASSWORD=x", ...dataMount(vol), image], { reject: false });
    expect(next.exitCode).not.toBe(0);
    expect(next.stderr).toContain("holds a cluster whose initialisation failed: empty it to start over");
  });

  it("runs any other command as given, as uid 26, without initialising (CloudNativePG replaces the command)", async () => {
    const vol = volume("untouched");
    const marker = initDir("marker", { "01-mark.sh": { executable: true, content: '#!/bin/sh\ntouch "$PGDATA/init-ran"\n' } });
    const run = (cmd: string[]) => docker(["run", "--rm", "-e", "POSTGRES_PASSWORD=x", "-e", "POSTGRES_DB=other", ...dataMount(vol), ...initMount(marker), image, ...cmd], { reject: false });
    const version = await run(["postgres", "--version"]);
    expect(version.stdout).toMatch(new RegExp(`^postgres \\(PostgreSQL\\) ${target.pgVersion.replace(".", "\\.")}\\b`));
    const other = await run(["pg_controldata", "--version"]);
    expect(other.stdout).toMatch(/^pg_controldata \(PostgreSQL\)/);
    const shell = await run(["bash", "-c", 'id -u; ls -A "$PGDATA" | wc -l']);
    expect(shell.stdout.split("\n")).toEqual(["26", "0"]);
    for (const r of [version, other, shell]) {
      expect(r.exitCode).toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toContain("pgbake-entrypoint");
    }
  });

  it("started as root, gives a root-owned bind mount to uid 26 and runs the server as it; reads POSTGRES_PASSWORD_FILE", async () => {
    const dir = join(work.dir, "root-owned");
    mkdirSync(dir);
    const secret = join(work.dir, "secret");
    writeFileSync(secret, "from a file");
    const name = container("root");
    const secretMount = ["--mount", `type=bind,source=${secret},target=/run/secrets/pg,readonly`];
    const dataBind = ["--mount", `type=bind,source=${dir},target=/var/lib/postgresql/data`];
    await docker(["run", "-d", "--name", name, "--user", "0", "-e", "POSTGRES_PASSWORD_FILE=/run/secrets/pg", ...secretMount, ...dataBind, image]);
    await ready(name);
    expect(statSync(join(dir, "PG_VERSION")).uid).toBe(26);
    const login = await psqlOverTcp(name, { user: "postgres", password: "from a file", database: "postgres" }, "SELECT current_user");
    expect(login.stdout, login.stderr).toBe("postgres");
    const top = await docker(["top", name, "-o", "pid,uid,args"]);
    const postmaster = top.stdout.split("\n").find((l) => /\s(\/\S+\/)?postgres$/.test(l.trim()));
    expect(postmaster, top.stdout).toBeDefined();
    expect(postmaster!.trim().split(/\s+/)[1]).toBe("26");
  });
});
