// Expands a Taskfile's commands the way `task` would (the binary cannot be installed here), for
// the subset of Go templates Taskfiles in this project use: `{{.X}}`, `{{.X | default "v"}}`,
// `{{if .X}}..{{end}}` and `{{if eq .X "v"}}..{{end}}`. Anything else fails loudly.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

interface Task {
  cmds?: (string | { task: string })[];
  requires?: { vars?: string[] };
}
interface Taskfile {
  vars?: Record<string, string>;
  tasks: Record<string, Task>;
}

export function readTaskfile(file: string): Taskfile {
  return parse(readFileSync(file, "utf8")) as Taskfile;
}

function render(text: string, vars: Record<string, string>): string {
  const value = (name: string): string => vars[name] ?? "";
  let out = text.replace(/\{\{if (?:eq \.([A-Z_]+) "([^"]*)"|\.([A-Z_]+))\}\}(.*?)\{\{end\}\}/g, (_, eqName?: string, eqValue?: string, name?: string, body?: string) =>
    (eqName !== undefined ? value(eqName) === eqValue : value(name!) !== "") ? body! : "",
  );
  out = out.replace(/\{\{\.([A-Z_]+)(?: \| default "([^"]*)")?\}\}/g, (_, name: string, dflt?: string) => vars[name] || (dflt ?? ""));
  if (out.includes("{{")) throw new Error(`template form not supported by the test expander: ${text}`);
  return out;
}

/** The shell lines `task NAME VAR=value...` runs, with nested `task:` calls expanded. */
export function expandTask(taskfile: Taskfile, name: string, given: Record<string, string>): string[] {
  const vars: Record<string, string> = { ...given };
  for (const [k, template] of Object.entries(taskfile.vars ?? {})) vars[k] = render(template, vars);
  const task = taskfile.tasks[name];
  if (!task) throw new Error(`no task ${name}`);
  for (const v of task.requires?.vars ?? []) if (!vars[v]) throw new Error(`task ${name} requires ${v}`);
  return (task.cmds ?? []).flatMap((c) => (typeof c === "string" ? [render(c, vars).replace(/\s+/g, " ").trim()] : expandTask(taskfile, c.task, given)));
}

/** `task bake TARGET=x PUSH=true` → the task name and its variables. */
export function parseTaskLine(line: string): { name: string; vars: Record<string, string> } {
  const [, name, ...rest] = line.trim().split(/\s+/);
  const vars: Record<string, string> = {};
  for (const kv of rest) {
    const eq = kv.indexOf("=");
    if (eq < 1) throw new Error(`not VAR=value: ${kv}`);
    vars[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { name: name ?? "default", vars };
}
