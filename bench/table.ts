// Plain text tables for the terminal.
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export const secs = (s: number | undefined): string => (s === undefined ? "n/a" : s < 10 ? s.toFixed(2) : s.toFixed(1));
export const fixed = (n: number | undefined, digits = 1): string => (n === undefined || !Number.isFinite(n) ? "n/a" : n.toFixed(digits));
