// What a failed `docker buildx bake` comes down to, read from its plain progress output as it
// streams by: each failed target with the `pgbake: ...` lines its build printed (the generated
// Dockerfiles' own explanations, e.g. a pin the repository no longer serves), else buildx's error;
// and the targets buildx cancelled when the first one failed. buildx prints a failed step's log
// twice (while it runs, and in its closing error with the Dockerfile excerpt); the summary is
// what the user reads last. Only what the summary needs is kept, so a bake of a thousand targets
// costs no more memory than one.

export interface FailedTarget {
  target: string;
  /** `pgbake: ...` lines the failed step printed, in order, each once. */
  messages: string[];
  /** buildx's error for the step or the target, the RUN command's text left out. */
  error: string;
}

export interface BakeFailures {
  failed: FailedTarget[];
  /** Targets whose builds buildx stopped because another failed (never built). */
  cancelled: string[];
}

/** `#12 [target stage 2/3] RUN ...`: the target a step belongs to (BuildKit names one user of a shared step). */
const stepHeader = /^#(\d+) \[([^\]\s]+)[^\]]*\] /;
const stepPgbakeLine = /^#(\d+) \d+(?:\.\d+)? (pgbake: .*)$/;
const stepError = /^#(\d+) ERROR: (.*)$/;
const stepCancelled = /^#(\d+) CANCELED$/;
const targetError = /^ERROR: target (\S+): (.*)$/;

/** buildx quotes the whole RUN command in its error: the command is in the Dockerfile, the reason is what counts. */
export const shortError = (error: string): string => error.replace(/process "(?:[^"\\]|\\.)*" did not complete successfully/, "a RUN step did not complete successfully");

export class BakeLog {
  private readonly targetOf = new Map<string, string>();
  private readonly messages = new Map<string, string[]>();
  private readonly failedSteps = new Map<string, string>();
  private readonly cancelledSteps = new Set<string>();
  private readonly targetErrors = new Map<string, string>();
  private carry = "";

  /** A chunk of buildx's stderr, as it arrives. */
  feed(chunk: string): void {
    const lines = (this.carry + chunk).split("\n");
    this.carry = lines.pop()!;
    for (const line of lines) this.line(line.replace(/\r$/, ""));
  }

  private line(line: string): void {
    let m: RegExpExecArray | null;
    if ((m = stepHeader.exec(line)) && m[2] !== "internal" && !this.targetOf.has(m[1]!)) this.targetOf.set(m[1]!, m[2]!);
    else if ((m = stepPgbakeLine.exec(line))) {
      const list = this.messages.get(m[1]!) ?? [];
      if (!list.includes(m[2]!)) list.push(m[2]!);
      this.messages.set(m[1]!, list);
    } else if ((m = stepError.exec(line))) this.failedSteps.set(m[1]!, m[2]!);
    else if ((m = stepCancelled.exec(line))) this.cancelledSteps.add(m[1]!);
    else if ((m = targetError.exec(line))) this.targetErrors.set(m[1]!, m[2]!);
  }

  result(): BakeFailures {
    if (this.carry) this.line(this.carry);
    this.carry = "";
    const failed = new Map<string, FailedTarget>();
    for (const [step, error] of this.failedSteps) {
      const target = this.targetOf.get(step);
      if (!target) continue;
      const entry = failed.get(target) ?? { target, messages: [], error: shortError(this.targetErrors.get(target) ?? error) };
      for (const msg of this.messages.get(step) ?? []) if (!entry.messages.includes(msg)) entry.messages.push(msg);
      failed.set(target, entry);
    }
    for (const [target, error] of this.targetErrors) if (!failed.has(target)) failed.set(target, { target, messages: [], error: shortError(error) });
    const cancelled = [...new Set([...this.cancelledSteps].map((s) => this.targetOf.get(s)).filter((t): t is string => t !== undefined && !failed.has(t)))];
    return { failed: [...failed.values()], cancelled };
  }
}

/** The lines that close a failed bake: each failed target with pgbake's message (else buildx's), then what was cancelled. */
export function failureSummary(f: BakeFailures, exitCode: number): string {
  const lines: string[] = [];
  if (f.failed.length === 0) lines.push(`pgbake bake: docker buildx bake failed (exit ${exitCode}); its output above says why`);
  else lines.push(`pgbake bake: ${f.failed.length} target${f.failed.length === 1 ? "" : "s"} failed:`);
  for (const t of f.failed) {
    lines.push(`  ${t.target}:`);
    for (const msg of t.messages.length > 0 ? t.messages : [t.error]) lines.push(`    ${msg}`);
  }
  if (f.cancelled.length > 0) lines.push(`  not built (buildx stopped them when a target failed): ${f.cancelled.join(", ")}`);
  return `${lines.join("\n")}\n`;
}
