// A PostgreSQL server in a container of a built image, driven through `docker exec psql`.
import { docker } from "./e2e.js";

export class PgContainer {
  private constructor(readonly id: string) {}

  /** `docker run -d` with the image's own entrypoint (initdb on first start), then wait for it. */
  static async start(image: string, args: string[] = [], platform?: string): Promise<PgContainer> {
    const run = ["run", "-d", ...(platform ? ["--platform", platform] : []), image, ...args];
    const { stdout } = await docker(run);
    const pg = new PgContainer(stdout.trim());
    await pg.waitReady();
    return pg;
  }

  private async waitReady(): Promise<void> {
    for (let i = 0; i < 240; i++) {
      const r = await docker(["exec", this.id, "pg_isready", "-q", "-U", "postgres"], { reject: false });
      if (r.exitCode === 0) return;
      const state = await docker(["inspect", "-f", "{{.State.Running}}", this.id]);
      if (state.stdout.trim() !== "true") break;
      await new Promise((res) => setTimeout(res, 500));
    }
    const logs = await docker(["logs", this.id], { reject: false });
    throw new Error(`PostgreSQL in ${this.id} did not become ready:\n${logs.stdout}\n${logs.stderr}`);
  }

  /** Runs SQL with ON_ERROR_STOP: a failing statement fails (exit code and stderr returned). */
  async sql(sql: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return docker(["exec", "-i", this.id, "psql", "-U", "postgres", "-X", "-v", "ON_ERROR_STOP=1", "-At", "-f", "-"], {
      reject: false,
      input: sql,
    });
  }

  async exec(cmd: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return docker(["exec", this.id, ...cmd], { reject: false });
  }

  async remove(): Promise<void> {
    await docker(["rm", "-f", "-v", this.id], { reject: false });
  }
}

/** The SQL that proves an extension: CREATE EXTENSION (CASCADE) for each SQL name, then its smoke test. */
export function extensionSql(sqlNames: string[], smokeTest?: string): string {
  const quote = (n: string): string => `"${n.replace(/"/g, '""')}"`;
  const creates = sqlNames.map((n) => `CREATE EXTENSION IF NOT EXISTS ${quote(n)} CASCADE;`);
  return [...creates, ...(smokeTest ? [`${smokeTest};`] : [])].join("\n");
}
