// A PostgreSQL server in a container of a pgbake image (its entrypoint runs initdb on a first
// start, then `postgres "$@"`; without POSTGRES_PASSWORD only the socket accepts connections),
// driven through `docker exec psql`.
import { PgbakeError } from "../model/errors.js";
import type { Docker, DockerResult } from "./docker.js";

export interface ServerOptions {
  image: string;
  platform?: string;
  /** Read-only image mounts (CloudNativePG's image volumes). */
  imageMounts?: { image: string; target: string }[];
  /** A named volume and where it goes (the data directory's parent, for upgrades). */
  volume?: { name: string; target: string };
  /** `postgres -c NAME=VALUE` settings. */
  settings?: Record<string, string>;
  env?: Record<string, string>;
  /** How long to wait for connections, in seconds. */
  readySeconds?: number;
}

/** The server did not come up; `logs` is what it printed. */
export class ServerStartError extends PgbakeError {
  constructor(
    message: string,
    readonly logs: string,
  ) {
    super(message, 1);
  }
}

let started = 0;

export class PgServer {
  private constructor(
    private readonly docker: Docker,
    readonly id: string,
    readonly image: string,
  ) {}

  /** Starts the server and waits until it accepts connections; on failure, removes the container. */
  static async start(docker: Docker, opts: ServerOptions): Promise<PgServer> {
    // Named before it exists, so that a container docker created but could not start is removed too.
    const name = `pgbake-test-${process.pid}-${++started}`;
    const args = ["run", "-d", "--name", name, "--label", "dev.pgbake.test=1"];
    if (opts.platform) args.push("--platform", opts.platform);
    for (const m of opts.imageMounts ?? []) args.push("--mount", `type=image,source=${m.image},target=${m.target}`);
    if (opts.volume) args.push("--mount", `type=volume,source=${opts.volume.name},target=${opts.volume.target}`);
    for (const [k, v] of Object.entries(opts.env ?? {})) args.push("--env", `${k}=${v}`);
    args.push(opts.image, "postgres");
    for (const [k, v] of Object.entries(opts.settings ?? {})) args.push("-c", `${k}=${v}`);
    docker.own("container", name);
    const r = await docker.run(args);
    const server = new PgServer(docker, name, opts.image);
    if (r.exitCode !== 0) {
      await server.remove();
      // Docker 28 warns that image mounts are experimental: the error is the rest.
      const why = r.stderr
        .split("\n")
        .filter((l) => l.trim() && !l.startsWith("WARNING:"))
        .join(" ");
      throw new ServerStartError(`docker run ${opts.image} failed: ${why.trim() || `exit ${r.exitCode}`}`, "");
    }
    try {
      await server.waitReady(opts.readySeconds ?? 180);
    } catch (err) {
      await server.remove();
      throw err;
    }
    return server;
  }

  private async waitReady(seconds: number): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    let running = true;
    while (Date.now() < deadline) {
      const r = await this.docker.run(["exec", this.id, "pg_isready", "-q", "-U", "postgres"]);
      if (r.exitCode === 0) {
        // pg_isready answers during a shutdown too; a query proves the server is serving.
        const q = await this.sql("SELECT 1");
        if (q.exitCode === 0) return;
      }
      const state = await this.docker.run(["inspect", "-f", "{{.State.Running}}", this.id]);
      if (state.stdout.trim() !== "true") {
        running = false;
        break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    const why = running ? `did not accept connections within ${seconds} s` : "exited";
    throw new ServerStartError(`PostgreSQL in ${this.image} ${why}`, await this.logs());
  }

  async logs(): Promise<string> {
    const r = await this.docker.run(["logs", this.id]);
    return [r.stdout, r.stderr].filter(Boolean).join("\n");
  }

  /** Runs SQL with ON_ERROR_STOP, tuples only: a failing statement gives a non-zero exit code. */
  sql(sql: string, database = "postgres"): Promise<DockerResult> {
    const args = ["exec", "-i", this.id, "psql", "-U", "postgres", "-d", database, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-f", "-"];
    return this.docker.run(args, { input: sql });
  }

  exec(cmd: string[]): Promise<DockerResult> {
    return this.docker.run(["exec", this.id, ...cmd]);
  }

  /** A clean shutdown (the image's STOPSIGNAL is SIGINT: a fast shutdown), for a data directory reused later. */
  async stop(): Promise<void> {
    await this.docker.run(["stop", "-t", "60", this.id]);
  }

  async remove(): Promise<void> {
    await this.docker.release("container", this.id);
  }
}

/** An SQL identifier, double-quoted. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** An SQL string literal. */
export const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;
/** psql's error output without its `psql:<stdin>:LINE:` prefixes: the server's own words. */
export const psqlError = (stderr: string): string => stderr.replace(/^psql:<stdin>:\d+: /gm, "").trim();
