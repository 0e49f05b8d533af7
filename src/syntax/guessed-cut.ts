// Guessed cut points for `2>&1` captures without -f: output of a process strace does not follow
// lands inside a call's text with nothing saying what it is (STRACE-FORMAT.md §6, heuristic 3).
// The event parser cuts before it and lets the next lines decide; these are the tests it uses.
import { MAX_NESTING } from "../../grammars/strace-line-parser.js";
import type { ParsedLine } from "../../grammars/strace-line-parser.js";

/** Guessed cuts are tried only on lines of ordinary length. */
export const FUZZY_MAX_LINE = 1024;

/** Where strace's part of a line can resume after program output: at a closing bracket, a
 *  separator, an opening bracket, a quote, a number, `=`/`<` (or ` <`), or an upper-case constant. */
export function plausibleResume(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 0x20 && text.charCodeAt(i + 1) === 0x3c) return true; // ` <unfinished ...>`
  if (c === 0x29 || c === 0x5d || c === 0x2c || c === 0x5b || c === 0x7b || c === 0x22 || c === 0x3d || c === 0x3c) return true;
  if (c >= 0x30 && c <= 0x39) return !/\w/.test(text[i - 1]);
  if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) return !/\w/.test(text[i - 1]) && /^[A-Z_][A-Z0-9_]*\b/.test(text.slice(i, i + 40));
  return false;
}

/** A rejoined call whose every argument is one value: no stray program words left in it. */
export function cleanArgs(p: ParsedLine): boolean {
  const b = p.body;
  if (b.kind !== "call" && b.kind !== "resumed") return true;
  const n = b.args.length;
  for (let i = 0; i < n; i++) {
    const len = b.args[i].length;
    // The separator of a cut call stays on one side: `f(a,  <unfinished ...>`, `resumed>, b)`.
    const separatorSlot = (i === n - 1 && b.end !== "complete") || (i === 0 && b.kind === "resumed");
    if (len !== 1 && !(len === 0 && separatorSlot)) return false;
  }
  return true;
}

/** Whether `text` from `from` on opens brackets deeper than the grammar accepts (MAX_NESTING),
 *  quoted text skipped: a rejoined call with that text cannot parse, and trying costs a parse
 *  that fails dozens of levels deep (program output of `[[[[...`). */
export function nestsTooDeep(text: string, from: number): boolean {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b || c === 0x28) {
      if (++depth > MAX_NESTING) return true;
    } else if (c === 0x5d || c === 0x7d || c === 0x29) depth--;
    else if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    }
  }
  return false;
}

/** Where a line of strace's own may begin after program output that had no newline: a pid
 *  leader, a resumed call, a signal or exit line, a `-tt` clock, or a call name right after
 *  punctuation (`~output~wait4(`). A name after a space or a letter is not a start: program
 *  text such as `result f(x) = 1` stays program output. */
const GLUED_START =
  /\[pid +\d|<\.\.\. [a-z_]|--- [A-Z?]|\+\+\+ [a-z]|(?<![\w.:])\d\d:\d\d:\d\d[ .]|(?<![\w.])\d{10}\.\d+ |(?<![\w\s])[a-z_][a-z0-9_]*\(/g;

/** What every whole line of strace's has: a return (`) = 44`, `)        = -1 EAGAIN (...)`,
 *  `) = 1 ([{fd=3, revents=POLLIN}])`), or the end of a cut call, a signal or an exit. Program
 *  output without it costs no parse (a chatty program's every line would cost several). */
const GLUED_END = /\)\s+= [-?\w]|<(?:unfinished|detached) \.\.\.>$|---$|\+\+\+$/;

/** Candidate starts a glued line gets (each costs one parse). */
const GLUED_TRIES = 4;

/** A line of strace's glued after program output that had no newline: the first candidate
 *  start whose rest parses on its own as a whole strace line. */
export function gluedStraceLine(
  text: string,
  parse: (text: string) => ParsedLine | null,
): { at: number; value: ParsedLine } | null {
  if (text.length > FUZZY_MAX_LINE || !GLUED_END.test(text)) return null;
  GLUED_START.lastIndex = 1; // some output comes first
  let tries = 0;
  for (let m = GLUED_START.exec(text); m !== null && tries < GLUED_TRIES; m = GLUED_START.exec(text)) {
    tries++;
    const value = parse(text.slice(m.index));
    if (value !== null) return { at: m.index, value };
    GLUED_START.lastIndex = m.index + 1;
  }
  return null;
}
