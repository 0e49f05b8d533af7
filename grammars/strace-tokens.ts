// The tokens of one strace output line (STRACE-FORMAT.md §1–§5). One const per token; families
// share a category so the grammar can say "any word" without listing them. Every pattern starts
// with a fixed character set so the lexer can index them by first char (ensureOptimizations).
import "./polyfill-group-by.js";
import { createToken, Lexer } from "chevrotain";
import type { CustomPatternMatcherReturn, ILexingResult, TokenType } from "chevrotain";

/** Anything that may appear inside the parenthesised aux text after a return value
 *  (`(Resource temporarily unavailable)`, `(flags O_RDWR|O_NONBLOCK)`): all but the parentheses. */
export const AuxAtom = createToken({ name: "AuxAtom", pattern: Lexer.NA });

function atom(config: Parameters<typeof createToken>[0]): TokenType {
  return createToken({ ...config, categories: [AuxAtom, ...((config.categories as TokenType[]) ?? [])] });
}

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\f\v]+/, group: Lexer.SKIPPED });

/** A C string, escapes kept raw (decoded later); `...` after it is a separate Ellipsis token.
 *  Scanned by hand: a backtracking regex overflows its stack on multi-megabyte `-s` strings. */
/** The last line on which a string found no closing quote, and from where. Whether a quote is
 *  escaped depends only on the backslashes right before it, so a later start on the same line
 *  cannot find one either: without this, a line of many unclosed quotes (the lexer retries at
 *  each) would be scanned to its end from every one of them, quadratically. */
let unclosedText: string | null = null;
let unclosedFrom = 0;

/** The offset of the quote closing the string literal that opens at `offset`: the first one
 *  not escaped by an odd run of backslashes; -1 when there is none. */
export function stringEnd(text: string, offset: number): number {
  let from = offset + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (quote - 1 - backslashes > offset && text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if ((backslashes & 1) === 0) return quote;
    from = quote + 1;
  }
}

function matchString(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text === unclosedText && offset >= unclosedFrom) return null;
  const close = stringEnd(text, offset);
  if (close < 0) {
    unclosedText = text;
    unclosedFrom = offset;
    return null;
  }
  return [text.slice(offset, close + 1)];
}
export const StringLit = atom({
  name: "StringLit",
  pattern: { exec: matchString },
  start_chars_hint: ['"'],
  line_breaks: false,
});
export const Comment = atom({ name: "Comment", pattern: /\/\*[\s\S]*?\*\// });

// `<`-led marks; order is important: the specific marks before the generic decoration.
export const UnfinishedMark = atom({ name: "UnfinishedMark", pattern: /<unfinished(?: #\d+)? \.\.\.>/ });
export const ResumedMark = atom({ name: "ResumedMark", pattern: /<\.\.\. [\w?]+ resumed(?: #\d+)?>/ });
export const ResumingMark = atom({ name: "ResumingMark", pattern: /<\.\.\. resuming interrupted [\w?]+ \.\.\.>/ });
export const DetachedMark = atom({ name: "DetachedMark", pattern: /<detached \.\.\.>/ });
/** `-ff`: a thread's execve ends its file with `<pid changed to TGID ...>`; the tgid's file
 *  has the `<... execve resumed>` half. */
export const PidChangedMark = atom({ name: "PidChangedMark", pattern: /<pid changed to \d+ \.\.\.>/ });
export const UnavailableMark = atom({ name: "UnavailableMark", pattern: /<unavailable>/ });
export const DurationMark = atom({ name: "DurationMark", pattern: /<\d+(?:\.\d+)?>/ });

/** `<...>` decoration of an fd (`-y`/`-yy`), a pid's comm (`-Y`) or AT_FDCWD: nested `<>` are
 *  balanced (`</dev/null<char 1:3>>`), `->` inside socket forms and quoted paths are skipped. */
/** Longest decoration scanned: a PATH_MAX path with every byte `-xx` escaped is 16 KiB. */
export const MAX_DECORATION = 32 * 1024;

/**
 * One left-to-right bracket scan of a line, shared by every `<` the lexer tries on it; without
 * it each unclosed `<` was scanned up to MAX_DECORATION, quadratically. A scan from a `<` is a
 * small state machine (in or out of a quote; an escape or `->` skips a character) plus a depth.
 * Two scans that read a character in the same state go on identically, their depths a constant
 * apart, so every `<` this scan counted (met outside a quote and not skipped) is a start of its
 * own: its decoration ends at the `>` that pops it off the scan's stack (if that is within
 * MAX_DECORATION of it), and a later start never rereads what an earlier one read. A `<` the scan
 * did not count (it read it as quoted or escaped, the lexer did not) starts a new scan; a line
 * where that keeps happening (`\<\<\<...`) has a budget of characters, then no decorations.
 */
interface BracketScan {
  readonly text: string;
  /** Next character to read, and whether it is inside a quoted string. */
  pos: number;
  inQuote: boolean;
  /** Counted `<` not yet closed, innermost last (ascending offsets). */
  readonly open: number[];
  /** Where counted `<` were closed (keys before the lexer's position are dropped). */
  readonly closedAt: Map<number, number>;
  /** closedAt is pruned when it grows past this (doubling: amortised constant work). */
  pruneAt: number;
}

let scan: BracketScan | null = null;
/** The latest offset asked about: the lexer moves forward, so a smaller one is a new tokenize. */
let lastOffset = 0;
/** Characters all scans read in this tokenize, and the most they may read before new scans are
 *  refused: a few times the line, plus a few whole decorations. */
let scanned = 0;
let scanBudget = 0;

function newScan(text: string, offset: number): BracketScan | null {
  if (scanned > scanBudget) return null;
  return (scan = { text, pos: offset, inQuote: false, open: [], closedAt: new Map(), pruneAt: 1024 });
}

/** Read characters until `limit`, or until the `>` that closes the counted `<` at `target`. */
function advance(s: BracketScan, limit: number, target: number): void {
  const text = s.text;
  const end = Math.min(limit, text.length);
  let i = s.pos;
  while (i < end) {
    const c = text.charCodeAt(i++);
    if (s.inQuote) {
      if (c === 0x22 /* " */) s.inQuote = false;
      else if (c === 0x5c /* \ */) i++;
    } else if (c === 0x3c /* < */) s.open.push(i - 1);
    else if (c === 0x3e /* > */) {
      const start = s.open.pop();
      if (start === undefined) continue;
      s.closedAt.set(start, i - 1);
      if (start === target) break;
    } else if (c === 0x2d /* - */ && text.charCodeAt(i) === 0x3e) i++;
    else if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) s.inQuote = true;
  }
  scanned += i - s.pos;
  s.pos = i;
}

/** Index of the first element of ascending `a` that is >= `x`. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Forget what no later start can ask about. Counted `<` before `offset` that are still open can
 *  go too: the `>` that would pop them closes nothing a later start could be. */
function prune(s: BracketScan, offset: number): void {
  if (s.closedAt.size > s.pruneAt) {
    for (const k of s.closedAt.keys()) if (k < offset) s.closedAt.delete(k);
    s.pruneAt = Math.max(1024, 2 * s.closedAt.size);
  }
  if (s.open.length > 1024) {
    const below = lowerBound(s.open, offset);
    if (below > s.open.length >> 1) s.open.splice(0, below);
  }
}

function matchDecoration(text: string, offset: number): CustomPatternMatcherReturn | null {
  // The lexer may try this where no `<` starts (error recovery): say no at once.
  if (text.charCodeAt(offset) !== 0x3c) return null;
  if (scan === null || scan.text !== text || offset < lastOffset) {
    scan = null;
    scanned = 0;
    scanBudget = 4 * text.length + 4 * MAX_DECORATION;
  }
  lastOffset = offset;
  let s = scan;
  if (s !== null && offset >= s.pos) {
    advance(s, offset, -1);
    // Reached in a quote, or skipped as escaped: this scan did not count the `<` at offset.
    if (s.pos !== offset || s.inQuote) s = null;
  } else if (s !== null && !s.closedAt.has(offset) && s.open[lowerBound(s.open, offset)] !== offset) {
    s = null;
  }
  s ??= newScan(text, offset);
  if (s === null) return null;
  prune(s, offset);
  const end = Math.min(text.length, offset + MAX_DECORATION);
  if (!s.closedAt.has(offset)) advance(s, end, offset);
  const close = s.closedAt.get(offset);
  return close !== undefined && close < end ? [text.slice(offset, close + 1)] : null;
}
/** The offset of the `>` closing the decoration whose `<` is at `at`, or -1: what the lexer's
 *  shared scan above finds for one `<` read on its own (a fresh scan from `at`), for a reader
 *  that takes a single decoration (the plain-call scan). */
export function decorationEnd(text: string, at: number): number {
  const end = Math.min(text.length, at + MAX_DECORATION);
  let depth = 0;
  let inQuote = false;
  for (let i = at; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inQuote) {
      if (c === 0x22 /* " */) inQuote = false;
      else if (c === 0x5c /* \ */) i++;
    } else if (c === 0x3c /* < */) depth++;
    else if (c === 0x3e /* > */) {
      if (--depth === 0) return i;
    } else if (c === 0x2d /* - */ && text.charCodeAt(i + 1) === 0x3e) i++;
    else if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) inQuote = true;
  }
  return -1;
}

export const Decoration = atom({
  name: "Decoration",
  pattern: { exec: matchDecoration },
  start_chars_hint: ["<"],
  line_breaks: false,
});

export const PlusLine = atom({ name: "PlusLine", pattern: /\+\+\+/ });
export const DashLine = atom({ name: "DashLine", pattern: /---/ });

// Bracketed leaders; order is important: `[pid N]`, then all-digit `[   1]` (-n, or an
// indirect int in arguments), then 8/16 hex digits `[00007f54...]` (-i).
export const PidPrefix = atom({ name: "PidPrefix", pattern: /\[pid +\d+(?:<[^>\]]*>)?\]/ });
export const BracketNum = atom({ name: "BracketNum", pattern: /\[ *\d+\]/ });
/** -i prints `[????????????????]` when the instruction pointer is unknown (at exit). */
export const BracketHex = atom({ name: "BracketHex", pattern: /\[(?:[0-9a-f]{8}(?:[0-9a-f]{8})?|\?{8,16})\]/ });
/** `(+     0.000123)`: -r together with -t. */
export const RelStamp = atom({ name: "RelStamp", pattern: /\(\+ *\d+(?:\.\d+)?\)/ });

// Numbers; order is important: clock before float before int.
export const Clock = atom({ name: "Clock", pattern: /\d\d:\d\d:\d\d(?:\.\d+)?/ });
export const HexInt = atom({ name: "HexInt", pattern: /-?0x[0-9a-fA-F]+/ });
export const Float = atom({ name: "Float", pattern: /\d+\.\d+(?:e[-+]?\d+)?/ });
export const Int = atom({ name: "Int", pattern: /-?\d+/ });

export const Question3 = atom({ name: "Question3", pattern: /\?\?\?/ });
export const Question = atom({ name: "Question", pattern: /\?/ });
export const Ellipsis = atom({ name: "Ellipsis", pattern: /\.\.\./ });

/** Binary operators that join terms into one value; families by meaning. */
export const BinaryOp = createToken({ name: "BinaryOp", pattern: Lexer.NA });
export const FatArrow = atom({ name: "FatArrow", pattern: /=>/, categories: [BinaryOp] });
export const EqEq = atom({ name: "EqEq", pattern: /==/, categories: [BinaryOp] });
export const Equals = atom({ name: "Equals", pattern: /=/ });
export const ThinArrow = atom({ name: "ThinArrow", pattern: /->/, categories: [BinaryOp] });
export const AndAnd = atom({ name: "AndAnd", pattern: /&&/, categories: [BinaryOp] });
export const OrOr = atom({ name: "OrOr", pattern: /\|\|/, categories: [BinaryOp] });
export const Pipe = atom({ name: "Pipe", pattern: /\|/, categories: [BinaryOp] });
export const NotEq = atom({ name: "NotEq", pattern: /!=/, categories: [BinaryOp] });
export const Shift = atom({ name: "Shift", pattern: />>/, categories: [BinaryOp] });
/** `1<<CAP_CHOWN` (capability sets): listed before the decoration, which would take `<<...>`. */
export const ShiftLeft = atom({ name: "ShiftLeft", pattern: /<</, categories: [BinaryOp] });
export const Compare = atom({ name: "Compare", pattern: /[<>]=?/, categories: [BinaryOp] });
export const Star = atom({ name: "Star", pattern: /\*/, categories: [BinaryOp] });
export const Plus = atom({ name: "Plus", pattern: /\+/, categories: [BinaryOp] });
export const Minus = atom({ name: "Minus", pattern: /-/, categories: [BinaryOp] });
export const Slash = atom({ name: "Slash", pattern: /\//, categories: [BinaryOp] });
export const Percent = atom({ name: "Percent", pattern: /%/, categories: [BinaryOp] });
export const Caret = atom({ name: "Caret", pattern: /\^/, categories: [BinaryOp] });
export const Colon = atom({ name: "Colon", pattern: /:/, categories: [BinaryOp] });
/** Unary prefixes: address-of `&sin6_addr`, `!x`, bit-set negation `~[...]`. */
export const Amp = atom({ name: "Amp", pattern: /&/ });
export const Bang = atom({ name: "Bang", pattern: /!/ });
export const Tilde = atom({ name: "Tilde", pattern: /~/ });
export const At = atom({ name: "At", pattern: /@/ });
export const Dot = atom({ name: "Dot", pattern: /\./ });
/** Characters strace itself never prints outside strings; they can occur in aux text. */
export const Punct = atom({ name: "Punct", pattern: /[#$'\\`;]/ });

export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBrace = atom({ name: "LBrace", pattern: /\{/ });
export const RBrace = atom({ name: "RBrace", pattern: /\}/ });
export const LBracket = atom({ name: "LBracket", pattern: /\[/ });
export const RBracket = atom({ name: "RBracket", pattern: /\]/ });
export const Comma = atom({ name: "Comma", pattern: /,/ });

export const Ident = atom({ name: "Ident", pattern: /[A-Za-z_][\w]*/ });
/** ` or ` between ioctl request names strace cannot tell apart (`TCGETS or SNDCTL_TMR_TIMEBASE`). */
export const OrWord = atom({ name: "OrWord", pattern: /or/, longer_alt: Ident, categories: [BinaryOp] });
/** Non-ASCII text (only ever inside aux text or program output). */
export const NonAscii = atom({ name: "NonAscii", pattern: /[\u0080-\uffff]+/ });

/** Every lexable token; order is important (first match wins). */
export const allTokens: TokenType[] = [
  WhiteSpace,
  StringLit,
  Comment,
  UnfinishedMark,
  ResumedMark,
  ResumingMark,
  DetachedMark,
  PidChangedMark,
  UnavailableMark,
  DurationMark,
  ShiftLeft,
  Decoration,
  PlusLine,
  DashLine,
  PidPrefix,
  BracketNum,
  BracketHex,
  RelStamp,
  Clock,
  HexInt,
  Float,
  Int,
  Question3,
  Question,
  Ellipsis,
  FatArrow,
  EqEq,
  Equals,
  ThinArrow,
  AndAnd,
  OrOr,
  Pipe,
  NotEq,
  Shift,
  Compare,
  Star,
  Plus,
  Minus,
  Slash,
  Percent,
  Caret,
  Colon,
  Amp,
  Bang,
  Tilde,
  At,
  Dot,
  Punct,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  OrWord,
  Ident,
  NonAscii,
  AuxAtom,
  BinaryOp,
];

/** Built once: first-char optimised (throws at build time if a pattern defeats it) and
 *  tracking only offsets, which is all the parser needs to slice text. */
export const straceLexer = new Lexer(allTokens, {
  ensureOptimizations: true,
  positionTracking: "onlyOffset",
});

let lastText: string | null = null;
let lastLexed: ILexingResult | null = null;

/** The lexer's result for one line, the last one kept: a line the grammar rejects is lexed again
 *  by the loose parse and by the guessed-cut search, and a hostile one (thousands of lexing
 *  errors) costs milliseconds each time. Tokens are never modified by their readers. */
export function lexLine(text: string): ILexingResult {
  if (text !== lastText || lastLexed === null) {
    lastLexed = straceLexer.tokenize(text);
    lastText = text;
  }
  return lastLexed;
}
