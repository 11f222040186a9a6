// Runs a GitHub workflow of a project on this machine, job by job: every `run:` step as written
// (bash -e, in a job workspace, with the workflow/job/step `env:` and GitHub's GITHUB_OUTPUT,
// GITHUB_ENV, RUNNER_TEMP, RUNNER_ARCH), `${{ }}` expressions evaluated for the forms the
// generated workflows use (and an error for any other), and each `uses:` step replaced by its
// local equivalent: checkout copies the project, setup-buildx checks the local builder, login
// checks that the registry it names is the local one and answers, the artifact actions copy
// files, setup-trivy installs Trivy from apt when Debian has it. An action without an equivalent
// fails the run; a step that needs what only GitHub has (keyless signing) is skipped, and a step
// this machine's builder cannot run as written is rewritten, each with its reason printed.
import { execa } from "execa";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  "runs-on": string;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { matrix: string };
  steps: Step[];
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

export interface RunnerOptions {
  /** The project directory: what actions/checkout gives each job. */
  project: string;
  /** Where job workspaces, RUNNER_TEMP and artifacts go. */
  work: string;
  /** host[:port] of the local registry: the only one a login may name. */
  registryHost: string;
  inputs?: Record<string, string>;
  vars?: Record<string, string>;
  /** Steps this machine cannot run, each with the reason printed when it is skipped. */
  skip?: { run: RegExp; reason: string }[];
  /** Text of `run:` steps this machine must run otherwise, each with the reason printed when applied. */
  rewrite?: { from: string; to: string; reason: string }[];
  log?: (line: string) => void;
}

export interface JobRun {
  job: string;
  matrix?: Record<string, string>;
  outputs: Record<string, string>;
  workspace: string;
}

type Value = string | Record<string, unknown> | unknown[] | undefined;
type Contexts = Record<string, unknown>;

/** The value of a path such as steps.matrix.outputs.matrix in the contexts; an unknown root is an error. */
function lookup(path: string, ctx: Contexts): Value {
  const [root, ...rest] = path.split(".");
  if (!(root! in ctx)) throw new Error(`expression context '${root}' is not known to the local runner (${path})`);
  let v: unknown = ctx[root!];
  for (const key of rest) v = v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  return v as Value;
}

/** One expression: `a || b || 'literal'`, `x == 'y'`, `fromJson(x)`, a context path or a literal. */
function evaluate(expr: string, ctx: Contexts): Value {
  const e = expr.trim();
  const alternatives = e.split(/\s*\|\|\s*/);
  if (alternatives.length > 1) {
    for (const alt of alternatives) {
      const v = evaluate(alt, ctx);
      if (v !== undefined && v !== "") return v;
    }
    return "";
  }
  const eq = /^(.+?)\s*==\s*(.+)$/.exec(e);
  if (eq) return String(evaluate(eq[1]!, ctx) ?? "") === String(evaluate(eq[2]!, ctx) ?? "") ? "true" : "";
  const literal = /^'([^']*)'$/.exec(e);
  if (literal) return literal[1];
  const fromJson = /^fromJson\((.+)\)$/.exec(e);
  if (fromJson) return JSON.parse(String(evaluate(fromJson[1]!, ctx))) as Value;
  if (/^[A-Za-z_][\w-]*(\.[\w-]+)*$/.test(e)) return lookup(e, ctx);
  throw new Error(`expression '${e}' is not one the local runner evaluates`);
}

/** A string with every ${{ }} replaced; a string that is one expression keeps its value (an object for fromJson). */
export function substitute(text: string, ctx: Contexts): Value {
  const whole = /^\$\{\{(.*?)\}\}$/s.exec(text.trim());
  if (whole) return evaluate(whole[1]!, ctx) ?? "";
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, e: string) => {
    const v = evaluate(e, ctx);
    return typeof v === "object" ? JSON.stringify(v) : (v ?? "");
  });
}

const text = (v: Value): string => (typeof v === "object" ? JSON.stringify(v) : (v ?? ""));
const evalEnv = (env: Record<string, string> | undefined, ctx: Contexts): Record<string, string> =>
  Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, text(substitute(String(v), ctx))]));

/** key=value and key<<DELIM ... DELIM lines, as GitHub reads GITHUB_OUTPUT and GITHUB_ENV. */
function readKeyValues(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i]!.includes("=")) out[lines[i]!.slice(0, lines[i]!.indexOf("="))] = lines[i]!.slice(lines[i]!.indexOf("=") + 1);
  }
  return out;
}

const copyFiles = (from: string, to: string): void => {
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
};

export class WorkflowRunner {
  private readonly artifacts: string;
  private readonly log: (line: string) => void;
  private readonly skip: { run: RegExp; reason: string }[];
  private trivy = "not set up";

  constructor(private readonly opts: RunnerOptions) {
    this.skip = [...(opts.skip ?? [])];
    this.artifacts = join(opts.work, "artifacts");
    mkdirSync(this.artifacts, { recursive: true });
    this.log = opts.log ?? ((l) => void process.stdout.write(`${l}\n`));
  }

  /** Every job of the workflow in `needs` order; throws at the first failing step with its output. */
  async run(workflowFile: string, only?: string[]): Promise<Record<string, JobRun[]>> {
    const wf = parse(readFileSync(workflowFile, "utf8")) as Workflow;
    const done: Record<string, JobRun[]> = {};
    const pending = Object.keys(wf.jobs).filter((j) => !only || only.includes(j));
    while (pending.length > 0) {
      const next = pending.find((j) => [wf.jobs[j]!.needs ?? []].flat().every((n) => n in done));
      if (!next) throw new Error(`jobs ${pending.join(", ")} wait on jobs that never ran`);
      pending.splice(pending.indexOf(next), 1);
      done[next] = await this.job(wf, next, done);
    }
    return done;
  }

  private async job(wf: Workflow, name: string, done: Record<string, JobRun[]>): Promise<JobRun[]> {
    const job = wf.jobs[name]!;
    // needs.<job>.outputs: of the one run of a job without a matrix (as GitHub's for a matrix job is not defined here).
    const needs = Object.fromEntries([job.needs ?? []].flat().map((n) => [n, { outputs: done[n]![0]?.outputs ?? {}, result: "success" }]));
    const base: Contexts = {
      github: { sha: "0".repeat(40), actor: "local", token: "local-token", event_name: "schedule", run_id: "1", repository: "local/project" },
      inputs: this.opts.inputs ?? {},
      vars: this.opts.vars ?? {},
      secrets: { GITHUB_TOKEN: "local-token" },
      needs,
      runner: { arch: "X64", os: "Linux" },
    };
    const matrix = job.strategy ? (substitute(job.strategy.matrix, base) as { include?: Record<string, string>[] }) : undefined;
    if (matrix && !Array.isArray(matrix.include)) throw new Error(`${name}: the local runner takes a matrix of include entries only`);
    const runs: JobRun[] = [];
    for (const entry of matrix ? matrix.include! : [undefined]) runs.push(await this.jobRun(wf, name, job, { ...base, matrix: entry ?? {} }, entry));
    return runs;
  }

  private async jobRun(wf: Workflow, name: string, job: Job, base: Contexts, matrix?: Record<string, string>): Promise<JobRun> {
    const label = `${name}${matrix ? ` (${Object.values(matrix).join(", ")})` : ""}`;
    const runsOn = text(substitute(job["runs-on"], base));
    // This machine is an amd64 runner: an arm64 job would need an arm64 machine (or QEMU, which a native runner has no use for).
    if (runsOn !== "ubuntu-latest" || (matrix?.platform && matrix.platform !== "linux/amd64")) throw new Error(`${label}: runs on ${runsOn} ${matrix?.platform ?? ""}, not this amd64 machine`);
    const root = mkdtempSync(join(this.opts.work, `${name}-`));
    const workspace = join(root, "workspace");
    const temp = join(root, "temp");
    mkdirSync(workspace);
    mkdirSync(temp);
    const envFile = join(temp, "env");
    const steps: Record<string, { outputs: Record<string, string> }> = {};
    let ctx: Contexts = { ...base, steps, env: {} };
    const workflowEnv = evalEnv(wf.env, ctx);
    ctx = { ...ctx, env: workflowEnv };
    const jobEnv = { ...workflowEnv, ...evalEnv(job.env, ctx) };
    this.log(`== job ${label}`);
    for (const [i, step] of job.steps.entries()) {
      ctx = { ...ctx, env: { ...jobEnv, ...readKeyValues(envFile) } };
      const stepName = step.name ?? step.uses ?? step.run!.split("\n")[0]!;
      if (step.if !== undefined && text(substitute(`\${{ ${step.if.replace(/^\$\{\{|\}\}$/g, "")} }}`, ctx)) === "") {
        this.log(`-- skipped (if: ${step.if}): ${stepName}`);
        continue;
      }
      const env = { ...(ctx.env as Record<string, string>), ...evalEnv(step.env, ctx) };
      const outputFile = join(temp, `output-${i}`);
      writeFileSync(outputFile, "");
      if (step.uses) await this.action(step, ctx, workspace, label);
      else {
        const skip = this.skip.find((s) => s.run.test(step.run!));
        if (skip) {
          this.log(`-- skipped: ${stepName}: ${skip.reason}`);
          continue;
        }
        this.log(`-- run: ${stepName}`);
        let run = step.run!;
        for (const r of this.opts.rewrite ?? [])
          if (run.includes(r.from)) {
            run = run.replace(r.from, r.to);
            this.log(`   rewritten here: ${r.from.trim()} -> ${r.to.trim()}: ${r.reason}`);
          }
        const script = join(temp, `step-${i}.sh`);
        writeFileSync(script, text(substitute(run, ctx)));
        const r = await execa("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", script], {
          cwd: workspace,
          reject: false,
          all: true,
          env: {
            ...env,
            CI: "true",
            GITHUB_ACTIONS: "true",
            GITHUB_WORKSPACE: workspace,
            GITHUB_SHA: "0".repeat(40),
            GITHUB_RUN_ID: "1",
            GITHUB_OUTPUT: outputFile,
            GITHUB_ENV: envFile,
            GITHUB_STEP_SUMMARY: join(temp, "summary.md"),
            RUNNER_TEMP: temp,
            RUNNER_ARCH: "X64",
          },
        });
        if (r.exitCode !== 0) throw new Error(`${label}: step '${stepName}' failed (exit ${r.exitCode}):\n${(r.all ?? "").split("\n").slice(-40).join("\n")}`);
      }
      if (step.id) steps[step.id] = { outputs: readKeyValues(outputFile) };
    }
    const outputs = Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, text(substitute(v, ctx))]));
    return { job: name, matrix, outputs, workspace };
  }

  /** The local equivalent of a `uses:` step. */
  private async action(step: Step, ctx: Contexts, workspace: string, label: string): Promise<void> {
    const action = step.uses!.replace(/@.*$/, "");
    const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, text(substitute(String(v), ctx))]));
    const fail = (why: string): never => {
      throw new Error(`${label}: ${step.uses}: ${why}`);
    };
    this.log(`-- uses: ${action} (local equivalent)`);
    switch (action) {
      case "actions/checkout":
        // What a clone has: the project's files without what .gitignore keeps out of git.
        cpSync(this.opts.project, workspace, { recursive: true, filter: (src) => !/\/(node_modules|\.git)(\/|$)/.test(src.slice(this.opts.project.length)) });
        return;
      case "actions/setup-node": {
        const major = Number(process.versions.node.split(".")[0]);
        if (major < Number(w["node-version"] ?? 0)) fail(`node ${process.versions.node} is older than ${w["node-version"]}`);
        return;
      }
      case "docker/setup-buildx-action":
        if ((await execa("docker", ["buildx", "inspect"], { reject: false })).exitCode !== 0) fail("no local buildx builder");
        return;
      case "docker/setup-qemu-action":
        // Emulation for other platforms: this amd64 machine builds amd64 only (a job whose plan
        // needs another platform fails at its build step, not here).
        this.log("   qemu: no emulation here (amd64 builds only)");
        return;
      case "docker/login-action": {
        if (w.registry !== this.opts.registryHost) fail(`logs in to '${w.registry}', but the images go to the local registry ${this.opts.registryHost}`);
        const r = await execa("curl", ["-sSf", "-o", "/dev/null", `http://${w.registry}/v2/`], { reject: false });
        if (r.exitCode !== 0) fail(`registry ${w.registry} does not answer: ${r.stderr}`);
        if (!w.username || !w.password) fail("no username or password");
        return;
      }
      case "actions/upload-artifact": {
        const name = w.name ?? fail("no name");
        const path = w.path ?? fail("no path");
        const dir = join(workspace, path.replace(/\/\*?$/, ""));
        if (!existsSync(dir) || readdirSync(dir).length === 0) {
          // As the action: a warning unless the step says `if-no-files-found: error`.
          if (w["if-no-files-found"] === "error") fail(`nothing at ${path} to upload`);
          this.log(`   warning: nothing at ${path} to upload`);
          return;
        }
        copyFiles(dir, join(this.artifacts, name));
        return;
      }
      case "actions/download-artifact": {
        const pattern = new RegExp(`^${(w.pattern ?? w.name ?? fail("no pattern")).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
        const names = readdirSync(this.artifacts).filter((n) => pattern.test(n));
        if (w["merge-multiple"] !== "true") fail("the local runner merges artifacts only (merge-multiple: true)");
        for (const n of names) copyFiles(join(this.artifacts, n), join(workspace, w.path ?? "."));
        return;
      }
      case "sigstore/cosign-installer":
        this.skip.push({ run: /\bcosign sign\b/, reason: "keyless signing needs GitHub's OIDC token and the public Sigstore, neither of which is here" });
        this.log("   cosign: no local equivalent (keyless signing): the step that signs is skipped");
        return;
      case "aquasecurity/setup-trivy":
        this.trivy = await this.installTrivy();
        this.log(`   trivy: ${this.trivy}`);
        return;
      default:
        fail("no local equivalent");
    }
  }

  /** Trivy from Debian's apt when it carries it; otherwise why not (the scan step is then skipped). */
  private async installTrivy(): Promise<string> {
    if ((await execa("trivy", ["--version"], { reject: false })).exitCode === 0) return "installed";
    const policy = (await execa("apt-cache", ["policy", "trivy"], { reject: false })).stdout;
    if (!/Candidate: (?!\(none\))/.test(policy)) {
      this.skip.push({ run: /\btrivy image\b/, reason: "Trivy is not in this machine's apt sources (apt-cache policy trivy: no candidate) and GitHub is out of reach" });
      return "not installable here";
    }
    await execa("apt-get", ["install", "-y", "--no-install-recommends", "trivy"]);
    return "installed";
  }
}

/** Removes a job tree the runner made (workspaces hold copies of the project). */
export const removeWork = (dir: string): void => rmSync(dir, { recursive: true, force: true });
