// A shared fact looked up by name for each of many targets: a scan of the list per target is
// quadratic (1,500 flavors × 96,000 operand targets), so each list is indexed once, on first use.
// The lists indexed are the plan's shared facts, made once and never changed afterwards.
const indexes = new WeakMap<readonly { name: string }[], Map<string, { name: string }>>();

/** The entry of `list` called `name` (names in these lists are unique: validated). */
export function named<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  let index = indexes.get(list) as Map<string, T> | undefined;
  if (!index) {
    index = new Map(list.map((x) => [x.name, x]));
    indexes.set(list, index);
  }
  return index.get(name);
}
