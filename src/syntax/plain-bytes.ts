// The plain-call scan (plain-line.ts) over the bytes of a line, for a parse worker: a complete
// call in the plainest form is read without decoding the line into a string and without
// building its values, straight into a compact record (PlainRecord) that the main thread turns
// into the very SyscallEvent the string path would have made (assembler-codec.ts). It goes on
// from where the light scan (light-bytes.ts) stopped, at the name of a call whose arguments are
// needed, with the leaders it read (a pid, a -Y comm, a clock, epoch or -r offset, an -n number,
// an -i address). It takes a strict subset of what plainLine takes: ASCII only, a complete call
// or one half of a cut one (not a resumed half cut again), no write to fd 1 or 2 with program
// output spliced in (`2>&1`). Everything else is left to the string path. Tests hold the two
// together on every sample line and on random edits; `npm run conformance` on the corpora.
import { isAscii } from "node:buffer";
import {
  arrayOf,
  CUT_BEFORE,
  ELLIPSIS,
  indirectInt,
  intValue,
  LAZY_STRING_CHARS,
  NO_AUX,
  parsedResult,
  SIMPLE_ESCAPES,
  slotValue,
  strBodyValue,
  structOf,
  withComment,
} from "../../grammars/strace-line-parser.js";
import { MAX_DECORATION } from "../../grammars/strace-tokens.js";
import { EVIDENCE_CHARS, isSocketDecoration } from "./flag-evidence.js";
import {
  AUX_CHARS,
  Ch,
  isDigit as digitCode,
  isIdentStart as identStartCode,
  isLowerHex as lowerHexCode,
  isWord as wordCode,
  latin1 as latin1Of,
  POW10,
} from "./char-codes.js";
import type { Assembler } from "./event-assembler.js";
import type { LightScan } from "./light-bytes.js";
import { MAX_DEPTH } from "./plain-line.js";
import { newSyscallEvent, OMITTED, type Value } from "./events.js";

// The character classes as module constants (see char-codes.ts).
const isDigit = digitCode;
const isLowerHex = lowerHexCode;
const isIdentStart = identStartCode;
const isWord = wordCode;

/** Value tags of a PlainRecord. */
export const V_INT_SMALL = 1; // text, value (int32): a hex (a decimal is V_INT_DEC)
export const V_INT = 2; // text, value (a double, in nums)
export const V_INT_TEXT = 3; // text (value read by intValue)
export const V_FD = 4; // fd, path
export const V_FD_DELETED = 5; // fd, path
export const V_FD_IDENT = 6; // path (an identifier with a decoration: fd -100)
export const V_STR = 7; // decoded value
export const V_STR_CUT = 8; // decoded value, truncated
export const V_STR_LAZY = 9; // body (undecoded), then truncated (0/1)
export const V_IDENT = 10; // name
export const V_CALL = 11; // name, list
export const V_NAMED = 12; // name, value
export const V_STRUCT = 13; // list
export const V_ARRAY = 14; // list
export const V_INDIRECT = 15; // inner text
export const V_ELLIPSIS = 16;
export const V_FLAGS = 17; // count, values
export const V_CHANGED = 18; // value, value
export const V_CUT_CHANGED = 19; // value: `=> after` opening a resumed half (before: CUT_BEFORE)
export const V_COMMENTED = 20; // comment, value: the value with the comment printed after it
/** value (int32) whose text is its decimal, String(value): most ints (fds, counts, returns),
 *  sent with no string (each string costs the worker a hash and a lookup). */
export const V_INT_DEC = 21;
/** An argument left out (ArgProjection): the value OMITTED. */
export const V_OMITTED = 22;

/**
 * What the consumer never reads of one syscall's arguments (analyze's model: args-needed.ts),
 * by position: the scan walks past such an argument instead of reading it. Bit k of `omit`: a
 * non-empty string there, or an array of strings, is left out (OMITTED). `fields[k]`: a struct
 * there (both sides of `{...} => {...}` too) keeps only the field of that name. Only a complete
 * call or the first half of a cut one is projected; an argument of any other shape is read.
 */
export interface ArgProjection {
  readonly omit: number;
  readonly fields: readonly (string | null)[];
}

/** Result bits of a PlainRecord call (R_PID and R_TIME are the recorder's). */
export const R_PID = 1;
export const R_TIME = 2;
export const R_RET = 4; // a return value (else `?`)
export const R_ERRNO = 8;
export const R_RET_PATH = 16;
export const R_AUX = 32;
export const R_INJECTED = 64;
export const R_DURATION = 128;
/** The call's form: a complete call (neither bit), `<unfinished ...>`, or a resumed half. A
 *  resumed half keeps its result as printed (ParsedResult), for the assembler to join. */
export const R_UNFINISHED = 256;
export const R_RESUMED = 512;

/** Strings of one line, each a byte range of it (plain ASCII, nothing to decode) or a string. */
export interface PlainStrings {
  count: number;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly text: (string | null)[];
}

/** One scanned call: ints and nums in the order the reader takes them; `refs` are the
 *  positions in `ints` that hold an index into `strings` (the recorder interns them). */
export interface PlainRecord {
  readonly ints: Int32Array;
  ni: number;
  readonly nums: Float64Array;
  nn: number;
  readonly refs: Int32Array;
  nr: number;
  readonly strings: PlainStrings;
  /** The bytes the string ranges are in (the segment being read). */
  bytes: Uint8Array;
  /** What the flag evidence and the stats need of the line (see LineReader.plainRead). */
  form: "complete" | "unfinished" | "resumed";
  name: string;
  /** The name's id in `names` (a worker's NameTable: light-bytes.ts), or -1: the recorder keeps
   *  the word each id stands for, instead of finding the name's bytes again at every line. */
  nameId: number;
  names: object | null;
  pid: number | null;
  /** NaN for none, as LightScan's. */
  time: number;
  bracketedPid: boolean;
  stamp: "t" | "tt" | "ttt" | "r" | null;
  stampDigits: number;
  /** A -Y comm, an -n syscall number and an -i instruction pointer were printed. */
  comm: boolean;
  sysno: boolean;
  ip: boolean;
  hasDuration: boolean;
  /** Whether the first argument's fd has a decoration (FlagEvidence.noteDecoration): -1 none,
   *  1 a socket's (-yy), 0 another. */
  firstFdSocket: -1 | 0 | 1;
  /** The line's first EVIDENCE_CHARS characters when it holds a NOTED word (FlagEvidence.noteText),
   *  else null. */
  evidenceText: string | null;
  /** The decoded length of the second argument's string when strace cut it. */
  secondCutBytes: number;
  injected: boolean;
  delayed: boolean;
  /** The return printed in hex and every argument a single int (`-e raw=`). */
  rawLooking: boolean;
}

const MAX_INTS = 16 * 1024;
const MAX_NUMS = 4 * 1024;
const MAX_STRINGS = 4 * 1024;

export function newPlainRecord(): PlainRecord {
  return {
    ints: new Int32Array(MAX_INTS),
    ni: 0,
    nums: new Float64Array(MAX_NUMS),
    nn: 0,
    refs: new Int32Array(MAX_STRINGS),
    nr: 0,
    strings: { count: 0, from: new Int32Array(MAX_STRINGS), to: new Int32Array(MAX_STRINGS), text: [] },
    bytes: new Uint8Array(0),
    form: "complete",
    name: "",
    nameId: -1,
    names: null,
    pid: null,
    time: NaN,
    bracketedPid: false,
    stamp: null,
    stampDigits: 0,
    comm: false,
    sysno: false,
    ip: false,
    hasDuration: false,
    firstFdSocket: -1,
    evidenceText: null,
    secondCutBytes: -1,
    injected: false,
    delayed: false,
    rawLooking: false,
  };
}

// The scan's state: the line is B[S, E), pos is absolute. `var`, not `let`: V8 checks a
// module-level `let` for its temporal dead zone at every read from a function, and these are
// read at every byte (the scan of the bench trace took about 5% more instructions).
var B: Uint8Array = new Uint8Array(0);
var S = 0;
var E = 0;
var pos = 0;
var depth = 0;
var R: PlainRecord = newPlainRecord();
/** The line's ArgProjection, or null. */
var P: ArgProjection | null = null;
/** Whether flatCall is tried first (setFlatCalls). */
var flatCalls = true;
/** Decoded bytes of a string with escapes. */
var scratch = Buffer.allocUnsafe(4096);
/** Whether the string stringEnd, or the decoration decorationEnd, found last holds a backslash. */
var escapes = false;

/** The byte at i, or -1 past the line. */
function at(i: number): number {
  return i < E ? B[i]! : -1;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** `...` at i (a cut string's mark, an elided argument or field). */
function ellipsisAt(i: number): boolean {
  return at(i) === Ch.DOT && at(i + 1) === Ch.DOT && at(i + 2) === Ch.DOT;
}

/** The line continues with `word` at i. */
function startsWith(i: number, word: string): boolean {
  if (i + word.length > E) return false;
  for (let k = 0; k < word.length; k++) if (B[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

// The loops below read the line through locals (a module variable is loaded again at every
// step, and so is a typed array's length for its bounds check).
function skipSpaces(): void {
  const b = B;
  const e = E;
  let i = pos;
  while (i < e && b[i] === Ch.SPACE) i++;
  pos = i;
}
function digitsEnd(from: number): number {
  const b = B;
  const e = E;
  let i = from;
  while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  return i;
}
function wordEnd(from: number): number {
  const b = B;
  const e = E;
  let i = from;
  while (i < e && isWord(b[i]!)) i++;
  return i;
}
/** The end of the identifier at `from` (its first character is one), or -1 when it is `or`: the
 *  lexer's ` or ` operator, never a name (plain-line.ts refuses it too). */
function identEnd(from: number): number {
  const to = wordEnd(from);
  return to - from === 2 && B[from] === 0x6f && B[from + 1] === 0x72 ? -1 : to;
}
function clockAt(i: number): boolean {
  return (
    isDigit(at(i)) && isDigit(at(i + 1)) && at(i + 2) === Ch.COLON && isDigit(at(i + 3)) && isDigit(at(i + 4)) && at(i + 5) === Ch.COLON &&
    isDigit(at(i + 6)) && isDigit(at(i + 7))
  );
}
/** A decimal of at most 15 digits, exactly. */
function decimal(from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (B[i]! - 0x30);
  return v;
}

// ---- the record -----------------------------------------------------------------------------

class Full extends Error {}
const FULL = new Full();

function int(v: number): void {
  if (R.ni >= MAX_INTS) throw FULL;
  R.ints[R.ni++] = v;
}
function num(v: number): void {
  if (R.nn >= MAX_NUMS) throw FULL;
  R.nums[R.nn++] = v;
}
/** A reference to the line's bytes [from, to) as a string. */
function rangeRef(from: number, to: number): void {
  const st = R.strings;
  if (st.count >= MAX_STRINGS || R.nr >= MAX_STRINGS) throw FULL;
  st.from[st.count] = from;
  st.to[st.count] = to;
  st.text[st.count] = null;
  R.refs[R.nr++] = R.ni;
  int(st.count++);
}
/** A reference to a string made here. */
function textRef(text: string): void {
  const st = R.strings;
  if (st.count >= MAX_STRINGS || R.nr >= MAX_STRINGS) throw FULL;
  st.text[st.count] = text;
  R.refs[R.nr++] = R.ni;
  int(st.count++);
}

/** The latin1 string of B[from, to) (ASCII here). */
function latin1(from: number, to: number): string {
  return latin1Of(B, from, to);
}

/** decodeCString over B[from, to): the bytes as latin1 characters; -1 in `decodedLength`
 *  when the body holds something the string path would read differently (a backslash at the
 *  very end is fine: it stands for nothing). Returns the decoded string. */
function decodeBody(from: number, to: number): string {
  const len = to - from;
  if (scratch.length < len) scratch = Buffer.allocUnsafe(Math.max(len, scratch.length * 2));
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = B[i]!;
    if (c !== Ch.BACKSLASH) {
      scratch[n++] = c;
      continue;
    }
    if (++i >= to) break;
    const e = B[i]!;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined && simple >= 0) scratch[n++] = simple;
    else if (e === 0x78 /* x */) {
      let v = 0;
      let j = i + 1;
      for (; j < to && j < i + 3; j++) {
        const h = hexDigit(B[j]!);
        if (h < 0) break;
        v = v * 16 + h;
      }
      scratch[n++] = j > i + 1 ? v : 0x78;
      i = j - 1;
    } else if (e >= 0x30 && e <= 0x37) {
      let v = 0;
      let j = i;
      for (; j < to && j < i + 3; j++) {
        const d = B[j]! - 0x30;
        if (d < 0 || d > 7) break;
        v = v * 8 + d;
      }
      scratch[n++] = v & 0xff;
      i = j - 1;
    } else scratch[n++] = e;
  }
  return scratch.toString("latin1", 0, n);
}

// ---- the scan (plain-line.ts, on bytes) -------------------------------------------------------

/** The quote closing the string that opens at `from` (stringEnd); `escapes` says whether the
 *  string holds a backslash. */
function stringEnd(from: number): number {
  const b = B;
  const e = E;
  let escaped = false;
  for (let i = from + 1; i < e; i++) {
    const c = b[i]!;
    if (c === Ch.BACKSLASH) {
      escaped = true;
      i++;
    } else if (c === Ch.QUOTE) {
      escapes = escaped;
      return i;
    }
  }
  return -1;
}

/** The `>` closing the decoration at `from` (decorationEnd); `escapes` says whether it holds a
 *  backslash. */
function decorationEnd(from: number): number {
  const end = Math.min(E, from + MAX_DECORATION);
  let d = 0;
  let inQuote = false;
  let escaped = false;
  for (let i = from; i < end; i++) {
    const c = B[i]!;
    if (inQuote) {
      if (c === Ch.QUOTE) inQuote = false;
      else if (c === Ch.BACKSLASH) {
        escaped = true;
        i++;
      }
    } else if (c === Ch.LT) d++;
    else if (c === Ch.GT) {
      if (--d === 0) {
        escapes = escaped;
        return i;
      }
    } else if (c === Ch.MINUS && at(i + 1) === Ch.GT) i++;
    else if (c === Ch.BACKSLASH) {
      escaped = true;
      i++;
    } else if (c === Ch.QUOTE) inQuote = true;
  }
  return -1;
}

function plainDecorationAt(i: number): boolean {
  const c = at(i + 1);
  if (c === Ch.LT || c === Ch.DOT || isDigit(c)) return false;
  if (c === 0x75 && (startsWith(i + 1, "unfinished") || startsWith(i + 1, "unavailable"))) return false;
  if (c === 0x64 && startsWith(i + 1, "detached")) return false;
  if (c === 0x70 && startsWith(i + 1, "pid changed")) return false;
  return true;
}

/** A decoration at pos as a reference to its decoded path (decorationPath): a byte range when it
 *  holds no escape (no string is made here; most lines of a -yy trace have one or two), pos
 *  past it. -1 to give up; 1 when `stripDeleted` and the path ended in ` (deleted)`, which is
 *  left out of it; else 0. */
function decorationRef(stripDeleted: boolean): number {
  if (!plainDecorationAt(pos)) return -1;
  const close = decorationEnd(pos);
  if (close < 0) return -1;
  const from = pos + 1;
  pos = close + 1;
  let deleted: boolean;
  if (escapes) {
    let path = decodeBody(from, close);
    deleted = stripDeleted && path.endsWith(DELETED);
    if (deleted) path = path.slice(0, -DELETED.length);
    textRef(path);
  } else {
    deleted = stripDeleted && close - from >= DELETED.length && endsWith(close, DELETED);
    rangeRef(from, deleted ? close - DELETED.length : close);
  }
  return deleted ? 1 : 0;
}

const DELETED = " (deleted)";

/** B[.., to) ends with the ASCII text `s`. */
function endsWith(to: number, s: string): boolean {
  for (let i = 0, j = to - s.length; i < s.length; i++, j++) if (B[j] !== s.charCodeAt(i)) return false;
  return true;
}

/** The path of string ref `ref` matches SOCKET_DECORATION (flag-evidence.ts): -yy's
 *  `TCP:[...]`, `UNIX-STREAM:[...]`, read from its bytes when it is a range. */
function socketDecoration(ref: number): boolean {
  const st = R.strings;
  const text = st.text[ref];
  if (text != null) return isSocketDecoration(text);
  const to = st.to[ref]!;
  let i = st.from[ref]!;
  if (i >= to || B[i]! < 0x41 || B[i]! > 0x5a) return false;
  for (i++; i < to; i++) {
    const c = B[i]!;
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || isDigit(c) || c === Ch.MINUS)) break;
  }
  return i + 1 < to && B[i] === Ch.COLON && B[i + 1] === 0x5b;
}

/** `-?0x[0-9a-fA-F]+` or `-?\d+` at pos: its end (pos moves there), or -1. */
function number(): number {
  let i = pos;
  if (at(i) === Ch.MINUS) i++;
  else if (clockAt(i)) return -1;
  if (at(i) === 0x30 && at(i + 1) === 0x78) {
    let j = i + 2;
    while (hexDigit(at(j)) >= 0) j++;
    if (j === i + 2) return -1;
    i = j;
  } else {
    const j = digitsEnd(i);
    if (j === i) return -1;
    if (at(j) === Ch.DOT && isDigit(at(j + 1))) return -1;
    i = j;
  }
  pos = i;
  return i;
}

/** An int's value as intValue reads B[from, to), when it is exact here: plain decimals and
 *  short hex (a leading 0 is octal to intValue: left to it). NaN otherwise. */
function intOf(from: number, to: number): number {
  let i = from;
  const neg = B[i] === Ch.MINUS;
  if (neg) i++;
  let v: number;
  if (to - i > 2 && B[i + 1] === 0x78) {
    if (to - i - 2 > 13) return NaN;
    v = 0;
    for (let k = i + 2; k < to; k++) v = v * 16 + hexDigit(B[k]!);
  } else {
    if (to - i > 15 || (to - i > 1 && B[i] === 0x30)) return NaN;
    v = decimal(i, to);
  }
  return neg ? -v : v;
}

/** An int term B[from, to): its value with its text. */
function intTerm(from: number, to: number): void {
  const v = intOf(from, to);
  if (v !== v || Object.is(v, -0)) {
    int(V_INT_TEXT);
    rangeRef(from, to);
  } else if ((v | 0) === v) {
    // A decimal (intOf's other branch: no leading zero, no "-0") is printed as String(v).
    const digits = B[from] === Ch.MINUS ? from + 1 : from;
    if (!(to - digits > 2 && B[digits + 1] === 0x78)) {
      int(V_INT_DEC);
      int(v);
    } else {
      int(V_INT_SMALL);
      rangeRef(from, to);
      int(v);
    }
  } else {
    int(V_INT);
    rangeRef(from, to);
    num(v);
  }
}

function bracketToken(): number {
  let i = pos + 1;
  while (at(i) === Ch.SPACE) i++;
  const digits = digitsEnd(i);
  if (digits > i && at(digits) === Ch.RBRACKET) return digits + 1;
  if (startsWith(pos + 1, "pid ")) return -1;
  let j = pos + 1;
  if (at(j) === 0x3f) return -1;
  while (isLowerHex(at(j)) && j - pos <= 17) j++;
  if ((j - pos === 9 || j - pos === 17) && at(j) === Ch.RBRACKET) return -1;
  return 0;
}

// A term and the comments after it (execve's `0x7ffd… /* 3 vars */`, -X verbose's
// `0x1 /* SHUT_WR */`), each a single space after what it follows: plain-line.ts's term. Each
// comment goes before the value as V_COMMENTED (the value's ints move up by two: comments are
// rare), the last one outermost, as withComment nests them.
function term(): boolean {
  const start = R.ni;
  if (!bareTerm()) return false;
  while (at(pos) === Ch.SPACE && at(pos + 1) === Ch.SLASH && at(pos + 2) === Ch.STAR) {
    let close = pos + 3;
    while (close + 1 < E && !(B[close] === Ch.STAR && B[close + 1] === Ch.SLASH)) close++;
    if (close + 1 >= E) return false;
    commented(start, latin1(pos + 3, close).trim());
    pos = close + 2;
  }
  return true;
}

/** Put V_COMMENTED and a reference to `comment` before the value that starts at `start`. */
function commented(start: number, comment: string): void {
  const st = R.strings;
  if (st.count >= MAX_STRINGS || R.nr >= MAX_STRINGS) throw FULL;
  insertHead(start, 2);
  // The comment's reference goes before those inside the value (moved up by two).
  let k = R.nr++;
  for (; k > 0 && R.refs[k - 1]! > start + 1; k--) R.refs[k] = R.refs[k - 1]!;
  R.refs[k] = start + 1;
  R.ints[start] = V_COMMENTED;
  R.ints[start + 1] = st.count;
  st.text[st.count++] = comment;
}

/** One term without the comments after it. */
function bareTerm(): boolean {
  const c = at(pos);
  if (c === Ch.QUOTE) return stringTerm();
  if (isDigit(c) || c === Ch.MINUS) {
    const from = pos;
    if (number() < 0) return false;
    const to = pos;
    if (at(pos) !== Ch.LT) {
      intTerm(from, to);
      return true;
    }
    const fd = intOf(from, to);
    if ((fd | 0) !== fd) return false;
    const tagAt = R.ni;
    int(V_FD);
    int(fd);
    const decoration = decorationRef(true);
    if (decoration < 0) return false;
    if (decoration === 1) R.ints[tagAt] = V_FD_DELETED;
    return true;
  }
  if (isIdentStart(c)) {
    const start = pos;
    const end = identEnd(pos);
    if (end < 0) return false;
    pos = end;
    const next = at(pos);
    if (next === Ch.LT) {
      int(V_FD_IDENT);
      return decorationRef(false) >= 0;
    }
    if (next === Ch.LPAREN) {
      pos++;
      int(V_CALL);
      rangeRef(start, end);
      if (!list(Ch.RPAREN)) return false;
      pos++;
      return true;
    }
    if (next === Ch.EQUALS) {
      const after = at(pos + 1);
      if (after === Ch.EQUALS || after === Ch.GT) return false;
      pos++;
      int(V_NAMED);
      rangeRef(start, end);
      return value();
    }
    int(V_IDENT);
    rangeRef(start, end);
    return true;
  }
  if (c === Ch.LBRACE) {
    pos++;
    int(V_STRUCT);
    if (!list(Ch.RBRACE)) return false;
    pos++;
    return true;
  }
  if (c === Ch.LBRACKET) {
    const token = bracketToken();
    if (token < 0) return false;
    if (token > 0) {
      // `[ 12]`: the inner text trimmed (spaces only: the token holds nothing else).
      let a = pos + 1;
      while (B[a] === Ch.SPACE) a++;
      int(V_INDIRECT);
      rangeRef(a, token - 1);
      pos = token;
      return true;
    }
    pos++;
    int(V_ARRAY);
    if (!list(Ch.RBRACKET)) return false;
    pos++;
    return true;
  }
  if (ellipsisAt(pos)) {
    pos += 3;
    int(V_ELLIPSIS);
    return true;
  }
  return false;
}

/** The string at pos, with strace's `...` after it when it cut it: V_STR, V_STR_CUT, or
 *  V_STR_LAZY for a long one with escapes (decoded when read). pos goes past it. */
function stringTerm(): boolean {
  const close = stringEnd(pos);
  if (close < 0) return false;
  const from = pos + 1;
  pos = close + 1;
  let truncated = false;
  if (ellipsisAt(pos)) {
    truncated = true;
    pos += 3;
  }
  const len = close - from;
  const escaped = escapes;
  if (len > LAZY_STRING_CHARS && escaped) {
    int(V_STR_LAZY);
    rangeRef(from, close);
    int(truncated ? 1 : 0);
    return true;
  }
  int(truncated ? V_STR_CUT : V_STR);
  if (escaped) textRef(decodeBody(from, close));
  else rangeRef(from, close);
  return true;
}

/** The decoded length of an escaped body (cStringLength). */
function decodedLength(from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    n++;
    if (B[i] !== Ch.BACKSLASH) continue;
    if (++i >= to) return n - 1;
    const e = B[i]!;
    if (e === 0x78 /* x */) {
      let j = i + 1;
      while (j < to && j < i + 3 && hexDigit(B[j]!) >= 0) j++;
      i = j - 1;
    } else if (e >= 0x30 && e <= 0x37) {
      let j = i;
      while (j < to && j < i + 3 && B[j]! >= 0x30 && B[j]! <= 0x37) j++;
      i = j - 1;
    }
  }
  return n;
}

/** A term; terms joined by `|`; or `before => after`. Written as V_FLAGS / V_CHANGED, whose
 *  head goes in before the first term once its shape is known (most values are one term and
 *  need none: reserving a head and dropping it again cost a copy per value). */
function value(): boolean {
  const first = R.ni;
  if (!term()) return false;
  if (at(pos) === Ch.PIPE) {
    insertHead(first, 2);
    let parts = 1;
    while (at(pos) === Ch.PIPE) {
      pos++;
      if (!term()) return false;
      parts++;
    }
    if (opFollows()) return false;
    R.ints[first] = V_FLAGS;
    R.ints[first + 1] = parts;
    return true;
  }
  if (at(pos) === Ch.SPACE && startsWith(pos + 1, "=> ")) {
    pos += 4;
    // `before => after`: one tag, no count.
    insertHead(first, 1);
    R.ints[first] = V_CHANGED;
    if (!term() || opFollows()) return false;
    return true;
  }
  return true;
}

/** Make room for `n` ints at `at`: what was recorded from there moves up. */
function insertHead(at: number, n: number): void {
  if (R.ni + n > MAX_INTS) throw FULL;
  R.ints.copyWithin(at + n, at, R.ni);
  R.ni += n;
  shiftRefs(at, n);
}

/** String references at or after `from` move by `by` (their ints moved). */
function shiftRefs(from: number, by: number): void {
  for (let k = R.nr - 1; k >= 0 && R.refs[k]! >= from; k--) R.refs[k] += by;
}

function opFollows(): boolean {
  const c = at(pos);
  return c === Ch.PIPE || (c === Ch.SPACE && startsWith(pos + 1, "=> "));
}

/** Comma-separated values up to `closer`, as slots: the slot count, then per slot its value
 *  count and values. */
function list(closer: number): boolean {
  if (++depth > MAX_DEPTH) return false;
  const top = depth === 1;
  const countAt = R.ni;
  int(0);
  let slots = 0;
  /** Slots given a value so far: the position in the event's arguments (empty slots are left
   *  out of them) of the slot under way. */
  let filled = 0;
  /** Where the current slot's value count is, -1 before any. */
  let current = -1;
  let valueEnd = 0;
  for (;;) {
    skipSpaces();
    const c = at(pos);
    if (c === Ch.COMMA) {
      if (current < 0) {
        int(0); // an empty slot before the comma
        slots++;
      }
      current = R.ni;
      int(0);
      slots++;
      pos++;
      continue;
    }
    if (c === closer || (c === Ch.LT && closer === Ch.RPAREN && top)) break; // `<unfinished ...>` ends it too
    if (current >= 0 && R.ints[current]! > 0) {
      const before = at(valueEnd - 1);
      if (c === Ch.DOT || (c === Ch.LBRACKET && (isWord(before) || before === Ch.RPAREN))) return false;
    }
    const opening = current < 0;
    if (opening) {
      current = R.ni;
      int(0);
      slots++;
    }
    if (c === Ch.EQUALS) {
      // The second half of a `{in} => {out}` argument cut by <unfinished ...> (clone3).
      if (!(top && opening && startsWith(pos, "=> "))) return false;
      pos += 3;
      int(V_CUT_CHANGED);
      if (!value()) return false;
    } else if (!(top && P !== null && R.ints[current] === 0 && projected(P, filled)) && !value()) return false;
    if (R.ints[current]++ === 0) filled++;
    valueEnd = pos;
    const next = at(pos);
    if (next !== Ch.COMMA && next !== closer && next !== Ch.SPACE) return false;
  }
  depth--;
  R.ints[countAt] = slots;
  return true;
}

// ---- the flat call ----------------------------------------------------------------------------

/**
 * The commonest lines in one pass, the line read through locals: a complete call, the first half
 * of a cut one or a resumed half, whose arguments are each an int, an identifier, a
 * string or an int by reference (`[n]`), or terms of those joined by `|`, separated by `, `,
 * or one the projection takes (a path or argv left out, a stat struct's mode); then a decimal or hex
 * return or `?`, an errno, parenthesised text, a duration. It records exactly what scanCall
 * records for such a line (the same ints, nums, strings and facts, inspect's included). For any
 * other line it returns false, and the caller resets the record and pos and lets scanCall read
 * the line (which may refuse it). The general scan's layers (list, value, term, bareTerm,
 * result, inspect), each cheap, cost such a line more than its bytes did.
 */
function flatCall(lead: LightScan): boolean {
  const b = B;
  const e = E;
  let i = pos;
  // The name, as scanCall reads it: `name(` or `<... name resumed>` (whose slots are not the
  // call's positions: no projection).
  let nameFrom: number;
  let c = i < e ? b[i]! : -1;
  const resumed = c === Ch.LT;
  if (resumed) {
    if (!startsWith(i, "<... ")) return false;
    nameFrom = i + 5;
    i = nameFrom;
  } else {
    if (!isIdentStart(c)) return false;
    nameFrom = i;
  }
  i = resumed ? wordEnd(i) : identEnd(i);
  const nameTo = i;
  if (resumed) {
    if (nameTo === nameFrom || !startsWith(i, " resumed>")) return false;
    i += 9;
  } else {
    if (i < 0 || i >= e || b[i] !== Ch.LPAREN) return false;
    i++;
  }
  const argsStart = i - S;
  // The name's reference, the bits, the list.
  rangeRef(nameFrom, nameTo);
  const bitsAt = R.ni;
  int(0);
  const countAt = R.ni;
  int(0);
  let slots = 0;
  /** inspect's facts: every argument a single int; the first one's tag and value; the second's
   *  cut length. */
  let allInts = true;
  let firstTag = 0;
  let firstInt = 0;
  let secondCut = -1;
  let unfinished = false;
  if (i < e && b[i] === Ch.RPAREN) allInts = false;
  else
    for (;;) {
      // A slot of one value: a term, or terms joined by `|` (V_FLAGS, its head before them).
      int(1);
      slots++;
      const first = R.ni;
      let parts = 0;
      /** The decoded length of the last term, a string strace cut. */
      let cut = -1;
      for (;;) {
        c = i < e ? b[i]! : -1;
        if (parts === 0 && P !== null && !resumed) {
          // The argument as the projection takes it (list's own call): left out, or a struct
          // of one field; or else read as usual. All of the slots before it are filled.
          pos = i;
          if (projected(P, slots - 1)) {
            i = pos;
            // omitString notes the second argument's -s length itself.
            if (slots === 2) cut = R.secondCutBytes;
            parts = 1;
            break;
          }
        }
        if (c === Ch.QUOTE) {
          const tagAt = R.ni;
          pos = i;
          if (!stringTerm()) return false;
          i = pos;
          const tag = R.ints[tagAt];
          if (tag === V_STR_CUT || (tag === V_STR_LAZY && R.ints[tagAt + 2] === 1)) cut = strLengthAt(tagAt);
        } else if ((c >= 0x30 && c <= 0x39) || c === Ch.MINUS) {
          // An int as number and intTerm record it: a decimal or a hex, its value made as its
          // digits are met; not a clock, a fraction or an fd with its decoration.
          const neg = c === Ch.MINUS;
          const d = neg ? i + 1 : i;
          const hex = d + 1 < e && b[d] === 0x30 && b[d + 1] === 0x78;
          let j = hex ? d + 2 : d;
          let v = 0;
          if (hex) for (let h; j < e && (h = hexDigit(b[j]!)) >= 0; j++) v = v * 16 + h;
          else for (let x; j < e && (x = b[j]!) >= 0x30 && x <= 0x39; j++) v = v * 10 + (x - 0x30);
          const n = j - d;
          if (n === (hex ? 2 : 0)) return false;
          if (j < e && (b[j] === Ch.COLON || b[j] === Ch.DOT || b[j] === Ch.LT || b[j] === 0x78)) return false;
          // intOf's exact forms: a hex of at most 13 digits, a decimal of at most 15 and no
          // leading zero (octal to intValue).
          const exact = hex ? n - 2 <= 13 : n <= 15 && !(n > 1 && b[d] === 0x30);
          const value = neg ? -v : v;
          if (!exact || (neg && v === 0)) {
            int(V_INT_TEXT);
            rangeRef(i, j);
          } else if ((value | 0) !== value) {
            int(V_INT);
            rangeRef(i, j);
            num(value);
          } else if (hex) {
            int(V_INT_SMALL);
            rangeRef(i, j);
            int(value);
          } else {
            int(V_INT_DEC);
            int(value);
          }
          i = j;
        } else if (c === Ch.LBRACKET) {
          // `[n]`: an int by reference (bracketToken's V_INDIRECT).
          let a = i + 1;
          while (a < e && b[a] === Ch.SPACE) a++;
          const j = digitsEnd(a);
          if (j === a || j >= e || b[j] !== Ch.RBRACKET) return false;
          int(V_INDIRECT);
          rangeRef(a, j);
          i = j + 1;
        } else if (isIdentStart(c)) {
          const start = i;
          i = identEnd(i);
          if (i < 0) return false;
          if (i < e && (b[i] === Ch.LT || b[i] === Ch.LPAREN || b[i] === Ch.EQUALS)) return false;
          int(V_IDENT);
          rangeRef(start, i);
        } else return false;
        parts++;
        if (i >= e || b[i] !== Ch.PIPE) break;
        i++;
      }
      if (parts > 1) {
        insertHead(first, 2);
        R.ints[first] = V_FLAGS;
        R.ints[first + 1] = parts;
        allInts = false;
      } else if (!isIntTag(R.ints[first]!)) allInts = false;
      if (slots === 2 && parts === 1) secondCut = cut;
      if (slots === 1) {
        firstTag = R.ints[first]!;
        firstInt = R.ints[first + 1]!;
      }
      c = i < e ? b[i]! : -1;
      if (c === Ch.RPAREN) break;
      if (c === Ch.SPACE) {
        // ` <unfinished ...>` after an argument.
        while (i < e && b[i] === Ch.SPACE) i++;
        unfinished = true;
        break;
      }
      if (c !== Ch.COMMA) return false;
      i++;
      while (i < e && b[i] === Ch.SPACE) i++;
      c = i < e ? b[i]! : -1;
      if (c === Ch.LT) {
        // `,  <unfinished ...>`: an empty slot ends the list.
        int(0);
        slots++;
        unfinished = true;
        break;
      }
      if (c === Ch.COMMA || c === Ch.RPAREN) return false;
    }
  R.ints[countAt] = slots;
  if (resumed) {
    // A resumed half cut again is left to scanCall (which refuses it).
    if (unfinished) return false;
    int(argsStart);
    int(i - S);
  }
  // inspect: a write's fd (1 or 2 may have program output spliced in: scanCall's to read).
  const name = nameTo - nameFrom;
  if (resumed) {
    // Not a call's first half: its arguments are as printed.
  } else if (b[nameFrom] === 0x77 ? name === 5 && startsWith(nameFrom, "write") : name === 8 && b[nameFrom] === 0x70 && startsWith(nameFrom, "pwrite64")) {
    if (slots > 0 && (firstTag !== V_INT_DEC || firstInt === -1 || ((firstInt === 1 || firstInt === 2) && splicedLook(countAt)))) return false;
  }
  let bits = 0;
  let hasDuration = false;
  let rawLooking = false;
  if (unfinished) {
    if (!startsWith(i, UNFINISHED)) return false;
    i += UNFINISHED.length;
    while (i < e && b[i] === Ch.SPACE) i++;
    if (i !== e) return false;
    bits = R_UNFINISHED;
  } else {
    // `) = ret`: a decimal (no leading zero, at most 15 digits) or `?`.
    i++;
    while (i < e && b[i] === Ch.SPACE) i++;
    if (i + 1 >= e || b[i] !== Ch.EQUALS || b[i + 1] !== Ch.SPACE) return false;
    i += 2;
    while (i < e && b[i] === Ch.SPACE) i++;
    c = i < e ? b[i]! : -1;
    if (c === 0x3f) {
      if (i + 1 < e && b[i + 1] !== Ch.SPACE) return false;
      if (resumed) {
        // The result as printed (the assembler joins it).
        textRef("?");
      }
      i++;
    } else if (c === 0x30 && i + 1 < e && b[i + 1] === 0x78) {
      // A hex return (intOf's: at most 13 digits), `-e raw=`'s look with int arguments.
      let j = i + 2;
      let v = 0;
      for (let h; j < e && (h = hexDigit(b[j]!)) >= 0; j++) v = v * 16 + h;
      if (j === i + 2 || j - i - 2 > 13 || (j < e && b[j] !== Ch.SPACE)) return false;
      num(v);
      bits |= R_RET;
      if (resumed) rangeRef(i, j);
      rawLooking = j - i > 2;
      i = j;
    } else {
      const neg = c === Ch.MINUS;
      const d = neg ? i + 1 : i;
      let j = d;
      while (j < e && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
      const n = j - d;
      if (n === 0 || n > 15 || (n > 1 && b[d] === 0x30)) return false;
      if (j < e && b[j] !== Ch.SPACE) return false;
      const v = decimal(d, j);
      if (neg && v === 0) return false;
      num(neg ? -v : v);
      bits |= R_RET;
      if (resumed) {
        rangeRef(i, j);
      }
      i = j;
    }
    while (i < e && b[i] === Ch.SPACE) i++;
    c = i < e ? b[i]! : -1;
    if (isIdentStart(c)) {
      const start = i;
      i = identEnd(i);
      if (i < 0 || (i < e && b[i] !== Ch.SPACE)) return false;
      bits |= R_ERRNO;
      rangeRef(start, i);
      while (i < e && b[i] === Ch.SPACE) i++;
    }
    if (resumed) {
      // Each parenthesised text as printed, after their count.
      const auxCountAt = R.ni;
      int(0);
      let parts = 0;
      while (i < e && b[i] === Ch.LPAREN) {
        const open = i;
        i = auxEnd(open);
        if (i < 0) return false;
        rangeRef(open + 1, i);
        parts++;
        i++;
        if (i < e && b[i] !== Ch.SPACE) return false;
        while (i < e && b[i] === Ch.SPACE) i++;
      }
      R.ints[auxCountAt] = parts;
    } else if (i < e && b[i] === Ch.LPAREN) {
      // One text of AUX_CHARS, none of INJECTED or DELAYED.
      const open = i;
      i = auxEnd(open);
      if (i < 0 || i === open + 1 || startsWith(open + 1, "INJECTED") || (i - open - 1 === 7 && startsWith(open + 1, "DELAYED"))) return false;
      bits |= R_AUX;
      rangeRef(open + 1, i);
      i++;
      if (i < e && b[i] !== Ch.SPACE) return false;
      while (i < e && b[i] === Ch.SPACE) i++;
      if (i < e && b[i] === Ch.LPAREN) return false;
    }
    if (i < e && b[i] === Ch.LT) {
      const close = duration(i, resumed);
      if (close < 0) return false;
      bits |= R_DURATION;
      hasDuration = true;
      i = close + 1;
      while (i < e && b[i] === Ch.SPACE) i++;
    }
    if (i !== e) return false;
  }
  R.ints[bitsAt] = resumed ? bits | R_RESUMED : bits;
  R.form = resumed ? "resumed" : unfinished ? "unfinished" : "complete";
  takeLeaders(lead);
  R.hasDuration = hasDuration;
  R.secondCutBytes = secondCut;
  R.rawLooking = rawLooking && allInts;
  pos = i;
  return true;
}

/** The record takes the leaders the light scan read (a pid, a time and their forms, -n, -i). */
function takeLeaders(lead: LightScan): void {
  R.pid = lead.pid;
  R.time = lead.time;
  R.bracketedPid = lead.bracketedPid;
  R.stamp = lead.stamp;
  R.stampDigits = lead.stampDigits;
  R.comm = lead.comm;
  R.sysno = lead.sysno;
  R.ip = lead.ip;
}

/** The `)` closing the text after a return that opens at `open`, when the text is only
 *  AUX_CHARS (no parenthesis: result's nested ones are its own), else -1. */
function auxEnd(open: number): number {
  const b = B;
  const e = E;
  let i = open + 1;
  while (i < e && b[i] !== Ch.RPAREN) {
    const a = b[i]!;
    if (a >= 128 || AUX_CHARS[a] === 0) return -1;
    i++;
  }
  return i < e ? i : -1;
}

// ---- arguments left out (ArgProjection) ------------------------------------------------------
// A left-out argument is walked past but not recorded: the worker records less, and the main
// thread builds no values for it. What it accepts is exactly what the full scan accepts (a
// string is a string whatever it holds; a struct field is read and then dropped), so a line reads
// the same but for those values; an argument of any other shape (a comment after it) is read.

/** The top-level argument at pos, the call's kth, taken as `p` says (pos past it, its value
 *  recorded): false to read it as usual (pos and the record as they were). */
function projected(p: ArgProjection, k: number): boolean {
  const c = at(pos);
  if (k < 31 && ((p.omit >> k) & 1) !== 0) {
    if (c === Ch.QUOTE) return omitString(k);
    if (c === Ch.LBRACKET && at(pos + 1) === Ch.QUOTE) return omitStrings();
    return false;
  }
  const keep = k < p.fields.length ? p.fields[k] : null;
  return keep != null && c === Ch.LBRACE && keptField(keep);
}

/** The argument ends at i: a comma, the list's `)` or ` <unfinished ...>` follows. */
function argEndsAt(i: number): boolean {
  const c = at(i);
  return c === Ch.COMMA || c === Ch.RPAREN || (c === Ch.SPACE && at(i + 1) === Ch.LT);
}

/** A non-empty string left out (an empty one is read: `""` is AT_EMPTY_PATH's). The second
 *  argument's cut length is still noted (the -s evidence, as inspect notes it). */
function omitString(k: number): boolean {
  const close = stringEnd(pos);
  if (close < 0 || close === pos + 1) return false;
  let after = close + 1;
  const cut = ellipsisAt(after);
  if (cut) after += 3;
  if (!argEndsAt(after)) return false;
  if (k === 1 && cut) R.secondCutBytes = escapes ? decodedLength(pos + 1, close) : close - pos - 1;
  int(V_OMITTED);
  pos = after;
  return true;
}

/** `["a", "b"...]`, `["a", ...]`: an array of strings (argv) left out. */
function omitStrings(): boolean {
  let i = pos + 1;
  for (;;) {
    if (at(i) !== Ch.QUOTE) {
      if (!(ellipsisAt(i) && at(i + 3) === Ch.RBRACKET)) return false;
      i += 4;
      break;
    }
    const close = stringEnd(i);
    if (close < 0) return false;
    i = close + 1;
    if (ellipsisAt(i)) i += 3;
    if (at(i) === Ch.RBRACKET) {
      i++;
      break;
    }
    if (at(i) !== Ch.COMMA || at(i + 1) !== Ch.SPACE) return false;
    i += 2;
  }
  if (!argEndsAt(i)) return false;
  int(V_OMITTED);
  pos = i;
  return true;
}

/** A struct keeping only its fields named `keep` (`{...} => {...}`: both sides). */
function keptField(keep: string): boolean {
  const from = pos;
  const first = R.ni;
  const nn = R.nn;
  const nr = R.nr;
  const strings = R.strings.count;
  const d = depth;
  let ok = keptStruct(keep);
  if (ok && at(pos) === Ch.SPACE && startsWith(pos + 1, "=> ") && at(pos + 4) === Ch.LBRACE) {
    insertHead(first, 1);
    R.ints[first] = V_CHANGED;
    pos += 4;
    ok = keptStruct(keep);
  }
  if (ok && argEndsAt(pos)) return true;
  pos = from;
  depth = d;
  truncate(first, nn, nr, strings);
  return false;
}

/** `{name=value, ...}` at pos as V_STRUCT of the fields named `keep`, pos past it; the other
 *  fields' values walked past. False (pos anywhere): read the argument as usual. */
function keptStruct(keep: string): boolean {
  if (at(pos) !== Ch.LBRACE || ++depth > MAX_DEPTH) return false;
  pos++;
  int(V_STRUCT);
  const countAt = R.ni;
  int(0);
  let slots = 0;
  for (;;) {
    const c = at(pos);
    if (c === Ch.RBRACE) break;
    if (ellipsisAt(pos) && at(pos + 3) === Ch.RBRACE) {
      pos += 3;
      break;
    }
    if (!isIdentStart(c)) return false;
    const nameEnd = identEnd(pos);
    if (nameEnd < 0) return false;
    if (at(nameEnd) !== Ch.EQUALS || at(nameEnd + 1) === Ch.EQUALS || at(nameEnd + 1) === Ch.GT) return false;
    if (nameEnd - pos === keep.length && startsWith(pos, keep)) {
      int(1);
      int(V_NAMED);
      rangeRef(pos, nameEnd);
      pos = nameEnd + 1;
      if (!value()) return false;
      slots++;
    } else {
      pos = nameEnd + 1;
      if (!skipFieldValue()) return false;
    }
    if (at(pos) === Ch.RBRACE) break;
    if (at(pos) !== Ch.COMMA || at(pos + 1) !== Ch.SPACE) return false;
    pos += 2;
  }
  pos++;
  depth--;
  R.ints[countAt] = slots;
  return true;
}

/** Past a struct field's value, read as the full scan reads it (so that a line it would refuse is
 *  refused here too) and then dropped from the record. */
function skipFieldValue(): boolean {
  const ni = R.ni;
  const nn = R.nn;
  const nr = R.nr;
  const strings = R.strings.count;
  if (!value()) return false;
  truncate(ni, nn, nr, strings);
  return true;
}

/** Drop what was recorded after the record held `ni` ints, `nn` nums, `nr` references and
 *  `strings` strings. */
function truncate(ni: number, nn: number, nr: number, strings: number): void {
  R.ni = ni;
  R.nn = nn;
  R.nr = nr;
  R.strings.count = strings;
}

/** ` = ret [<deco>] [ERRNO] [(aux)...]` after the `)`, into the record's tail. */
function result(bitsAt: number): boolean {
  skipSpaces();
  if (at(pos) !== Ch.EQUALS || at(pos + 1) !== Ch.SPACE) return false;
  pos += 2;
  skipSpaces();
  let bits = R.ints[bitsAt]!;
  const printed = (bits & R_RESUMED) !== 0;
  if (at(pos) === 0x3f) {
    if (at(pos + 1) === 0x3f) return false;
    if (printed) textRef("?");
    pos++;
  } else {
    const from = pos;
    if (number() < 0) return false;
    const v = intOf(from, pos);
    if (v !== v || Object.is(v, -0)) return false;
    num(v);
    bits |= R_RET;
    if (printed) rangeRef(from, pos);
    R.rawLooking = pos - from > 2 && B[from + 1] === 0x78;
    if (at(pos) === Ch.LT && plainDecorationAt(pos)) {
      if (decorationRef(false) < 0) return false;
      bits |= R_RET_PATH;
    }
  }
  if (at(pos) !== Ch.SPACE && pos < E) return false;
  skipSpaces();
  if (isIdentStart(at(pos))) {
    const end = identEnd(pos);
    if (end < 0) return false;
    bits |= R_ERRNO;
    rangeRef(pos, end);
    pos = end;
    if (at(pos) !== Ch.SPACE && pos < E) return false;
    skipSpaces();
  }
  // The aux texts, joined by a space, without INJECTED... and DELAYED (syscallEvent); a
  // resumed half's as they are (the assembler's syscallEvent reads them).
  let auxFrom = -1;
  let auxTo = -1;
  let auxParts = 0;
  const auxCountAt = R.ni;
  if (printed) int(0);
  while (at(pos) === Ch.LPAREN) {
    const open = pos;
    let d = 0;
    let i = pos;
    for (; i < E; i++) {
      const c = B[i]!;
      if (c === Ch.LPAREN) d++;
      else if (c === Ch.RPAREN) {
        if (--d === 0) break;
      } else if (c >= 128 || AUX_CHARS[c] === 0) return false;
    }
    if (i >= E) return false;
    if (printed) {
      rangeRef(open + 1, i);
      R.ints[auxCountAt]++;
    } else if (startsWith(open + 1, "INJECTED")) {
      if (R.delayed) return false; // both, in this order: left to the string path
      R.injected = true;
      bits |= R_INJECTED;
    } else if (i - open - 1 === 7 && startsWith(open + 1, "DELAYED")) R.delayed = true;
    else if (i > open + 1) {
      // syscallEvent joins the texts with a space (an empty one adds nothing).
      if (auxParts++ > 0) return false; // two: left to the string path
      auxFrom = open + 1;
      auxTo = i;
    }
    pos = i + 1;
    if (at(pos) !== Ch.SPACE && pos < E) return false;
    skipSpaces();
  }
  if (auxParts > 0) {
    bits |= R_AUX;
    rangeRef(auxFrom, auxTo);
  }
  R.ints[bitsAt] = bits;
  return true;
}

/**
 * Scan B[start, end) (one line, without its newline) as a complete plain call. On success the
 * record holds it: ints [line-relative fields follow in the recorder] `name, bits, args...`, nums
 * `pid?, time?, ret?, duration?`. `record` is reset first. False: the string path decides.
 * `lead`: the light scan of this same line (light-bytes.ts), refused for its name (argsNeeded):
 * its leaders are taken as it read them, and the scan goes on from the name. `marks`: a
 * worker's searches of the whole segment (PlainTextMarks); without them the line's own bytes
 * are searched.
 */
export function scanPlainBytes(
  b: Uint8Array,
  start: number,
  end: number,
  record: PlainRecord,
  lead: LightScan,
  marks?: PlainTextMarks,
  projection: ArgProjection | null = null,
): boolean {
  if (!lead.argsNeeded || lead.nameAt < 0) return false;
  if (marks !== undefined ? !marks.clean(start, end) : !plainText(b, start, end)) return false;
  // The segment's bytes are stored again only when they change: a store of a new object into a
  // long-lived one takes the write barrier's slow path, and this one was at every line.
  if (B !== b) B = b;
  S = start;
  E = end;
  pos = lead.nameAt;
  depth = 0;
  R = record;
  if (R.bytes !== b) R.bytes = b;
  R.ni = 0;
  R.nn = 0;
  R.nr = 0;
  R.strings.count = 0;
  R.firstFdSocket = -1;
  R.secondCutBytes = -1;
  R.injected = false;
  R.delayed = false;
  R.rawLooking = false;
  P = projection;
  try {
    if (!(flatCalls && flatCall(lead))) {
      // From the name again, on an empty record.
      pos = lead.nameAt;
      truncate(0, 0, 0, 0);
      R.secondCutBytes = -1;
      if (!scanCall(lead)) return false;
    }
    // The -x/-xx and -X verbose evidence reads the line's first characters (FlagEvidence.noteText).
    const noted = marks !== undefined ? marks.noted(start, end) : notedIn(b, start, end);
    R.evidenceText = noted ? latin1(start, Math.min(end, start + EVIDENCE_CHARS)) : null;
    return true;
  } catch (err) {
    if (err === FULL) return false;
    throw err;
  } finally {
    B = EMPTY;
    P = null;
  }
}

/** Read every line with scanCall alone (false) or flatCall first (true, the default): for the
 *  harness that holds flatCall's records to scanCall's (conformance-bytes.ts). */
export function setFlatCalls(on: boolean): void {
  flatCalls = on;
}

const EMPTY = new Uint8Array(0);
const UNFINISHED = "<unfinished ...>";

/** What the string path reads beyond the call: `%` (a -c summary header), `strace:` or
 *  `[ Process` (strace's own messages). */
const REFUSED = ["%", "strace:", "[ P"].map((w) => Buffer.from(w, "latin1"));
/** What the flag evidence reads in a line's text: a hex escape (-x, -xx) and a comment (-X
 *  verbose). Lines holding them are taken, their text noted. */
const NOTED = ["\\x", "/*"].map((w) => Buffer.from(w, "latin1"));
/** The words a segment is searched for: the refused ones, then the noted ones. */
const MARKED = [...REFUSED, ...NOTED];

function notedIn(b: Uint8Array, start: number, end: number): boolean {
  const line = Buffer.from(b.buffer, b.byteOffset + start, end - start);
  return NOTED.some((w) => line.indexOf(w) >= 0);
}

/** The line b[start, end) is ASCII (byte offsets are then the string path's character offsets)
 *  and holds none of the REFUSED words. */
export function plainText(b: Uint8Array, start: number, end: number): boolean {
  const line = Buffer.from(b.buffer, b.byteOffset + start, end - start);
  return isAscii(line) && !REFUSED.some((w) => line.indexOf(w) >= 0);
}

/**
 * plainText for the lines of one segment, asked in order, by a few native searches over the
 * whole segment instead of searches in each line (a pass over each line's bytes was a seventh
 * of the scan's time). A line is [start, end) with a newline or `\r\n` at `end`: no REFUSED
 * word holds either, so a word found in the segment that starts inside a line lies wholly
 * inside it. A segment that is not all ASCII has each line's bytes checked too.
 */
export class PlainTextMarks {
  private readonly ascii: boolean;
  /** The next start of each MARKED word at or after the last line asked (-1: none left,
   *  -Infinity: not looked for yet). */
  private readonly next = new Float64Array(MARKED.length).fill(-Infinity);

  /** The least of `next` once every entry is looked for at or after the last line asked
   *  (Infinity: none left): a line ending at or before it holds no MARKED word. Most lines
   *  hold none, and are answered by this one comparison. */
  private nearest = -Infinity;

  constructor(private readonly b: Buffer) {
    this.ascii = isAscii(b);
  }

  /** plainText(b, start, end). */
  clean(start: number, end: number): boolean {
    if (!this.ascii && !isAscii(this.b.subarray(start, end))) return false;
    if (this.nearest < start) this.look(start);
    if (this.nearest >= end) return true;
    for (let k = 0; k < REFUSED.length; k++) if (this.lies(k, start, end)) return false;
    return true;
  }

  /** The line holds a NOTED word (asked after clean, of the same line). */
  noted(start: number, end: number): boolean {
    if (this.nearest >= end) return false;
    for (let k = REFUSED.length; k < MARKED.length; k++) if (this.lies(k, start, end)) return true;
    return false;
  }

  /** Every word's next start at or after `start`, and the least of them. */
  private look(start: number): void {
    let least = Infinity;
    for (let k = 0; k < MARKED.length; k++) {
      this.lies(k, start, start);
      const at = this.next[k]!;
      if (at >= 0 && at < least) least = at;
    }
    this.nearest = least;
  }

  /** MARKED word k starts in [start, end). */
  private lies(k: number, start: number, end: number): boolean {
    let at = this.next[k]!;
    if (at === -Infinity || (at >= 0 && at < start)) at = this.next[k] = this.b.indexOf(MARKED[k]!, start);
    return at >= 0 && at < end;
  }
}

/** The call from its name (at pos) on, after the leaders the light scan read. */
function scanCall(lead: LightScan): boolean {
  let nameFrom: number;
  let nameTo: number;
  let form: PlainRecord["form"];
  if (isIdentStart(at(pos))) {
    nameFrom = pos;
    nameTo = identEnd(pos);
    if (nameTo < 0 || at(nameTo) !== Ch.LPAREN) return false;
    pos = nameTo + 1;
    form = "complete";
  } else if (at(pos) === Ch.LT && startsWith(pos, "<... ")) {
    nameFrom = pos + 5;
    nameTo = wordEnd(nameFrom);
    if (nameTo === nameFrom || !startsWith(nameTo, " resumed>")) return false;
    pos = nameTo + 9;
    form = "resumed";
    // A resumed half's slots are not the call's positions.
    P = null;
  } else return false;
  const argsStart = pos - S;
  R.form = form;
  takeLeaders(lead);
  rangeRef(nameFrom, nameTo);
  const bitsAt = R.ni;
  int(0);
  const listAt = R.ni;
  if (!list(Ch.RPAREN)) return false;
  R.hasDuration = false;
  if (at(pos) !== Ch.RPAREN) {
    // `<unfinished ...>`: the first half of a call (a resumed half cut again is left).
    if (form !== "complete" || !startsWith(pos, UNFINISHED)) return false;
    pos += UNFINISHED.length;
    skipSpaces();
    R.form = "unfinished";
    R.ints[bitsAt] = R_UNFINISHED;
    return pos === E && inspect(listAt, nameFrom, nameTo);
  }
  if (form === "resumed") {
    // Where the arguments lie in the line (the body keeps them, as the grammar's does).
    R.ints[bitsAt] = R_RESUMED;
    int(argsStart);
    int(pos - S);
  }
  pos++;
  if (!result(bitsAt)) return false;
  if (at(pos) === Ch.LT) {
    const close = duration(pos, form === "resumed");
    if (close < 0) return false;
    R.ints[bitsAt] |= R_DURATION;
    R.hasDuration = true;
    pos = close + 1;
    skipSpaces();
  }
  return pos === E && inspect(listAt, nameFrom, nameTo);
}

/** The -T duration `<D[.D]>` that opens at `open`, recorded: its `>`, or -1. A resumed half's
 *  as its text (the assembler's syscallEvent reads it), else its value in microseconds. */
function duration(open: number, resumed: boolean): number {
  const b = B;
  const e = E;
  const from = open + 1;
  // The digits' values made as they are met (decimal's arithmetic).
  let i = from;
  let whole = 0;
  for (let x; i < e && (x = b[i]!) >= 0x30 && x <= 0x39; i++) whole = whole * 10 + (x - 0x30);
  if (i === from) return -1;
  const intEnd = i;
  let frac = 0;
  let fracDigits = 0;
  if (i < e && b[i] === Ch.DOT) {
    i++;
    for (let x; i < e && (x = b[i]!) >= 0x30 && x <= 0x39; i++) frac = frac * 10 + (x - 0x30);
    fracDigits = i - intEnd - 1;
    if (fracDigits === 0) return -1;
  }
  if (i >= e || b[i] !== Ch.GT) return -1;
  if (resumed) rangeRef(from, i);
  else {
    // +text exactly: SF / 10^|F|, one rounding of exact values.
    if (intEnd - from + fracDigits > 16 || fracDigits > 15) return -1;
    const scaled = fracDigits > 0 ? whole * POW10[fracDigits]! + frac : whole;
    if (!Number.isSafeInteger(scaled)) return -1;
    num((scaled / POW10[fracDigits]!) * 1e6);
  }
  return i;
}

/** What the flag evidence reads of the arguments (FlagEvidence.noteArgs), the `-e raw=` look,
 *  and the writes to fd 1 or 2 that the string path must see (program output spliced in by
 *  `2>&1`, splicedLook). */
function inspect(listAt: number, nameFrom: number, nameTo: number): boolean {
  const ints = R.ints;
  const slots = ints[listAt]!;
  let p = listAt + 1;
  let allInts = slots > 0;
  for (let k = 0; k < slots; k++) {
    const count = ints[p++]!;
    // The slot's first value without its comments (withComment keeps a value's kind and fields).
    const q = count > 0 ? bare(ints, p) : p;
    const tag = count > 0 ? ints[q]! : 0;
    if (count !== 1 || !isIntTag(tag)) allInts = false;
    if (k === 0 && count > 0) {
      if (tag === V_FD || tag === V_FD_DELETED) R.firstFdSocket = socketDecoration(ints[q + 2]!) ? 1 : 0;
      else if (tag === V_FD_IDENT) R.firstFdSocket = socketDecoration(ints[q + 1]!) ? 1 : 0;
      const name = nameTo - nameFrom;
      const write = R.form !== "resumed" && ((name === 5 && startsWith(nameFrom, "write")) || (name === 8 && startsWith(nameFrom, "pwrite64")));
      if (write) {
        const fd = tag === V_INT_DEC || tag === V_FD || tag === V_FD_DELETED ? ints[q + 1]! : tag === V_INT_SMALL ? ints[q + 2]! : tag === V_INT ? 0 : -1;
        if (fd === -1 || ((fd === 1 || fd === 2) && splicedLook(listAt))) return false;
      }
    }
    if (k === 1 && count > 0 && (tag === V_STR_CUT || (tag === V_STR_LAZY && ints[q + 2] === 1))) R.secondCutBytes = strLengthAt(q);
    for (let v = 0; v < count; v++) p = skipValue(p);
  }
  R.rawLooking = R.rawLooking && allInts;
  return true;
}

function isIntTag(tag: number): boolean {
  return tag === V_INT_DEC || tag === V_INT_SMALL || tag === V_INT || tag === V_INT_TEXT;
}

/** The value at p without the comments before it (V_COMMENTED). */
function bare(ints: Int32Array, p: number): number {
  while (ints[p] === V_COMMENTED) p += 2;
  return p;
}

/** maybeSplicedWrite (write-splice.ts) on the record of a write to fd 1 or 2: program output
 *  glued to its count (`3hi`, or `34` for a count of 3 followed by "4"). A count of more than
 *  one token, or one whose text is not the decoded length of a whole (not `...`-cut) string
 *  before it. Such a line is the string path's, which rejoins the call around the output. */
function splicedLook(listAt: number): boolean {
  const ints = R.ints;
  if (ints[listAt]! < 3) return false;
  let p = listAt + 1;
  for (let v = ints[p++]!; v > 0; v--) p = skipValue(p);
  const str = ints[p]! > 0 ? bare(ints, p + 1) : -1;
  for (let v = ints[p++]!; v > 0; v--) p = skipValue(p);
  const tokens = ints[p]!;
  if (tokens > 1) return true;
  const countAt = bare(ints, p + 1);
  const tag = tokens === 1 ? ints[countAt]! : 0;
  if (str < 0 || !isIntTag(tag)) return false;
  if (ints[str] !== V_STR && !(ints[str] === V_STR_LAZY && ints[str + 2] === 0)) return false;
  return (tag === V_INT_DEC ? String(ints[countAt + 1]) : stringAt(countAt + 1)) !== String(strLengthAt(str));
}

/** The decoded length of the string value at p (V_STR, V_STR_CUT or V_STR_LAZY). */
function strLengthAt(p: number): number {
  const st = R.strings;
  const ref = R.ints[p + 1]!;
  if (R.ints[p] === V_STR_LAZY) return decodedLength(st.from[ref]!, st.to[ref]!);
  const text = st.text[ref];
  return text != null ? text.length : st.to[ref]! - st.from[ref]!;
}

function stringAt(i: number): string {
  return recordString(R, R.ints[i]!);
}

function skipValue(p: number): number {
  return skip(R.ints, p);
}

/** The index after the value whose tag is at p. */
export function skip(ints: Int32Array, p: number): number {
  switch (ints[p]) {
    case V_INT_SMALL:
    case V_FD:
    case V_FD_DELETED:
    case V_STR_LAZY:
      return p + 3;
    case V_INT_DEC:
    case V_INT:
    case V_INT_TEXT:
    case V_FD_IDENT:
    case V_STR:
    case V_STR_CUT:
    case V_IDENT:
    case V_INDIRECT:
      return p + 2;
    case V_ELLIPSIS:
    case V_OMITTED:
      return p + 1;
    case V_CALL:
      return skipList(ints, p + 2);
    case V_NAMED:
      return skip(ints, p + 2);
    case V_STRUCT:
    case V_ARRAY:
      return skipList(ints, p + 1);
    case V_FLAGS: {
      let q = p + 2;
      for (let n = ints[p + 1]!; n > 0; n--) q = skip(ints, q);
      return q;
    }
    case V_CHANGED:
      return skip(ints, skip(ints, p + 1));
    case V_CUT_CHANGED:
      return skip(ints, p + 1);
    case V_COMMENTED:
      return skip(ints, p + 2);
    default:
      throw new Error(`corrupt plain record (tag ${ints[p]} at ${p})`);
  }
}

function skipList(ints: Int32Array, p: number): number {
  let q = p + 1;
  for (let s = ints[p]!; s > 0; s--) {
    let n = ints[q++]!;
    for (; n > 0; n--) q = skip(ints, q);
  }
  return q;
}

// ---- reading a record back ------------------------------------------------------------------

/** Where a reader is in a record: its ints and nums, and its strings by reference. */
export interface PlainCursor {
  readonly ints: Int32Array;
  pi: number;
  readonly nums: Float64Array;
  pn: number;
  str(ref: number): string;
}

/** What the string path hands the assembler for the scanned line: a complete call's
 *  SyscallEvent (parsedLine → syscallEvent: the same values, built by the grammar's own
 *  constructors, with the same keys in the same order), an unfinished call's PendingCall, or a
 *  resumed half as printed. The cursor stands at the call's name. */
export function replayPlain(c: PlainCursor, asm: Assembler, file: string, line: number, pid: number | null, time: number | null): void {
  const name = c.str(c.ints[c.pi++]!);
  const bits = c.ints[c.pi++]!;
  if (bits & R_UNFINISHED) {
    asm.start({ pid, name, line, time, slots: readList(c) });
    return;
  }
  if (bits & R_RESUMED) {
    const args = readList(c);
    const argsStart = c.ints[c.pi++]!;
    const argsEnd = c.ints[c.pi++]!;
    const retText = c.str(c.ints[c.pi++]!);
    const ret = bits & R_RET ? c.nums[c.pn++]! : null;
    const retPath = bits & R_RET_PATH ? c.str(c.ints[c.pi++]!) : undefined;
    const errno = bits & R_ERRNO ? c.str(c.ints[c.pi++]!) : null;
    let aux = NO_AUX;
    const parts = c.ints[c.pi++]!;
    if (parts > 0) {
      aux = [];
      for (let k = 0; k < parts; k++) aux.push(c.str(c.ints[c.pi++]!));
    }
    const durationText = bits & R_DURATION ? c.str(c.ints[c.pi++]!) : null;
    const result = parsedResult(ret, retText, retPath, errno, aux, false);
    asm.resumed({ body: { kind: "resumed", name, args, argsStart, argsEnd, end: "complete", result }, durationText, pid, time, line, endLine: line });
    return;
  }
  const args = readArgs(c);
  const ret = bits & R_RET ? c.nums[c.pn++]! : null;
  const retPath = bits & R_RET_PATH ? c.str(c.ints[c.pi++]!) : undefined;
  const errno = bits & R_ERRNO ? c.str(c.ints[c.pi++]!) : null;
  const ev = newSyscallEvent(file, line, pid, time, name, args, ret, errno, "complete");
  if (retPath !== undefined) ev.retPath = retPath;
  if (bits & R_INJECTED) ev.injected = true;
  if (bits & R_AUX) ev.aux = c.str(c.ints[c.pi++]!);
  if (bits & R_DURATION) ev.durationUs = c.nums[c.pn++]!;
  asm.syscall(ev);
}

/** A call's argument list as syscallEvent's argValues makes it: one value per non-empty slot,
 *  `=> after` opening the list as its `after`. */
function readArgs(c: PlainCursor): Value[] {
  const args: Value[] = [];
  for (let slots = c.ints[c.pi++]!; slots > 0; slots--) {
    const n = c.ints[c.pi++]!;
    if (n === 1) {
      if (c.ints[c.pi] === V_CUT_CHANGED) {
        c.pi++;
        args.push(readValue(c));
      } else args.push(readValue(c));
    } else if (n > 1) args.push(slotValue(readSlot(c, n)));
  }
  return args;
}

function readSlot(c: PlainCursor, n: number): Value[] {
  const slot = new Array<Value>(n);
  for (let i = 0; i < n; i++) slot[i] = readValue(c);
  return slot;
}

function readList(c: PlainCursor): Value[][] {
  const slots = new Array<Value[]>(c.ints[c.pi++]!);
  for (let i = 0; i < slots.length; i++) slots[i] = readSlot(c, c.ints[c.pi++]!);
  return slots;
}

/** Small decimal ints that replays share: fds, sizes, counts, flags by number. A value is
 *  never changed once made (a comment makes a new one), so one object serves every event; made
 *  anew each time, they were 20 MB of the 887 MB the main thread allocated for the bench
 *  trace's first 100 MB. */
const SMALL_INTS = 4096;
const smallInts: (Value | undefined)[] = new Array<Value | undefined>(SMALL_INTS).fill(undefined);

function readValue(c: PlainCursor): Value {
  const ints = c.ints;
  switch (ints[c.pi++]) {
    case V_INT_DEC: {
      const value = ints[c.pi++]!;
      if (value >= 0 && value < SMALL_INTS) return (smallInts[value] ??= { kind: "int", value, text: String(value) });
      return { kind: "int", value, text: String(value) };
    }
    case V_INT_SMALL: {
      const text = c.str(ints[c.pi++]!);
      return { kind: "int", value: ints[c.pi++]!, text };
    }
    case V_INT:
      return { kind: "int", value: c.nums[c.pn++]!, text: c.str(ints[c.pi++]!) };
    case V_INT_TEXT: {
      const text = c.str(ints[c.pi++]!);
      return { kind: "int", value: intValue(text), text };
    }
    case V_FD: {
      const fd = ints[c.pi++]!;
      return { kind: "fd", fd, path: c.str(ints[c.pi++]!) };
    }
    case V_FD_DELETED: {
      const fd = ints[c.pi++]!;
      return { kind: "fd", fd, path: c.str(ints[c.pi++]!), deleted: true };
    }
    case V_FD_IDENT:
      return { kind: "fd", fd: -100, path: c.str(ints[c.pi++]!) };
    case V_STR:
      return { kind: "str", value: c.str(ints[c.pi++]!), truncated: false };
    case V_STR_CUT:
      return { kind: "str", value: c.str(ints[c.pi++]!), truncated: true };
    case V_STR_LAZY: {
      const body = c.str(ints[c.pi++]!);
      return strBodyValue(body, ints[c.pi++] === 1, false);
    }
    case V_IDENT:
      return { kind: "ident", name: c.str(ints[c.pi++]!) };
    case V_CALL: {
      const name = c.str(ints[c.pi++]!);
      return { kind: "call", name, args: readList(c).map(slotValue) };
    }
    case V_NAMED: {
      const name = c.str(ints[c.pi++]!);
      return { kind: "named", name, value: readValue(c) };
    }
    case V_STRUCT:
      return structOf(readList(c));
    case V_ARRAY:
      return arrayOf(readList(c), false);
    case V_INDIRECT:
      return indirectInt(c.str(ints[c.pi++]!));
    case V_ELLIPSIS:
      return ELLIPSIS;
    case V_OMITTED:
      return OMITTED;
    case V_FLAGS: {
      const parts = readSlot(c, ints[c.pi++]!);
      return { kind: "flags", parts };
    }
    case V_CHANGED: {
      const before = readValue(c);
      return { kind: "changed", before, after: readValue(c) };
    }
    case V_CUT_CHANGED:
      return { kind: "changed", before: CUT_BEFORE, after: readValue(c) };
    case V_COMMENTED: {
      const comment = c.str(ints[c.pi++]!);
      return withComment(readValue(c), comment);
    }
    default:
      throw new Error(`corrupt plain record (tag ${ints[c.pi - 1]} at ${c.pi - 1})`);
  }
}

/** The record's string `ref` (a range of its bytes, or a string made by the scan). */
export function recordString(rec: PlainRecord, ref: number): string {
  const text = rec.strings.text[ref];
  if (text != null) return text;
  const from = rec.strings.from[ref]!;
  return latin1Of(rec.bytes, from, rec.strings.to[ref]!);
}

/** A record read in this thread (no worker between), handed to `asm`. */
export function replayPlainRecord(rec: PlainRecord, asm: Assembler, file: string, line: number, pid: number | null, time: number | null): void {
  replayPlain({ ints: rec.ints, pi: 0, nums: rec.nums, pn: 0, str: (ref) => recordString(rec, ref) }, asm, file, line, pid, time);
}
