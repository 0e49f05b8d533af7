// Everything from a trace that reaches the HTML report passes through here: control bytes
// become visible `\xNN` escapes (as in the terminal), then the five HTML-special characters
// become entities, so the text is safe both as element content and inside quoted attributes.
import { escapeText } from "./escape.js";

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** A UTF-16 half without its other half cannot be encoded: it becomes U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for HTML content or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return escapeText(text)
    .replace(LONE_SURROGATE, "\uFFFD")
    .replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}
