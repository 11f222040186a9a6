// Text as one cell of a Markdown table (update's summary, the compatibility grid, docs/reference.md):
// a pipe would end the cell and a newline the row, so pipes are escaped, a newline is a space, and
// any other control character shows as a \u escape.
import { visible } from "./errors.js";

export const markdownCell = (text: string): string => visible(text.replace(/\|/g, "\\|").replace(/\n/g, " "));
