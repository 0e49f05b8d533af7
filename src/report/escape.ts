// Every string that came from a trace (file names, decorations, calls) passes through here
// before it reaches a terminal: control bytes become visible `\xNN` escapes, so a hostile
// trace cannot move the cursor, retitle the window, reorder a line or hide one.

// C0 controls except \t (ESC, CR, BS, BEL and \n, which would fake a line of output), DEL, the
// C1 range 0x80-0x9f (UTF-8 terminals may act on U+009B as CSI, U+009D as OSC), the line and
// paragraph separators, and the bidirectional controls (Trojan Source, CVE-2021-42574):
// LRM/RLM/ALM, embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Same set, for a JSON text: JSON.stringify already escapes C0 controls, not the rest. */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The two sets without the global flag, for test(): it then keeps no position between calls. */
const ANY_UNSAFE = new RegExp(UNSAFE.source);
const ANY_UNSAFE_IN_JSON = new RegExp(UNSAFE_IN_JSON.source);

/** The text with every unsafe character shown as `\xNN` (or `\uNNNN` above 0xff). */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Whether `text` holds a character escapeText would replace. */
export function hasUnsafeText(text: string): boolean {
  return ANY_UNSAFE.test(text);
}

/**
 * JSON.stringify whose output is safe on a terminal: the characters JSON leaves raw (DEL, C1,
 * bidi controls, U+2028/9) are written as `\uNNNN`. The parsed value is unchanged.
 */
export function stringifyJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space);
  // Most texts hold none: a test alone makes no new string (a replace made one each time).
  if (!ANY_UNSAFE_IN_JSON.test(json)) return json;
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `text` escaped, then cut to at most `max` characters with `…` marking the cut (escape
 * first, then shorten, so an escape is never cut in half). */
export function shortenEscaped(text: string, max: number): string {
  const escaped = escapeText(text);
  if (escaped.length <= max) return escaped;
  const head = escaped.slice(0, Math.max(1, max - 1));
  // Do not leave half of a `\xNN` / `\uNNNN` escape at the cut.
  return `${head.replace(/\\(x[0-9a-f]?|u[0-9a-f]{0,3})?$/, "")}…`;
}
