// Why an update could not tell: a source that did not answer, answered nonsense, or could not
// be trusted. Each names the URL (or remote) it was about; the CLI exits 2 on it.
export class UpdateError extends Error {
  constructor(
    /** The URL, git remote or image the problem is about. */
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}
