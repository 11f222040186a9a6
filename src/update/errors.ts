// Why an update could not tell: a source that did not answer, answered nonsense, or could not
// be trusted. Each names the URL (or remote) it was about; the CLI prints it and exits 2.
import { PgbakeError } from "../model/errors.js";

export class UpdateError extends PgbakeError {
  constructor(
    /** The URL, git remote or image the problem is about. */
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`, 2);
  }
}
