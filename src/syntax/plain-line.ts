// A call line printed in the plainest form (`read(3<TCP:[…]>, "GET / HTTP/1.1\r\n"..., 4096) =
// 1024`: numbers, decorated fds, strings, identifiers, flags, simple structs, arrays and calls,
// `name=value`, `a => b`), and signal and exit lines (`--- SIGCHLD {...} ---`, `+++ exited with
// 0 +++`), is read by one left-to-right scan instead of the lexer and the grammar. The scan
// builds exactly the ParsedLine the grammar would (the same objects, through the grammar
// module's own value constructors) and gives up, returning null, at the first thing outside
// that form: comments other than after a term, `-Y` comms the lexer could read as its marks,
// unbracketed `-i` addresses, mixed operators, floats, odd spacing. A line it gives up on goes
// to the grammar, so it can only ever be slower, never different. Tests hold it to the grammar
// on chosen lines, every sample line and randomly edited ones, and `npm run conformance` on
// every corpus and flag-matrix line; `--full` turns it off.
import {
  arrayOf,
  CUT_BEFORE,
  decorationPath,
  ELLIPSIS,
  hexDigit,
  indirectInt,
  intValue,
  NO_AUX,
  numberValue,
  parsedResult,
  slotValue,
  strValue,
  structOf,
  withComment,
  type ArgSlot,
  type CallEnd,
  type Leader,
  type ParsedLine,
  type ParsedResult,
} from "../../grammars/strace-line-parser.js";
import { decorationEnd, stringEnd } from "../../grammars/strace-tokens.js";
import {
  AUX_CHARS,
  Ch,
  isDigit as digitCode,
  isIdentStart as identStartCode,
  isLowerHex as lowerHexCode,
  isWord as wordCode,
} from "./char-codes.js";
import type { Value } from "./events.js";
import { COMM } from "./light-call.js";

// The character classes as module constants (see char-codes.ts).
const isDigit = digitCode;
const isLowerHex = lowerHexCode;
const isIdentStart = identStartCode;
const isWord = wordCode;

let text = "";
let pos = 0;

function skipSpaces(): void {
  while (text.charCodeAt(pos) === Ch.SPACE) pos++;
}

/** The index just past `\d+` from pos (pos itself when there is none). */
function digitsEnd(from: number): number {
  let i = from;
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

/** A `\d\d:\d\d:\d\d` clock starts at `at` (the lexer tries it before any number). */
function clockAt(at: number): boolean {
  return (
    isDigit(text.charCodeAt(at)) && isDigit(text.charCodeAt(at + 1)) && text.charCodeAt(at + 2) === Ch.COLON &&
    isDigit(text.charCodeAt(at + 3)) && isDigit(text.charCodeAt(at + 4)) && text.charCodeAt(at + 5) === Ch.COLON &&
    isDigit(text.charCodeAt(at + 6)) && isDigit(text.charCodeAt(at + 7))
  );
}

/** The end of the word starting at `from`. */
function wordEnd(from: number): number {
  let i = from;
  while (isWord(text.charCodeAt(i))) i++;
  return i;
}

/** A `<` at `at` the lexer would read as a decoration, not as one of its marks (`<unfinished
 *  ...>`, `<... x resumed>`, `<detached ...>`, `<pid changed ...>`, `<unavailable>`, a `<0.1>`
 *  duration, `<<`): those and anything like them are left to the grammar. */
function plainDecorationAt(at: number): boolean {
  const c = text.charCodeAt(at + 1);
  if (c === Ch.LT || c === Ch.DOT || isDigit(c)) return false;
  if (c === 0x75 /* u */ && (text.startsWith("unfinished", at + 1) || text.startsWith("unavailable", at + 1))) return false;
  if (c === 0x64 /* d */ && text.startsWith("detached", at + 1)) return false;
  if (c === 0x70 /* p */ && text.startsWith("pid changed", at + 1)) return false;
  return true;
}

/** A decoration at pos: its image, pos moved past it; null to give up. */
function decoration(): string | null {
  if (!plainDecorationAt(pos)) return null;
  const close = decorationEnd(text, pos);
  if (close < 0) return null;
  const image = text.slice(pos, close + 1);
  pos = close + 1;
  return image;
}

/** `-?0x[0-9a-fA-F]+` or `-?\d+` at pos (not a clock, not a float): its image. */
function number(): string | null {
  const start = pos;
  let i = pos;
  if (text.charCodeAt(i) === Ch.MINUS) i++;
  else if (clockAt(i)) return null;
  if (text.charCodeAt(i) === 0x30 && text.charCodeAt(i + 1) === 0x78 /* x */) {
    let j = i + 2;
    while (hexDigit(text.charCodeAt(j)) >= 0) j++;
    if (j === i + 2) return null;
    i = j;
  } else {
    const j = digitsEnd(i);
    if (j === i) return null;
    if (text.charCodeAt(j) === Ch.DOT && isDigit(text.charCodeAt(j + 1))) return null; // a float
    i = j;
  }
  pos = i;
  return text.slice(start, i);
}

/** Lists nested deeper than this are left to the grammar (strace's plain output nests 3 or 4). */
export const MAX_DEPTH = 12;
let depth = 0;

/** A `[` at pos that the lexer reads as one token: `[pid N]`, `[ 12]` (an indirect int, taken
 *  here), `[0000abcd]` or `[????????]` (-i addresses): -1 for those left to the grammar, the end
 *  of a `[ *\d+]` token, or 0 for a plain `[` that opens an array. */
function bracketToken(): number {
  let i = pos + 1;
  while (text.charCodeAt(i) === Ch.SPACE) i++;
  const digits = digitsEnd(i);
  if (digits > i && text.charCodeAt(digits) === Ch.RBRACKET) return digits + 1;
  if (text.startsWith("pid ", pos + 1)) return -1;
  let j = pos + 1;
  const c = text.charCodeAt(j);
  if (c === 0x3f /* ? */) return -1;
  while (isLowerHex(text.charCodeAt(j)) && j - pos <= 17) j++;
  if ((j - pos === 9 || j - pos === 17) && text.charCodeAt(j) === Ch.RBRACKET) return -1;
  return 0;
}

/** The -n syscall number or -i address at pos (`[  59]`, `[00007f98d4506ad7]`, `[????????]`) as
 *  the grammar reads it, pos moved past it; null for any other bracket. */
function bracketLeader(): Leader | null {
  const open = pos;
  let i = open + 1;
  while (text.charCodeAt(i) === Ch.SPACE) i++;
  const digits = digitsEnd(i);
  let close: number;
  if (digits > i && text.charCodeAt(digits) === Ch.RBRACKET) close = digits;
  else {
    // BracketHex: 8 or 16 hex digits, or 8 to 16 `?`s.
    i = open + 1;
    if (text.charCodeAt(i) === 0x3f) while (text.charCodeAt(i) === 0x3f) i++;
    else while (isLowerHex(text.charCodeAt(i))) i++;
    const n = i - open - 1;
    const question = text.charCodeAt(open + 1) === 0x3f;
    if (text.charCodeAt(i) !== Ch.RBRACKET || (question ? n < 8 || n > 16 : n !== 8 && n !== 16)) return null;
    close = i;
  }
  const inner = text.slice(open + 1, close);
  pos = close + 1;
  // The grammar's rule: -n prints `[%4u]`; -i 8 or 16 hex digits, which may all be decimal.
  if (close === digits && (inner.length <= 4 || inner.charCodeAt(0) === Ch.SPACE)) return { kind: "sysno", no: +inner };
  return { kind: "ip", text: inner };
}

/** The -Y comm at `at` (`<nginx>`, its text without the brackets), null when no `<` is there,
 *  undefined for a comm the scans leave to the grammar (COMM). */
function commAt(at: number): string | null | undefined {
  if (text.charCodeAt(at) !== Ch.LT) return null;
  COMM_AT.lastIndex = at;
  const m = COMM_AT.exec(text);
  return m === null ? undefined : m[0].slice(1, -1);
}

const COMM_AT = new RegExp(COMM.source, "y");

// A term and the comments after it (execve's `0x7ffd… /* 3 vars */`, -X verbose's
// `0x1 /* SHUT_WR */`), each a single space after what it follows: the last one is the value's
// `comment`, as the grammar has it.
function term(): Value | null {
  let v = bareTerm();
  while (v !== null && text.startsWith(" /*", pos)) {
    const close = text.indexOf("*/", pos + 3);
    if (close < 0) return null;
    v = withComment(v, text.slice(pos + 3, close).trim());
    pos = close + 2;
  }
  return v;
}

/** One term: a string (maybe cut, `"..."...`), a number with an optional fd decoration, an
 *  identifier with an optional decoration (`AT_FDCWD</tmp>`), call (`htons(80)`) or value
 *  (`st_size=0`), a struct, an array, an indirect `[16]`, `...`; null for anything else. */
function bareTerm(): Value | null {
  const c = text.charCodeAt(pos);
  if (c === Ch.QUOTE) {
    const close = stringEnd(text, pos);
    if (close < 0) return null;
    const image = text.slice(pos, close + 1);
    pos = close + 1;
    let truncated = false;
    if (text.charCodeAt(pos) === Ch.DOT && text.charCodeAt(pos + 1) === Ch.DOT && text.charCodeAt(pos + 2) === Ch.DOT) {
      truncated = true;
      pos += 3;
    }
    return strValue(image, truncated, false);
  }
  if (isDigit(c) || c === Ch.MINUS) {
    const image = number();
    if (image === null) return null;
    if (text.charCodeAt(pos) !== Ch.LT) return numberValue(image, null);
    const deco = decoration();
    return deco === null ? null : numberValue(image, deco);
  }
  if (isIdentStart(c)) {
    const start = pos;
    const end = wordEnd(pos);
    const name = text.slice(pos, end);
    if (name === "or") return null; // the lexer's ` or ` operator
    pos = end;
    const next = text.charCodeAt(pos);
    if (next === Ch.LT) {
      const deco = decoration();
      return deco === null ? null : { kind: "fd", fd: -100, path: decorationPath(deco) };
    }
    if (next === Ch.LPAREN) {
      pos++;
      const slots = list(Ch.RPAREN);
      if (slots === null) return null;
      pos++;
      return { kind: "call", name, args: slots.map(slotValue) };
    }
    if (next === Ch.EQUALS) {
      const after = text.charCodeAt(pos + 1);
      if (after === Ch.EQUALS || after === Ch.GT) return null;
      pos++;
      const assigned = value();
      return assigned === null ? null : { kind: "named", name: text.slice(start, end), value: assigned };
    }
    return { kind: "ident", name };
  }
  if (c === Ch.LBRACE) {
    pos++;
    const slots = list(Ch.RBRACE);
    if (slots === null) return null;
    pos++;
    return structOf(slots);
  }
  if (c === Ch.LBRACKET) {
    const token = bracketToken();
    if (token < 0) return null;
    if (token > 0) {
      const inner = text.slice(pos + 1, token - 1).trim();
      pos = token;
      return indirectInt(inner);
    }
    pos++;
    const slots = list(Ch.RBRACKET);
    if (slots === null) return null;
    pos++;
    return arrayOf(slots, false);
  }
  if (c === Ch.DOT && text.charCodeAt(pos + 1) === Ch.DOT && text.charCodeAt(pos + 2) === Ch.DOT) {
    pos += 3;
    return ELLIPSIS;
  }
  return null;
}

/** A term; terms joined by `|` (flags); or `before => after` (a value the call changed). */
function value(): Value | null {
  const first = term();
  if (first === null) return null;
  if (text.charCodeAt(pos) === Ch.PIPE) {
    const parts: Value[] = [first];
    while (text.charCodeAt(pos) === Ch.PIPE) {
      pos++;
      const next = term();
      if (next === null) return null;
      parts.push(next);
    }
    // Mixed operators (`A|B => C`) make one verbatim expression: left to the grammar.
    return opFollows() ? null : { kind: "flags", parts };
  }
  if (text.charCodeAt(pos) === Ch.SPACE && text.startsWith("=> ", pos + 1)) {
    pos += 4;
    const after = term();
    return after === null || opFollows() ? null : { kind: "changed", before: first, after };
  }
  return first;
}

/** Another `|` or ` => ` follows the value read so far. */
function opFollows(): boolean {
  const c = text.charCodeAt(pos);
  return c === Ch.PIPE || (c === Ch.SPACE && text.startsWith("=> ", pos + 1));
}

/** `list` closers that are marks, not characters: the `---` of a signal line, the `+++` of an
 *  exit line. */
const CLOSE_SIGNAL = -1;
const CLOSE_EXIT = -2;

/** Comma-separated values up to `closer` (pos is left on it; for a call's own arguments, also
 *  on ` <unfinished ...>`): the grammar's slots. Values side by side (`[A B]`, a path and its
 *  `--secontext`) share a slot, as in the grammar. */
function list(closer: number): ArgSlot[] | null {
  if (++depth > MAX_DEPTH) return null;
  const slots: Value[][] = [];
  let current: Value[] | null = null;
  /** Where the last value of `current` ended. */
  let valueEnd = 0;
  for (;;) {
    skipSpaces();
    const c = text.charCodeAt(pos);
    if (c === Ch.COMMA) {
      slots.push(current ?? []);
      current = [];
      pos++;
      continue;
    }
    if (c === closer || (c === Ch.LT && closer === Ch.RPAREN && depth === 1)) break;
    if (closer === CLOSE_SIGNAL ? text.startsWith("---", pos) : closer === CLOSE_EXIT && text.startsWith("+++", pos)) break;
    // A value beside the previous one, unless the grammar would join them across the space: a
    // string and its `...` (cut), a name or call and its `[subscript]`.
    if (current !== null && current.length > 0) {
      const before = text.charCodeAt(valueEnd - 1);
      if (c === Ch.DOT || (c === Ch.LBRACKET && (isWord(before) || before === Ch.RPAREN))) return null;
    }
    let v: Value | null;
    if (c === Ch.EQUALS && depth === 1 && current === null && slots.length === 0 && text.startsWith("=> ", pos)) {
      // The second half of a `{in} => {out}` argument cut by <unfinished ...> (clone3).
      pos += 3;
      const after = value();
      v = after === null ? null : { kind: "changed", before: CUT_BEFORE, after };
    } else v = value();
    if (v === null) return null;
    (current ??= []).push(v);
    valueEnd = pos;
    // A value ends at a separator; anything glued to it (`-`, `[`, `=`, `(`...) is not plain.
    const next = text.charCodeAt(pos);
    if (next !== Ch.COMMA && next !== closer && next !== Ch.SPACE) return null;
  }
  depth--;
  if (current !== null) slots.push(current);
  return slots;
}

/** ` = ret [<deco>] [ERRNO] [(aux)...]` after the `)`; null to give up. */
function result(): ParsedResult | null {
  skipSpaces();
  if (text.charCodeAt(pos) !== Ch.EQUALS || text.charCodeAt(pos + 1) !== Ch.SPACE) return null;
  pos += 2;
  skipSpaces();
  let ret: number | null;
  let retText: string;
  let retPath: string | undefined;
  if (text.charCodeAt(pos) === 0x3f /* ? */) {
    if (text.charCodeAt(pos + 1) === 0x3f) return null;
    pos++;
    ret = null;
    retText = "?";
  } else {
    const image = number();
    if (image === null) return null;
    ret = intValue(image);
    retText = image;
    if (text.charCodeAt(pos) === Ch.LT && plainDecorationAt(pos)) {
      const deco = decoration();
      if (deco === null) return null;
      retPath = decorationPath(deco);
    }
  }
  const afterValue = text.charCodeAt(pos);
  if (afterValue !== Ch.SPACE && pos < text.length) return null;
  skipSpaces();
  let errno: string | null = null;
  if (isIdentStart(text.charCodeAt(pos))) {
    const end = wordEnd(pos);
    errno = text.slice(pos, end);
    if (errno === "or") return null;
    pos = end;
    if (text.charCodeAt(pos) !== Ch.SPACE && pos < text.length) return null;
    skipSpaces();
  }
  let aux = NO_AUX;
  while (text.charCodeAt(pos) === Ch.LPAREN) {
    const open = pos;
    let depth = 0;
    let i = pos;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === Ch.LPAREN) depth++;
      else if (c === Ch.RPAREN) {
        if (--depth === 0) break;
      } else if (c >= 128 || AUX_CHARS[c] === 0) return null;
    }
    if (i >= text.length) return null;
    if (aux === NO_AUX) aux = [];
    aux.push(text.slice(open + 1, i));
    pos = i + 1;
    if (text.charCodeAt(pos) !== Ch.SPACE && pos < text.length) return null;
    skipSpaces();
  }
  return parsedResult(ret, retText, retPath, errno, aux, false);
}

const UNFINISHED = "<unfinished ...>";

/** The line as the grammar would parse it, if it is a call (or resumed half) in plain form. */
export function plainLine(line: string): ParsedLine | null {
  text = line;
  pos = 0;
  depth = 0;
  try {
    return scanLine();
  } finally {
    text = "";
  }
}

function scanLine(): ParsedLine | null {
  // Leaders: `[pid N]`, a bare pid, a clock, an epoch or relative float, an -n number, an -i
  // address; each followed by space.
  let leaders: Leader[] | null = null;
  for (;;) {
    const c = text.charCodeAt(pos);
    let leader: Leader;
    if (c === Ch.LBRACKET && text.charCodeAt(pos + 1) !== 0x70 /* p */) {
      const l = bracketLeader();
      if (l === null) return null;
      leader = l;
    } else if (c === Ch.LBRACKET) {
      if (leaders !== null || !text.startsWith("[pid ", pos)) return null;
      let i = pos + 5;
      while (text.charCodeAt(i) === Ch.SPACE) i++;
      const end = digitsEnd(i);
      if (end === i) return null;
      const comm = commAt(end);
      if (comm === undefined) return null;
      const close = comm === null ? end : end + comm.length + 2;
      if (text.charCodeAt(close) !== 0x5d /* ] */) return null;
      leader = comm === null ? { kind: "pid", pid: +text.slice(i, end), bracketed: true } : { kind: "pid", pid: +text.slice(i, end), comm, bracketed: true };
      pos = close + 1;
    } else if (isDigit(c)) {
      const start = pos;
      if (clockAt(pos)) {
        let end = pos + 8;
        if (text.charCodeAt(end) === Ch.DOT && isDigit(text.charCodeAt(end + 1))) end = digitsEnd(end + 1);
        leader = { kind: "clock", text: text.slice(start, end) };
        pos = end;
      } else {
        if (c === 0x30 && text.charCodeAt(pos + 1) === 0x78) return null; // -i address
        const end = digitsEnd(pos);
        if (text.charCodeAt(end) === Ch.DOT) {
          if (!isDigit(text.charCodeAt(end + 1))) return null;
          const fracEnd = digitsEnd(end + 1);
          if (text.charCodeAt(fracEnd) === 0x65 /* e */) return null;
          leader = { kind: "float", text: text.slice(start, fracEnd) };
          pos = fracEnd;
        } else {
          const comm = commAt(end);
          if (comm === undefined) return null;
          leader = comm === null ? { kind: "int", text: text.slice(start, end) } : { kind: "int", text: text.slice(start, end), comm };
          pos = comm === null ? end : end + comm.length + 2;
        }
      }
    } else break;
    if (text.charCodeAt(pos) !== Ch.SPACE) return null;
    skipSpaces();
    (leaders ??= []).push(leader);
  }

  let kind: "call" | "resumed";
  let name: string;
  let argsStart: number;
  const c = text.charCodeAt(pos);
  if ((c === Ch.MINUS && text.startsWith("--- ", pos)) || (c === 0x2b /* + */ && text.startsWith("+++ ", pos))) {
    // `--- SIGCHLD {si_signo=SIGCHLD, ...} ---`, `+++ exited with 0 +++`
    const signal = c === Ch.MINUS;
    const open = pos;
    pos += 3;
    const words = list(signal ? CLOSE_SIGNAL : CLOSE_EXIT);
    if (words === null || text.charCodeAt(pos) !== c) return null;
    const bodyText = text.slice(open + 3, pos).trim();
    pos += 3;
    skipSpaces();
    if (pos !== text.length) return null;
    return {
      leaders: leaders ?? [],
      body: signal ? { kind: "signal", words, text: bodyText } : { kind: "exit", words, text: bodyText },
      durationText: null,
    };
  }
  if (isIdentStart(c)) {
    const end = wordEnd(pos);
    if (text.charCodeAt(end) !== Ch.LPAREN) return null;
    name = text.slice(pos, end);
    if (name === "or") return null;
    kind = "call";
    argsStart = end + 1;
  } else if (c === Ch.LT && text.startsWith("<... ", pos)) {
    const end = wordEnd(pos + 5);
    if (end === pos + 5 || !text.startsWith(" resumed>", end)) return null;
    name = text.slice(pos + 5, end);
    kind = "resumed";
    argsStart = end + 9;
  } else return null;
  pos = argsStart;
  const args = list(Ch.RPAREN);
  if (args === null) return null;
  const argsEnd = pos;
  let end: CallEnd;
  let res: ParsedResult | null = null;
  let durationText: string | null = null;
  if (text.charCodeAt(pos) === Ch.RPAREN) {
    pos++;
    res = result();
    if (res === null) return null;
    end = "complete";
    // `-T`: `<0.000012>`.
    if (text.charCodeAt(pos) === Ch.LT) {
      const digits = digitsEnd(pos + 1);
      let close = digits;
      if (digits === pos + 1) return null;
      if (text.charCodeAt(close) === Ch.DOT) {
        close = digitsEnd(close + 1);
        if (close === digits + 1) return null;
      }
      if (text.charCodeAt(close) !== Ch.GT) return null;
      durationText = text.slice(pos + 1, close);
      pos = close + 1;
      skipSpaces();
    }
  } else {
    if (!text.startsWith(UNFINISHED, pos)) return null;
    pos += UNFINISHED.length;
    skipSpaces();
    end = "unfinished";
  }
  if (pos !== text.length) return null;
  return {
    leaders: leaders ?? [],
    body: { kind, name, args, argsStart, argsEnd, end, result: res },
    durationText,
  };
}
