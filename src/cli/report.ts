// Human-readable views of the plan: the matrix table and `explain`.
import type { OperandTargetPlan, Plan } from "../model/types.js";

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

export function matrixTable(plan: Plan): string {
  const rows = [["TARGET", "PLATFORMS", "EXTENSIONS", "EXCLUDED"]];
  for (const op of plan.operands)
    rows.push([op.name, op.platforms.map((p) => p.replace("linux/", "")).join(","), op.kept.map((k) => k.name).join(",") || "-", op.excluded.map((e) => e.name).join(",") || "-"]);
  for (const et of plan.extensionImages) rows.push([et.name, et.platforms.map((p) => p.replace("linux/", "")).join(","), `${et.extension} ${et.version} (image)`, "-"]);
  return pad(rows);
}

/** One entry per target × platform, with a native runner, for a CI matrix. */
export function matrixJson(plan: Plan, group?: string): { include: { target: string; platform: string; runner: string }[] } {
  const runner = (p: string): string => (p === "linux/arm64" ? "ubuntu-24.04-arm" : "ubuntu-latest");
  const only = group === undefined ? undefined : new Set(plan.groups.find((g) => g.name === group)?.targets ?? []);
  const include = [...plan.operands, ...plan.extensionImages]
    .filter((t) => !only || only.has(t.name))
    .flatMap((t) => t.platforms.map((platform) => ({ target: t.name, platform, runner: runner(platform) })));
  return { include };
}

function explainOperand(op: OperandTargetPlan): string[] {
  const lines = [
    `${op.name}: PostgreSQL ${op.pgVersion}${op.preview ? " (preview)" : ""}, type ${op.type}, base ${op.base}, flavor ${op.flavor}`,
    `  platforms: ${op.platforms.join(", ")}`,
    `  asked for: ${op.requested.join(", ") || "(nothing beyond PostgreSQL)"}`,
  ];
  for (const k of op.kept) {
    const from = k.imageTarget ? `from target ${k.imageTarget}` : "ships with PostgreSQL";
    lines.push(`  + ${k.name} ${k.version} (${k.kind}, ${from})${k.requiredBy ? `, required by ${k.requiredBy}` : ""}`);
  }
  for (const e of op.excluded) lines.push(`  - ${e.name}: excluded because ${e.excludedBecause}`);
  if (op.sharedPreloadLibraries.length > 0) lines.push(`  shared_preload_libraries: ${op.sharedPreloadLibraries.join(",")}`);
  const why = { first: "must be loaded first (preload_position: first)", last: "must be loaded last (preload_position: last)", flavor: "in the order asked for" };
  // Only worth a line each when an entry's position moved something.
  if (op.preloadOrder.some((s) => s.position !== "flavor")) for (const s of op.preloadOrder) lines.push(`    ${s.library} (${s.extension}): ${why[s.position]}`);
  for (const n of op.startupNeeds) lines.push(`  ! ${n.extension} needs ${n.kind} ${n.name}, which the image does not provide: ${n.reason}`);
  lines.push(`  tags: ${op.tags.join(", ")}`);
  return lines;
}

/** Why things are where they are, for a target, an extension or a group name. */
export function explain(plan: Plan, name: string): string | undefined {
  const op = plan.operands.find((o) => o.name === name);
  if (op) return explainOperand(op).join("\n");
  const et = plan.extensionImages.find((t) => t.name === name);
  if (et) {
    const users = plan.operands.filter((o) => o.kept.some((k) => k.imageTarget === et.name)).map((o) => o.name);
    return [
      `${et.name}: image of ${et.extension} ${et.version} for PostgreSQL ${et.major} on ${et.base} (${et.extensionKind})`,
      `  platforms: ${et.platforms.join(", ")}`,
      `  tags: ${et.tags.join(", ")}`,
      `  used by: ${users.join(", ") || "no operand image (standalone only)"}`,
    ].join("\n");
  }
  const inOps = plan.operands.filter((o) => o.requested.includes(name) || o.kept.some((k) => k.name === name) || o.excluded.some((e) => e.name === name));
  const images = plan.extensionImages.filter((t) => t.extension === name);
  if (inOps.length > 0 || images.length > 0) {
    const lines = [`${name}:`];
    if (images.length > 0) lines.push(`  extension images: ${images.map((t) => t.name).join(", ")}`);
    for (const o of inOps) {
      const kept = o.kept.find((k) => k.name === name);
      const ex = o.excluded.find((e) => e.name === name);
      lines.push(kept ? `  in  ${o.name} (${kept.version})` : `  out ${o.name}: ${ex?.excludedBecause ?? "not asked for"}`);
    }
    return lines.join("\n");
  }
  const group = plan.groups.find((g) => g.name === name);
  if (group) return [`group ${group.name}: ${group.description}`, ...group.targets.map((t) => `  ${t}`)].join("\n");
  return undefined;
}
