// The outcome of `pgbake test`, as plain data for the summary table, JUnit XML and JSON.
import { PgbakeError } from "../model/errors.js";

/** The checks counted apart in the summary: each of these runs once per image, path or extension. */
export type CheckKind = "server-log" | "libraries" | "library-clash" | "upgrade-path" | "snapshot";

export interface CheckResult {
  name: string;
  /** For the checks counted apart; the others have none. */
  kind?: CheckKind;
  status: "passed" | "failed" | "skipped";
  seconds: number;
  /** What was seen (a version, the preload list); for a failure, why it failed. */
  detail?: string;
}

export interface VersionChange {
  extension: string;
  sqlName: string;
  before?: string;
  after?: string;
}

/** `together`: what the run's extension images of one major and base are checked for as a set (libraries/ togetherResults). */
export type TestMode = "operand" | "image-volume" | "copy" | "upgrade" | "together";

export interface SubjectResult {
  target: string;
  image: string;
  mode: TestMode;
  checks: CheckResult[];
  seconds: number;
  /** CREATE EXTENSION names created and smoke tested. */
  extensionsChecked: number;
  /** Server logs, when the server failed to start or a check failed. */
  logs?: string;
  /** Upgrades: each extension's version before and after ALTER EXTENSION UPDATE. */
  versions?: VersionChange[];
  /** Why this mode was used instead of the CloudNativePG one (PostgreSQL < 18). */
  note?: string;
}

export interface TestRun {
  started: string;
  seconds: number;
  subjects: SubjectResult[];
}

export const subjectFailed = (s: SubjectResult): boolean => s.checks.some((c) => c.status === "failed");
export const runFailed = (r: TestRun): boolean => r.subjects.some(subjectFailed);

/** Runs named checks one after another, timing each and turning exceptions into failures. */
export class Recorder {
  readonly checks: CheckResult[] = [];
  constructor(private readonly onCheck: (c: CheckResult) => void = () => {}) {}

  async check(name: string, fn: () => Promise<string | undefined | void>, kind?: CheckKind): Promise<boolean> {
    const started = Date.now();
    const k = kind ? { kind } : {};
    let result: CheckResult;
    try {
      const detail = await fn();
      result = { name, ...k, status: "passed", seconds: (Date.now() - started) / 1000, ...(detail ? { detail } : {}) };
    } catch (err) {
      const detail = err instanceof CheckFailure ? err.message : `${(err as Error).message ?? String(err)}`;
      result = { name, ...k, status: "failed", seconds: (Date.now() - started) / 1000, detail };
    }
    this.record(result);
    return result.status === "passed";
  }

  skip(name: string, why: string, kind?: CheckKind): void {
    this.record({ name, ...(kind ? { kind } : {}), status: "skipped", seconds: 0, detail: why });
  }

  fail(name: string, why: string, kind?: CheckKind): void {
    this.record({ name, ...(kind ? { kind } : {}), status: "failed", seconds: 0, detail: why });
  }

  get failed(): boolean {
    return this.checks.some((c) => c.status === "failed");
  }

  private record(c: CheckResult): void {
    this.checks.push(c);
    this.onCheck(c);
  }
}

/** A check's expected failure: its message is the whole story. */
export class CheckFailure extends PgbakeError {
  constructor(message: string) {
    super(message, 1);
  }
}

export function expect(condition: boolean, message: string): void {
  if (!condition) throw new CheckFailure(message);
}
