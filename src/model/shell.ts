// A value as one word of a POSIX shell line: bare when it holds only characters no shell treats
// specially, else single-quoted (a `'` inside closed, escaped and reopened). Every command line
// pgbake writes or shows (the bake command of --dry-run, scripts run in images) quotes through it.

declare const shellBrand: unique symbol;
/** Text already quoted for a shell: a plain string cannot be passed where one is required. */
export type ShellWord = string & { readonly [shellBrand]: true };

export function shellWord(value: string): ShellWord {
  return (/^[A-Za-z0-9_./:=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`) as ShellWord;
}
