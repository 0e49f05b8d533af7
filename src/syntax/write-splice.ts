// `strace ... 2>&1`: a traced `write(1, "text\n", 5` prints its arguments, then the program's
// bytes reach the same stream, then strace prints `) = 5` (STRACE-FORMAT.md §6, heuristic 1).
// The string argument says exactly what the program wrote, so those characters can be skipped
// (across line breaks) and the call rejoined.
import { decodeCString, strLength } from "../../grammars/strace-line-parser.js";
import type { ParsedLine } from "../../grammars/strace-line-parser.js";

/** The program output still expected before the call's continuation. */
export interface ProgramOutput {
  /** Consume the start of one line segment; `done` once all expected output is consumed.
   *  `endsLine`: a line break follows the segment (not a message of strace's cutting it). */
  take(segment: string, endsLine?: boolean): { consumed: number; done: boolean };
}

const WRITE_HEAD =
  /\b(?:write|pwrite64)\(([12])(?:<(?:[^<>"]|"(?:[^"\\]|\\.)*"|<[^<>]*>)*>)?, "((?:[^"\\]|\\.)*)"(\.\.\.)?, (\d+)/;

const MAX_SPLICE_LINE = 256 * 1024;

export interface WriteSplice {
  /** The call text up to and including its last argument. */
  readonly head: string;
  /** What follows it on the same physical line (program output, then maybe the continuation). */
  readonly rest: string;
  readonly output: ProgramOutput;
}

/** Find a write to stdout/stderr whose text is followed directly by its own bytes. `errorOffset`
 *  is where the grammar stopped: the splice must start at or before it. */
export function findWriteSplice(text: string, errorOffset: number): WriteSplice | null {
  // Program output on a terminal comes in lines and pipe-sized writes; a megabyte line is a
  // long `-s` string, and the backtracking regex below must not run over it.
  if (text.length > MAX_SPLICE_LINE) return null;
  const m = WRITE_HEAD.exec(text);
  if (m === null) return null;
  const bytes = decodeCString(m[2]);
  const truncated = m[3] !== undefined;
  let headEnd = m.index + m[0].length;
  if (!truncated) {
    // The count equals the string's byte length; output starting with digits must not be
    // taken for more count digits.
    const count = String(bytes.length);
    if (!m[4].startsWith(count)) return null;
    headEnd -= m[4].length - count.length;
  }
  if (headEnd > errorOffset) return null;
  const shown = Buffer.from(bytes, "latin1").toString("utf8");
  const rest = text.slice(headEnd);
  // What follows must be this write's bytes (the output of another process can land here too).
  const firstLine = shown.split("\n", 1)[0];
  const check = firstLine.slice(0, Math.min(firstLine.length, rest.length, 64));
  if (!rest.startsWith(check)) return null;
  return {
    head: text.slice(0, headEnd),
    rest,
    output: truncated ? countedOutput(+m[4]) : textOutput(shown),
  };
}

/** Output whose text is known: line breaks fall where its `\n`s are. */
function textOutput(expected: string): ProgramOutput {
  let remaining = expected;
  return {
    take(segment, endsLine = true) {
      if (!endsLine) {
        const consumed = Math.min(remaining.length, segment.length);
        remaining = remaining.slice(consumed);
        return { consumed, done: remaining === "" };
      }
      const nl = remaining.indexOf("\n");
      if (nl >= 0) {
        remaining = remaining.slice(nl + 1);
        return { consumed: segment.length, done: remaining === "" };
      }
      const consumed = Math.min(remaining.length, segment.length);
      remaining = "";
      return { consumed, done: true };
    },
  };
}

/** Output cut by `-s`: only its length is known; each whole line counts its newline. */
function countedOutput(count: number): ProgramOutput {
  let remaining = count;
  return {
    take(segment, endsLine = true) {
      if (segment.length < remaining) {
        remaining -= segment.length + (endsLine ? 1 : 0);
        return { consumed: segment.length, done: remaining <= 0 };
      }
      const consumed = remaining;
      remaining = 0;
      return { consumed, done: true };
    },
  };
}

/** A write whose count has text glued to it (`22program output`, or digits: `242` for a count
 *  of 2 followed by "42"): program output spliced in (§6). */
export function maybeSplicedWrite(p: ParsedLine): boolean {
  const b = p.body;
  if (b.kind !== "call" || (b.name !== "write" && b.name !== "pwrite64") || b.args.length < 3) return false;
  // Only a write to stdout or stderr shares strace's stream (findWriteSplice looks for no other).
  const fd = b.args[0][0];
  const n = fd?.kind === "int" ? fd.value : fd?.kind === "fd" ? fd.fd : -1;
  if (n !== 1 && n !== 2) return false;
  const count = b.args[2];
  if (count.length > 1) return true;
  const str = b.args[1][0];
  return str?.kind === "str" && !str.truncated && count[0]?.kind === "int" && count[0].text !== String(strLength(str));
}
