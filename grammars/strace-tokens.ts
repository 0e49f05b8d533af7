// The tokens of one strace output line (STRACE-FORMAT.md §1–§5). One const per token; families
// share a category so the grammar can say "any word" without listing them. Every pattern starts
// with a fixed character set so the lexer can index them by first char (ensureOptimizations).
import "./polyfill-group-by.js";
import { createToken, Lexer } from "chevrotain";
import type { CustomPatternMatcherReturn, TokenType } from "chevrotain";

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

function matchString(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text === unclosedText && offset >= unclosedFrom) return null;
  let from = offset + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) {
      unclosedText = text;
      unclosedFrom = offset;
      return null;
    }
    let backslashes = 0;
    while (quote - 1 - backslashes > offset && text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if ((backslashes & 1) === 0) return [text.slice(offset, quote + 1)];
    from = quote + 1;
  }
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
const MAX_DECORATION = 32 * 1024;

function matchDecoration(text: string, offset: number): CustomPatternMatcherReturn | null {
  // The lexer may try this where no `<` starts (error recovery): say no at once, and give up
  // past the longest real decoration, or an unclosed `<` on a long line is scanned to its end
  // from every offset tried.
  if (text.charCodeAt(offset) !== 0x3c) return null;
  const end = Math.min(text.length, offset + MAX_DECORATION);
  let depth = 0;
  for (let i = offset; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c /* < */) depth++;
    else if (c === 0x3e /* > */) {
      if (--depth === 0) return [text.slice(offset, i + 1)];
    } else if (c === 0x2d /* - */ && text.charCodeAt(i + 1) === 0x3e) i++;
    else if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) {
      for (i++; i < end && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    }
  }
  return null;
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
