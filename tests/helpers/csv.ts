// RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes) into records keyed by the
// header row: enough for the reference catalog in ../shared/data, with no dependency for it.
export function parseCsv(text: string): Record<string, string>[] {
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
  const [header, ...records] = rows;
  return records.map((r) => Object.fromEntries(header.map((key, i) => [key, r[i] ?? ""])));
}

/** A Postgres array literal such as `{18,17,16}` as its items. */
export function pgArray(literal: string): string[] {
  const inner = literal.replace(/^\{|\}$/g, "");
  return inner === "" ? [] : inner.split(",");
}
