// RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes) into records keyed by the
// header row: enough for the reference catalog in ../shared/data, with no dependency for it.
// The caller names the columns it reads, so a renamed column fails here rather than reading "".
export function parseCsv<Column extends string>(text: string, columns: readonly Column[]): Record<Column, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") endField();
    else if (c === "\n") endRow();
    else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length > 0) endRow();
  const [header = [], ...records] = rows;
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`CSV has no column ${missing.join(", ")} (header: ${header.join(",")})`);
  return records.map((r) => Object.fromEntries(header.map((key, i) => [key, r[i] ?? ""])) as Record<Column, string>);
}

/** A Postgres array literal such as `{18,17,16}` as its items. */
export function pgArray(literal: string): string[] {
  const inner = literal.replace(/^\{|\}$/g, "");
  return inner === "" ? [] : inner.split(",");
}
