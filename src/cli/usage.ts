// A command used wrongly (a missing or bad option): the CLI prints the message and the usage, exit 2.
export class UsageError extends Error {}
