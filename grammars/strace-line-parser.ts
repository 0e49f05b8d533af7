// The grammar of ONE strace output line (STRACE-FORMAT.md §1–§5) as an embedded-actions parser
// that returns plain objects: the prefix (pid, timestamps, -n/-i, SELinux context), the body
// (call, resumed call, signal, exit) with structured argument values, the return and -T duration.
//
//   line     ::= prefix body DurationMark?
//   prefix   ::= PidPrefix? leader*
//   leader   ::= Int (Decoration | DurationMark | UnavailableMark)? | Clock | Float | HexInt
//              | RelStamp | BracketNum | BracketHex
//              | Comment | "[" argList "]"
//   body     ::= syscall | resumed | signal | exit
//   syscall  ::= (Ident | "???") "(" argList callEnd
//   resumed  ::= ResumedMark argList callEnd
//   callEnd  ::= ")" result | UnfinishedMark (")" result)? | DetachedMark
//   result   ::= "=" ( "?" (Ident auxText* | UnavailableMark)? | (Int | HexInt) Decoration?
//                (Ident | Int)? auxText* )
//   auxText  ::= "(" (AuxAtom | auxText)* ")"
//   signal   ::= "---" argList "---"          exit ::= "+++" argList "+++"
//   argList  ::= ("," | "=>" value | value)*
//   value    ::= term (BinaryOp term)*
//   term     ::= StringLit "..."? | "@" StringLit? | number Decoration? ("(" Ident ")")?
//              | Ident ("(" argList ")")? Decoration? ("=" value)? | "{" argList "}"
//              | "~"? "[" argList "]" | BracketNum ("=" value)? | BracketHex | "???" | "..."
//              | ResumingMark | ("&" | "!" | "-" | "*") term | Comment | "(" argList ")"
//              | Decoration | "?"
//   postfix: Comment* after every term (-X verbose `0x1 /* SHUT_WR */`).
//
// Spec deviation: the argument grammar is deliberately loose (a list of values and commas) so
// exotic text strace prints verbatim still parses; values are classified after parsing.
import "./polyfill-group-by.js";
import { EmbeddedActionsParser } from "chevrotain";
import type { ILexingError, IOrAlt, IRecognitionException, IToken, TokenType } from "chevrotain";
import type { Field, Value } from "../src/syntax/events.js";
import * as T from "./strace-tokens.js";

/** One leader element of the prefix, in print order; interpreted by the assembler. */
export type Leader =
  | { readonly kind: "pid"; readonly pid: number; readonly comm?: string; readonly bracketed: boolean }
  | { readonly kind: "int"; readonly text: string; readonly comm?: string }
  | { readonly kind: "clock"; readonly text: string }
  | { readonly kind: "float"; readonly text: string }
  | { readonly kind: "rel"; readonly text: string }
  | { readonly kind: "sysno"; readonly no: number }
  | { readonly kind: "ip"; readonly text: string }
  | { readonly kind: "secontext"; readonly text: string }
  | { readonly kind: "comment"; readonly text: string };

export interface ParsedResult {
  readonly ret: number | null;
  readonly retText: string;
  readonly retPath?: string;
  readonly errno: string | null;
  /** Parenthesised texts after the value, without their outer parentheses. */
  readonly aux: readonly string[];
  readonly unavailable: boolean;
}

/** How a call's line ends: with a return, `<unfinished ...>`, `<detached ...>`, or (-ff, a
 *  thread's execve) `<pid changed to N ...>`. */
export type CallEnd = "complete" | "unfinished" | "detached" | "pid-changed";

/** A call's line, or the resumed half of one. */
interface CallBody<K extends "call" | "resumed"> {
  readonly kind: K;
  readonly name: string;
  readonly args: readonly ArgSlot[];
  /** Offsets in the parsed text where the arguments start (just after "(", or after the
   *  `<... name resumed>` mark) and end (at ")" or where `<unfinished ...>` starts). */
  readonly argsStart: number;
  readonly argsEnd: number;
  readonly end: CallEnd;
  readonly result: ParsedResult | null;
}

export type ParsedBody =
  | CallBody<"call">
  | CallBody<"resumed">
  /** `--- SIGPIPE {...} ---` / `--- stopped by SIGSTOP ---`: `text` is what lies between the marks. */
  | { readonly kind: "signal"; readonly words: readonly ArgSlot[]; readonly text: string }
  /** `+++ exited with 0 +++`, `+++ killed by SIGSEGV (core dumped) +++`, `+++ superseded ... +++`. */
  | { readonly kind: "exit"; readonly words: readonly ArgSlot[]; readonly text: string };

/** The values between two commas: usually one; several when juxtaposed (`[A B]`, secontexts). */
export type ArgSlot = readonly Value[];

export interface ParsedLine {
  readonly leaders: readonly Leader[];
  readonly body: ParsedBody;
  readonly durationText: string | null;
  /** Parsed by the fallback rule: the arguments are one verbatim expression. */
  readonly loose?: boolean;
}

export interface LineParseResult {
  readonly value: ParsedLine | null;
  readonly lexErrors: readonly ILexingError[];
  readonly parseErrors: readonly IRecognitionException[];
  /** Offset of the first token the parser could not use (text length when it ran out of input). */
  readonly errorOffset: number;
  /** True when the text ended while the grammar still expected more (a cut line). */
  readonly incomplete: boolean;
  /** True once the body's first token was recognised (the line looks like strace output). */
  readonly bodyStarted: boolean;
}

const UNAVAILABLE: Value = Object.freeze({ kind: "unavailable" });
/** Marks a separator in an argument list (never escapes the parser). */
const COMMA: Value = Object.freeze({ kind: "expr", text: "," });

interface ResultHead {
  readonly ret: number | null;
  readonly retText: string;
  readonly retPath: string | undefined;
  readonly errno: string | null;
  readonly unavailable: boolean;
}

/** The "before" of a `=> out` that starts a resumed half; replaced when the halves are joined. */
export const CUT_BEFORE: Value = Object.freeze({ kind: "unavailable" });
/** An elision item (`...`) inside a list: folded into the struct or array as `elided`. */
export const ELLIPSIS: Value = Object.freeze({ kind: "expr", text: "..." });

/** Decode a C string literal body (strace escapes: \n \t \" \\ octal \377 and -x hex \x41) into
 *  bytes as latin1 characters, so `length` is the byte count. */
export function decodeCString(body: string): string {
  if (body.indexOf("\\") < 0) return body;
  // Bytes into a buffer, one latin1 decode at the end: appending char by char made a `-s 65536
  // -xx` write (256 KiB of `\x47`) cost milliseconds, the bulk of analysing such a trace.
  const len = body.length;
  const bytes = new Uint8Array(len);
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = body.charCodeAt(i);
    if (c !== 0x5c) {
      if (c > 0xff) return decodeWideCString(body);
      bytes[n++] = c;
      continue;
    }
    if (++i >= len) break; // a lone trailing backslash stands for nothing
    const e = body.charCodeAt(i);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined && simple >= 0) {
      bytes[n++] = simple;
    } else if (e === 0x78 /* x */) {
      let v = 0;
      let j = i + 1;
      for (; j < len && j < i + 3; j++) {
        const h = hexDigit(body.charCodeAt(j));
        if (h < 0) break;
        v = v * 16 + h;
      }
      bytes[n++] = j > i + 1 ? v : 0x78;
      i = j - 1;
    } else if (e >= 0x30 && e <= 0x37) {
      let v = 0;
      let j = i;
      for (; j < len && j < i + 3; j++) {
        const d = body.charCodeAt(j) - 0x30;
        if (d < 0 || d > 7) break;
        v = v * 8 + d;
      }
      bytes[n++] = v & 0xff;
      i = j - 1;
    } else {
      if (e > 0xff) return decodeWideCString(body);
      bytes[n++] = e;
    }
  }
  return Buffer.from(bytes.buffer, 0, n).toString("latin1");
}

/** `\n` and the other one-letter escapes, by the letter's code (-1: not one of them). */
export const SIMPLE_ESCAPES: Int16Array = (() => {
  const t = new Int16Array(128).fill(-1);
  for (const [k, v] of [["n", 10], ["t", 9], ["r", 13], ["v", 11], ["f", 12], ["a", 7], ["b", 8], ["e", 0x1b]] as const) t[k.charCodeAt(0)] = v;
  return t;
})();

/** The value of a hex digit (either case), or -1. */
export function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** The same decoding for text holding characters beyond latin1 (a trace decoded as UTF-8 with
 *  raw non-ASCII bytes in a string): those characters are kept as they are. Also the reference
 *  the fast decoder is tested against. */
export function decodeWideCString(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = body[++i];
    switch (n) {
      case "n": out += "\n"; break;
      case "t": out += "\t"; break;
      case "r": out += "\r"; break;
      case "v": out += "\v"; break;
      case "f": out += "\f"; break;
      case "a": out += "\x07"; break;
      case "b": out += "\b"; break;
      case "e": out += "\x1b"; break;
      case "x": {
        let j = i + 1;
        while (j < body.length && j < i + 3 && /[0-9a-fA-F]/.test(body[j])) j++;
        out += j > i + 1 ? String.fromCharCode(parseInt(body.slice(i + 1, j), 16)) : "x";
        i = j - 1;
        break;
      }
      default:
        if (n !== undefined && n >= "0" && n <= "7") {
          let j = i;
          while (j < body.length && j < i + 3 && body[j] >= "0" && body[j] <= "7") j++;
          out += String.fromCharCode(parseInt(body.slice(i, j), 8) & 0xff);
          i = j - 1;
        } else if (n !== undefined) out += n;
    }
  }
  return out;
}

/** strace integers: decimal, `0x` hex, `0`-led octal (modes, umask); exact up to 2^53. */
export function intValue(text: string): number {
  const neg = text.charCodeAt(0) === 0x2d;
  const digits = neg ? text.slice(1) : text;
  let v: number;
  if (digits.length > 2 && digits.charCodeAt(1) === 0x78 /* x */) v = parseInt(digits.slice(2), 16);
  else if (digits.length > 1 && digits.charCodeAt(0) === 0x30) v = parseInt(digits, 8);
  else v = +digits;
  return neg ? -v : v;
}

/** `<path>` decoration without the brackets, escapes (`\74` for `<`) decoded. */
export function decorationPath(image: string): string {
  return decodeCString(image.slice(1, -1));
}

/** A number argument: an int, or with its `-y` decoration an fd (`3</p (deleted)>` and strace
 *  >= 5.19's `3</p>(deleted)`, `deleted` already seen, both mark it deleted). */
export function numberValue(image: string, decoration: string | null, deleted = false): Value {
  if (decoration === null) return { kind: "int", value: intValue(image), text: image };
  let path = decorationPath(decoration);
  if (path.endsWith(" (deleted)")) {
    path = path.slice(0, -10);
    deleted = true;
  }
  return deleted ? { kind: "fd", fd: intValue(image), path, deleted } : { kind: "fd", fd: intValue(image), path };
}

/** `[16]`: a pointer to an int (a socklen_t, an option value). */
export function indirectInt(inner: string): Value {
  return { kind: "indirect", value: { kind: "int", value: intValue(inner), text: inner } };
}

/** What follows a call's `)`: its return and the parenthesised texts after it. */
export function parsedResult(
  ret: number | null,
  retText: string,
  retPath: string | undefined,
  errno: string | null,
  aux: readonly string[],
  unavailable: boolean,
): ParsedResult {
  return retPath === undefined
    ? { ret, retText, errno, aux, unavailable }
    : { ret, retText, retPath, errno, aux, unavailable };
}

/** The aux texts of a result that has none (shared: results are never mutated). */
export const NO_AUX: string[] = [];

/** Longer escaped strings are decoded when first read: most are never read (the model looks
 *  at the bytes of socket writes and reads only), and a `-s 65536` trace is mostly such text. */
export const LAZY_STRING_CHARS = 1024;

/** A string literal's value (`image` with its quotes). */
export function strValue(image: string, truncated: boolean, abstract: boolean): Value {
  return strBodyValue(image.slice(1, -1), truncated, abstract);
}

/** The same from the literal's body (the text between its quotes). */
export function strBodyValue(body: string, truncated: boolean, abstract: boolean): Value {
  if (body.length <= LAZY_STRING_CHARS || body.indexOf("\\") < 0) {
    // A long string found to hold no escape is its own value: no second scan.
    const value = body.length <= LAZY_STRING_CHARS ? decodeCString(body) : body;
    return abstract ? { kind: "str", value, truncated, abstract } : { kind: "str", value, truncated };
  }
  const v = abstract ? { kind: "str" as const, value: "", truncated, abstract } : { kind: "str" as const, value: "", truncated };
  let decoded: string | null = null;
  // An own enumerable accessor in the same place: JSON, spreads and deep equality see the value.
  Object.defineProperty(v, "value", { enumerable: true, configurable: true, get: () => (decoded ??= decodeCString(body)) });
  lazyBodies.set(v, body);
  return v;
}

/** The undecoded text of each lazily decoded string value. */
const lazyBodies = new WeakMap<object, string>();

/** The byte length of a string value, without decoding a lazy one (counted from its escapes). */
export function strLength(v: Value & { kind: "str" }): number {
  const body = lazyBodies.get(v);
  return body === undefined ? v.value.length : cStringLength(body);
}

/** The length decodeCString(body) would have, from the escapes alone. */
export function cStringLength(body: string): number {
  let len = 0;
  let from = 0;
  for (let i = body.indexOf("\\"); i >= 0; i = body.indexOf("\\", from)) {
    len += i - from + 1;
    if (i + 1 >= body.length) return len - 1; // a lone trailing backslash stands for nothing
    const e = body.charCodeAt(i + 1);
    let end = i + 2;
    if (e === 0x78 /* x */) {
      while (end < body.length && end < i + 4 && hexDigit(body.charCodeAt(end)) >= 0) end++;
    } else if (e >= 0x30 && e <= 0x37) {
      while (end < body.length && end < i + 4 && body.charCodeAt(end) >= 0x30 && body.charCodeAt(end) <= 0x37) end++;
    }
    from = end;
  }
  return len + body.length - from;
}

/** `v` with the comment printed after it (`0x7ffd /* 3 vars *\/`) as its `comment`. */
export function withComment(v: Value, comment: string): Value {
  return { ...v, comment } as Value;
}

/**
 * Deepest nesting of brackets, braces and parentheses a line may have. The deepest strace output
 * in the conformance corpora (netlink messages in recvmsg, decoded with -v) nests 14 levels;
 * twice that is not strace's. A parse that fails costs time in proportion to its depth (chevrotain
 * unwinds each level with an exception), and the guessed-cut search may parse one line dozens of
 * times: unbounded, a line of a few hundred unclosed `[` took a fifth of a second.
 */
export const MAX_NESTING = 32;

export class StraceLineParser extends EmbeddedActionsParser {
  private text = "";
  private bodyStarted = false;
  /** Argument lists open around the current token, and whether MAX_NESTING was passed. */
  private nesting = 0;
  private tooDeep = false;

  constructor() {
    super(T.allTokens, { maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  public line = this.RULE("line", (): ParsedLine => {
    const leaders = this.SUBRULE(this.prefix);
    const body = this.SUBRULE(this.body);
    let durationText: string | null = null;
    this.OPTION(() => {
      const tok = this.CONSUME(T.DurationMark);
      durationText = tok.image.slice(1, -1);
    });
    return { leaders, body, durationText };
  });

  /** Fallback entry for argument text the strict grammar rejects (strace 4.x printed some
   *  structs unbalanced: `sysinfo({... bufferram=36012032} totalswap=...})`): the prefix, name,
   *  result and duration still come from the grammar; the arguments end at the last `)` that is
   *  followed by `=` and are kept verbatim as one expression. */
  public looseLine = this.RULE("looseLine", (): ParsedLine => {
    const leaders = this.SUBRULE(this.prefix);
    const nameTok = this.OR([{ ALT: () => this.CONSUME(T.Ident) }, { ALT: () => this.CONSUME(T.Question3) }]);
    const open = this.CONSUME(T.LParen);
    this.MANY({
      GATE: () => !(this.LA(1).tokenType === T.RParen && this.LA(2).tokenType === T.Equals),
      DEF: () => {
        this.OR2([
          { ALT: () => this.CONSUME(T.AuxAtom) },
          { ALT: () => this.CONSUME2(T.LParen) },
          { ALT: () => this.CONSUME(T.RParen) },
        ]);
      },
    });
    const close = this.CONSUME2(T.RParen);
    const result = this.SUBRULE(this.result);
    let durationText: string | null = null;
    this.OPTION(() => {
      const tok = this.CONSUME(T.DurationMark);
      durationText = tok.image.slice(1, -1);
    });
    return this.ACTION((): ParsedLine => {
      const text = this.text.slice(open.startOffset + 1, close.startOffset);
      const argsStart = open.startOffset + 1;
      return {
        leaders,
        body: {
          kind: "call",
          name: nameTok.image,
          args: [[{ kind: "expr", text }]],
          argsStart,
          argsEnd: close.startOffset,
          end: "complete",
          result,
        },
        durationText,
        loose: true,
      };
    });
  });

  public prefix = this.RULE("prefix", (): Leader[] => {
    const leaders: Leader[] = [];
    this.OPTION(() => {
      const tok = this.CONSUME(T.PidPrefix);
      this.ACTION(() => {
        const m = /^\[pid +(\d+)(?:<(.*)>)?\]$/.exec(tok.image)!;
        leaders.push(m[2] === undefined
          ? { kind: "pid", pid: +m[1], bracketed: true }
          : { kind: "pid", pid: +m[1], comm: m[2], bracketed: true });
      });
    });
    this.MANY(() => leaders.push(this.SUBRULE(this.leader)));
    return leaders;
  });

  // The OR alternatives of the hot rules are built once (HyperFormula does the same): they
  // capture nothing but `this`, so one array serves every line.
  private leaderAlts: IOrAlt<Leader>[] | undefined;
  private commAlts: IOrAlt<IToken>[] | undefined;
  private bodyAlts: IOrAlt<ParsedBody>[] | undefined;
  private nameAlts: IOrAlt<IToken>[] | undefined;
  private callEndAlts: IOrAlt<{ end: CallEnd; argsEnd: number; result: ParsedResult | null }>[] | undefined;
  private resultAlts: IOrAlt<ResultHead>[] | undefined;
  private itemAlts: IOrAlt<Value>[] | undefined;
  private numberAlts: IOrAlt<IToken>[] | undefined;

  public leader = this.RULE("leader", (): Leader =>
    this.OR((this.leaderAlts ??= [
      {
        ALT: () => {
          const tok = this.CONSUME(T.Int);
          let comm: string | undefined;
          // A -Y comm; one of digits (`<123>`) or `<unavailable>` lexes as a mark.
          this.OPTION(() => {
            const c = this.OR1((this.commAlts ??= [
              { ALT: () => this.CONSUME(T.Decoration) },
              { ALT: () => this.CONSUME(T.DurationMark) },
              { ALT: () => this.CONSUME(T.UnavailableMark) },
            ]));
            this.ACTION(() => (comm = c.image.slice(1, -1)));
          });
          return comm === undefined ? { kind: "int", text: tok.image } : { kind: "int", text: tok.image, comm };
        },
      },
      { ALT: () => ({ kind: "clock", text: this.CONSUME(T.Clock).image }) },
      { ALT: () => ({ kind: "float", text: this.CONSUME(T.Float).image }) },
      { ALT: () => ({ kind: "ip", text: this.CONSUME(T.HexInt).image }) },
      { ALT: () => ({ kind: "rel", text: this.CONSUME(T.RelStamp).image.slice(2, -1).trim() }) },
      {
        ALT: () => {
          const image = this.CONSUME(T.BracketNum).image;
          const inner = image.slice(1, -1);
          // -n prints `[%4u]`; -i prints 8 or 16 hex digits, which may happen to be all decimal.
          return inner.length <= 4 || inner[0] === " "
            ? { kind: "sysno", no: +inner }
            : { kind: "ip", text: inner };
        },
      },
      { ALT: () => ({ kind: "ip", text: this.CONSUME(T.BracketHex).image.slice(1, -1) }) },
      { ALT: () => ({ kind: "comment", text: this.CONSUME(T.Comment).image }) },
      {
        ALT: () => {
          const open = this.CONSUME(T.LBracket);
          this.SUBRULE(this.argList);
          const close = this.CONSUME(T.RBracket);
          return { kind: "secontext", text: this.text.slice(open.startOffset + 1, close.startOffset) };
        },
      },
    ])),
  );

  public body = this.RULE("body", (): ParsedBody =>
    this.OR((this.bodyAlts ??= [
      { ALT: () => this.SUBRULE(this.syscall) },
      { ALT: () => this.SUBRULE(this.resumed) },
      { ALT: () => this.SUBRULE(this.signal) },
      { ALT: () => this.SUBRULE(this.exit) },
    ])),
  );

  public syscall = this.RULE("syscall", (): ParsedBody => {
    const nameTok = this.OR((this.nameAlts ??= [{ ALT: () => this.CONSUME(T.Ident) }, { ALT: () => this.CONSUME(T.Question3) }]));
    const open = this.CONSUME(T.LParen);
    this.ACTION(() => (this.bodyStarted = true));
    const args = this.SUBRULE(this.argList);
    const end = this.SUBRULE(this.callEnd);
    return {
      kind: "call",
      name: nameTok.image,
      args,
      argsStart: open.startOffset + 1,
      argsEnd: end.argsEnd,
      end: end.end,
      result: end.result,
    };
  });

  public resumed = this.RULE("resumed", (): ParsedBody => {
    const mark = this.CONSUME(T.ResumedMark);
    this.ACTION(() => (this.bodyStarted = true));
    const args = this.SUBRULE(this.argList);
    const end = this.SUBRULE(this.callEnd);
    let name = "";
    this.ACTION(() => (name = mark.image.slice(5, mark.image.indexOf(" resumed"))));
    return {
      kind: "resumed",
      name,
      args,
      argsStart: mark.startOffset + mark.image.length,
      argsEnd: end.argsEnd,
      end: end.end,
      result: end.result,
    };
  });

  public callEnd = this.RULE("callEnd", (): { end: CallEnd; argsEnd: number; result: ParsedResult | null } =>
    this.OR((this.callEndAlts ??= [
      {
        ALT: () => {
          const close = this.CONSUME(T.RParen);
          // strace 4.x: `sigreturn() (mask [HUP INT TERM]) = -1 EINTR (...)`.
          this.MANY(() => this.SUBRULE(this.auxText));
          const result = this.SUBRULE(this.result);
          return { end: "complete" as CallEnd, argsEnd: close.startOffset, result };
        },
      },
      {
        ALT: () => {
          const mark = this.CONSUME(T.UnfinishedMark);
          let result: ParsedResult | null = null;
          // `--status=unfinished` (and a tracee killed mid-call) prints `<unfinished ...>) = ?`.
          this.OPTION(() => {
            this.CONSUME2(T.RParen);
            result = this.SUBRULE2(this.result);
          });
          return { end: "unfinished" as CallEnd, argsEnd: mark.startOffset, result };
        },
      },
      {
        ALT: () => {
          const mark = this.CONSUME(T.DetachedMark);
          return { end: "detached" as CallEnd, argsEnd: mark.startOffset, result: null };
        },
      },
      {
        ALT: () => {
          const mark = this.CONSUME(T.PidChangedMark);
          return { end: "pid-changed" as CallEnd, argsEnd: mark.startOffset, result: null };
        },
      },
    ])),
  );

  public result = this.RULE("result", (): ParsedResult => {
    this.CONSUME(T.Equals);
    const head = this.OR((this.resultAlts ??= [
      {
        ALT: (): ResultHead => {
          this.CONSUME(T.Question);
          let errno: string | null = null;
          let unavailable = false;
          this.OPTION(() => {
            this.OR2([
              { ALT: () => (errno = this.CONSUME(T.Ident).image) },
              { ALT: () => (this.CONSUME(T.UnavailableMark), (unavailable = true)) },
            ]);
          });
          return { ret: null, retText: "?", retPath: undefined, errno, unavailable };
        },
      },
      {
        ALT: (): ResultHead => {
          const tok = this.OR3([{ ALT: () => this.CONSUME(T.Int) }, { ALT: () => this.CONSUME(T.HexInt) }]);
          let retPath: string | undefined;
          let errno: string | null = null;
          this.OPTION2(() => {
            const deco = this.CONSUME(T.Decoration);
            this.ACTION(() => (retPath = decorationPath(deco.image)));
          });
          this.OPTION3(() => {
            const e = this.OR4([{ ALT: () => this.CONSUME2(T.Ident) }, { ALT: () => this.CONSUME2(T.Int) }]);
            errno = e.image;
          });
          // `--pidns-translation`: `getpid() = 123 /* 456 in strace's PID NS */`.
          this.OPTION4(() => this.CONSUME(T.Comment));
          return this.ACTION(() => ({ ret: intValue(tok.image), retText: tok.image, retPath, errno, unavailable: false }))!;
        },
      },
    ]));
    let aux: string[] = NO_AUX;
    this.MANY(() => {
      const text = this.SUBRULE(this.auxText);
      if (aux === NO_AUX) aux = [];
      aux.push(text);
    });
    return this.ACTION(() => parsedResult(head.ret, head.retText, head.retPath, head.errno, aux, head.unavailable))!;
  });

  public auxText = this.RULE("auxText", (): string => {
    const open = this.CONSUME(T.LParen);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.AuxAtom) }, { ALT: () => this.SUBRULE(this.auxText) }]);
    });
    const close = this.CONSUME(T.RParen);
    return this.text.slice(open.startOffset + 1, close.startOffset);
  });

  public signal = this.RULE("signal", (): ParsedBody => {
    const open = this.CONSUME(T.DashLine);
    this.ACTION(() => (this.bodyStarted = true));
    const words = this.SUBRULE(this.argList);
    const close = this.CONSUME2(T.DashLine);
    return { kind: "signal", words, text: this.text.slice(open.startOffset + 3, close.startOffset).trim() };
  });

  public exit = this.RULE("exit", (): ParsedBody => {
    const open = this.CONSUME(T.PlusLine);
    this.ACTION(() => (this.bodyStarted = true));
    const words = this.SUBRULE(this.argList);
    const close = this.CONSUME2(T.PlusLine);
    return { kind: "exit", words, text: this.text.slice(open.startOffset + 3, close.startOffset).trim() };
  });

  /** Comma-separated slots; a slot may hold several juxtaposed values. A trailing comma leaves an
   *  empty last slot and a leading one an empty first slot, so the halves of a call cut by
   *  `<unfinished ...>` join by merging A's last slot with B's first, whichever side strace put
   *  the separator on (≤6.15: `wait4(9726,  <unfinished ...>`; ≥6.16: `<... wait4 resumed>, NULL`).
   *  A leading `=>` value is the second half of a `{in} => {out}` argument (clone3). */
  public argList = this.RULE("argList", (): ArgSlot[] => {
    const slots: Value[][] = [];
    let current: Value[] | null = null;
    // Past MAX_NESTING the list takes nothing, so the parse stops there (see MAX_NESTING).
    if (++this.nesting > MAX_NESTING) this.tooDeep = true;
    try {
      this.MANY({
        GATE: () => this.nesting <= MAX_NESTING,
        DEF: () => {
          const item = this.OR((this.itemAlts ??= [
            { ALT: () => (this.CONSUME(T.Comma), COMMA) },
            {
              ALT: () => {
                this.CONSUME(T.FatArrow);
                const after = this.SUBRULE(this.value);
                return this.ACTION((): Value => ({ kind: "changed", before: CUT_BEFORE, after }))!;
              },
            },
            { ALT: () => this.SUBRULE2(this.value) },
          ]));
          if (item === COMMA) {
            slots.push(current ?? []);
            current = [];
          } else (current ??= []).push(item);
        },
      });
    } finally {
      this.nesting--;
    }
    if (current !== null) slots.push(current);
    return slots;
  });

  public value = this.RULE("value", (): Value => {
    const first = this.LA(1);
    const v = this.SUBRULE(this.term);
    let ops = null as IToken[] | null;
    let terms = null as Value[] | null;
    this.MANY(() => {
      const op = this.CONSUME(T.BinaryOp);
      const rhs = this.SUBRULE2(this.term);
      this.ACTION(() => {
        (ops ??= []).push(op);
        (terms ??= [v]).push(rhs);
      });
    });
    if (ops === null) return v;
    const lastOps = ops;
    const lastTerms = terms!;
    return this.ACTION(() => combine(this.text, first, this.LA(0), lastOps, lastTerms));
  });

  public term = this.RULE("term", (): Value => {
    let v = this.OR(this.termAlternatives());
    this.MANY(() => {
      const c = this.CONSUME(T.Comment);
      this.ACTION(() => (v = withComment(v, c.image.slice(2, -2).trim())));
    });
    return v;
  });

  private termAlts: IOrAlt<Value>[] | undefined;

  /** The term alternatives, built once (HyperFormula caches its OR arrays the same way). */
  private termAlternatives(): IOrAlt<Value>[] {
    return (this.termAlts ??= [
      {
        ALT: () => {
          const s = this.CONSUME(T.StringLit);
          let truncated = false;
          this.OPTION(() => (this.CONSUME(T.Ellipsis), (truncated = true)));
          return strValue(s.image, truncated, false);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.At);
          let v: Value = { kind: "expr", text: "@" };
          this.OPTION2(() => {
            const s = this.CONSUME2(T.StringLit);
            let truncated = false;
            this.OPTION3(() => (this.CONSUME2(T.Ellipsis), (truncated = true)));
            v = strValue(s.image, truncated, true);
          });
          return v;
        },
      },
      {
        ALT: () => {
          const tok = this.OR2((this.numberAlts ??= [
            { ALT: () => this.CONSUME(T.Int) },
            { ALT: () => this.CONSUME(T.HexInt) },
            { ALT: () => this.CONSUME(T.Float) },
            // Only a MAC address (`00:00:00:00:00:00`) lexes as a clock inside arguments.
            { ALT: () => this.CONSUME(T.Clock) },
          ]));
          let deco: IToken | null = null;
          let deleted = false;
          this.OPTION4(() => {
            deco = this.CONSUME(T.Decoration);
            // strace >= 5.19 prints `</p>(deleted)`; older ones `</p (deleted)>`.
            this.OPTION5(() => {
              this.CONSUME(T.LParen);
              this.CONSUME(T.Ident);
              this.CONSUME(T.RParen);
              deleted = true;
            });
          });
          return this.ACTION((): Value => {
            if (tok.tokenType === T.Clock) return { kind: "expr", text: tok.image };
            return numberValue(tok.image, deco === null ? null : (deco as IToken).image, deleted);
          });
        },
      },
      {
        ALT: () => {
          const id = this.CONSUME2(T.Ident);
          let callArgs: ArgSlot[] | null = null;
          let deco: IToken | null = null;
          let assigned: Value | null = null;
          let eq: IToken | null = null;
          this.OPTION6(() => {
            this.CONSUME2(T.LParen);
            callArgs = this.SUBRULE(this.argList);
            this.CONSUME2(T.RParen);
          });
          // Subscripted field names: `c_cc[VMIN]=1`, `c_cc[0]=3`.
          this.MANY2(() => {
            this.OR5([
              { ALT: () => this.CONSUME2(T.BracketNum) },
              {
                ALT: () => {
                  this.CONSUME3(T.LBracket);
                  this.SUBRULE7(this.argList);
                  this.CONSUME3(T.RBracket);
                },
              },
            ]);
          });
          this.OPTION7(() => (deco = this.CONSUME2(T.Decoration)));
          this.OPTION8(() => {
            eq = this.CONSUME(T.Equals);
            assigned = this.SUBRULE(this.value);
          });
          return this.ACTION((): Value => {
            let v: Value = callArgs === null
              ? { kind: "ident", name: id.image }
              : { kind: "call", name: id.image, args: (callArgs as ArgSlot[]).map(slotValue) };
            if (deco !== null) v = { kind: "fd", fd: -100, path: decorationPath((deco as IToken).image) };
            if (assigned === null) return v;
            // `name=value` (struct field or -N argument name); old `msg_iov(1)=[...]` keeps the call text.
            const name = this.text.slice(id.startOffset, (eq as unknown as IToken).startOffset).trimEnd();
            return { kind: "named", name, value: assigned };
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          const slots = this.SUBRULE2(this.argList);
          this.CONSUME(T.RBrace);
          return this.ACTION(() => structOf(slots));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LBracket);
          const slots = this.SUBRULE3(this.argList);
          const close = this.CONSUME(T.RBracket);
          let assigned: Value | null = null;
          // Designated array items: `[IPV4_DEVCONF_FORWARDING-1]=1`.
          this.OPTION9(() => {
            this.CONSUME3(T.Equals);
            assigned = this.SUBRULE3(this.value);
          });
          return this.ACTION((): Value =>
            assigned === null
              ? arrayOf(slots, false)
              : { kind: "named", name: this.text.slice(open.startOffset, close.startOffset + 1), value: assigned },
          );
        },
      },
      {
        ALT: () => {
          // `~[RTMIN RT_1]` (a negated set) or `~(A|B)` (old ICMP_FILTER masks).
          const tilde = this.CONSUME(T.Tilde);
          return this.OR4([
            {
              ALT: () => {
                this.CONSUME2(T.LBracket);
                const slots = this.SUBRULE5(this.argList);
                this.CONSUME2(T.RBracket);
                return this.ACTION(() => arrayOf(slots, true));
              },
            },
            {
              ALT: () => {
                const tok = this.CONSUME3(T.BracketNum); // `~[33]`
                return this.ACTION((): Value => ({ kind: "bitset", negated: true, items: [tok.image.slice(1, -1).trim()] }));
              },
            },
            {
              ALT: () => {
                this.CONSUME4(T.LParen);
                this.SUBRULE6(this.argList);
                const close = this.CONSUME4(T.RParen);
                return this.ACTION((): Value => ({ kind: "expr", text: this.text.slice(tilde.startOffset, close.startOffset + 1) }));
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(T.BracketNum);
          let assigned: Value | null = null;
          this.option(10, () => {
            this.CONSUME2(T.Equals);
            assigned = this.SUBRULE2(this.value);
          });
          return this.ACTION((): Value => {
            const inner = tok.image.slice(1, -1).trim();
            return assigned === null ? indirectInt(inner) : { kind: "named", name: `[${inner}]`, value: assigned };
          });
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(T.BracketHex);
          return this.ACTION((): Value => {
            const inner = tok.image.slice(1, -1);
            if (inner[0] === "?") return { kind: "indirect", value: UNAVAILABLE };
            return { kind: "indirect", value: { kind: "int", value: parseInt(inner, 16), text: inner } };
          });
        },
      },
      { ALT: () => (this.CONSUME2(T.Question3), UNAVAILABLE) },
      { ALT: () => (this.CONSUME3(T.Ellipsis), ELLIPSIS) },
      { ALT: () => ({ kind: "expr", text: this.CONSUME(T.ResumingMark).image }) },
      {
        ALT: () => {
          const op = this.OR3([
            { ALT: () => this.CONSUME(T.Amp) },
            { ALT: () => this.CONSUME(T.Bang) },
            { ALT: () => this.CONSUME(T.Minus) },
            { ALT: () => this.CONSUME(T.Star) },
          ]);
          this.SUBRULE(this.term);
          return this.ACTION((): Value => ({ kind: "expr", text: this.text.slice(op.startOffset, endOf(this.LA(0))) }));
        },
      },
      { ALT: () => ({ kind: "expr", text: this.CONSUME2(T.Comment).image }) },
      {
        ALT: () => {
          const open = this.CONSUME3(T.LParen);
          this.SUBRULE4(this.argList);
          const close = this.CONSUME3(T.RParen);
          return this.ACTION((): Value => ({ kind: "expr", text: this.text.slice(open.startOffset, close.startOffset + 1) }));
        },
      },
      {
        ALT: () => {
          const deco = this.CONSUME3(T.Decoration);
          return this.ACTION((): Value => ({ kind: "expr", text: deco.image }));
        },
      },
      { ALT: () => ({ kind: "expr", text: this.CONSUME(T.Question).image }) },
    ]);
  }

  /** Parse one line (or a rejoined call text). Never throws; errors come back as values. */
  parseLine(text: string): LineParseResult {
    return this.parseWith(text, false);
  }

  /** The fallback entry (see `looseLine`), for a line `parseLine` rejected. */
  parseLooseLine(text: string): LineParseResult {
    return this.parseWith(text, true);
  }

  private parseWith(text: string, loose: boolean): LineParseResult {
    const lexed = T.lexLine(text);
    this.text = text;
    this.bodyStarted = loose;
    this.input = lexed.tokens;
    this.nesting = 0;
    this.tooDeep = false;
    let value: ParsedLine | null = null;
    let failure: unknown = null;
    try {
      value = loose ? this.looseLine() : this.line();
    } catch (err) {
      failure = err;
    }
    if (failure !== null || this.tooDeep) {
      // Absurd nesting (past MAX_NESTING, or deep enough to exhaust the stack: never strace's
      // own output) is a rejected line like any other.
      this.text = "";
      this.input = [];
      const message = failure === null || failure instanceof RangeError ? "nesting too deep" : String(failure);
      const fake = { message, token: { image: "", startOffset: 0, tokenType: { name: "Nesting" } } };
      return {
        value: null,
        lexErrors: lexed.errors,
        parseErrors: [fake as unknown as IRecognitionException],
        errorOffset: 0,
        incomplete: false,
        bodyStarted: false,
      };
    }
    const parseErrors = this.errors;
    let errorOffset = -1;
    let incomplete = false;
    if (parseErrors.length > 0) {
      const tok = parseErrors[0].token;
      incomplete = tok.tokenType.name === "EOF";
      errorOffset = incomplete ? text.length : tok.startOffset;
    } else if (lexed.errors.length > 0) errorOffset = lexed.errors[0].offset;
    const result: LineParseResult = {
      value: parseErrors.length === 0 && lexed.errors.length === 0 ? value : null,
      lexErrors: lexed.errors,
      parseErrors,
      errorOffset,
      incomplete,
      bodyStarted: this.bodyStarted,
    };
    this.text = "";
    this.input = [];
    return result;
  }
}

function endOf(tok: IToken): number {
  return tok.startOffset + tok.image.length;
}

/** One value per comma slot: juxtaposed values become one (a secontext after a path is dropped,
 *  anything else is kept verbatim as an expression). */
export function slotValue(slot: ArgSlot): Value {
  if (slot.length === 1) return slot[0];
  if (slot.length === 0) return { kind: "expr", text: "" };
  const second = slot[1];
  // `{in}` + `=> {out}` from the two halves of a cut call (see argList).
  if (slot.length === 2 && second.kind === "changed" && second.before === CUT_BEFORE) {
    return { kind: "changed", before: slot[0], after: second.after };
  }
  // `--secontext` prints `[type_t]` after a path or fd: `3<UNIX-STREAM:[1]> [unconfined_t]`.
  if (slot.length === 2 && (second.kind === "bitset" || second.kind === "array")) return slot[0];
  return { kind: "expr", text: slot.map(valueText).join(" ") };
}

/** A compact rendering of a value, used when juxtaposed values are kept as one expression. */
export function valueText(v: Value): string {
  switch (v.kind) {
    case "int": return v.text;
    case "str": return JSON.stringify(v.value) + (v.truncated ? "..." : "");
    case "fd": return `${v.fd}<${v.path}>`;
    case "ident": return v.name;
    case "flags": return v.parts.map(valueText).join("|");
    case "alternatives": return v.options.map(valueText).join(" or ");
    case "bitset": return `${v.negated ? "~" : ""}[${v.items.join(" ")}]`;
    case "array": return `[${v.items.map(valueText).join(", ")}${v.elided ? ", ..." : ""}]`;
    case "struct": return `{${v.fields.map((f) => (f.name === null ? "" : f.name + "=") + valueText(f.value)).join(", ")}${v.elided ? ", ..." : ""}}`;
    case "call": return `${v.name}(${v.args.map(valueText).join(", ")})`;
    case "changed": return `${valueText(v.before)} => ${valueText(v.after)}`;
    case "indirect": return `[${valueText(v.value)}]`;
    case "expr": return v.text;
    case "unavailable": return "???";
    case "named": return `${v.name}=${valueText(v.value)}`;
    case "omitted": return "…";
  }
}

export function structOf(slots: readonly ArgSlot[]): Value {
  const fields: Field[] = [];
  let elided = false;
  for (const slot of slots) {
    if (slot.length === 0) continue;
    const v = slotValue(slot);
    if (v === ELLIPSIS) {
      elided = true;
      continue;
    }
    fields.push(v.kind === "named" ? { name: v.name, value: v.value } : { name: null, value: v });
  }
  return { kind: "struct", fields, elided };
}

export function arrayOf(slots: readonly ArgSlot[], negated: boolean): Value {
  // `[A B]` / `~[A B]`: a space-separated set (signal masks, fd sets) has no commas.
  if (negated || (slots.length === 1 && slots[0].every((v) => v.kind === "ident" || v.kind === "int"))) {
    const items: string[] = [];
    for (const slot of slots) for (const v of slot) items.push(valueText(v));
    return { kind: "bitset", negated, items };
  }
  const items: Value[] = [];
  let elided = false;
  for (const slot of slots) {
    if (slot.length === 0) continue;
    const v = slotValue(slot);
    if (v === ELLIPSIS) elided = true;
    else items.push(v);
  }
  return { kind: "array", items, elided };
}

/** Terms joined by binary operators: all `|` → flags; all ` or ` → alternatives; one `=>`/`->`
 *  → changed; anything else stays verbatim as an expression. */
function combine(text: string, first: IToken, last: IToken, ops: readonly IToken[], terms: readonly Value[]): Value {
  const opType: TokenType = ops[0].tokenType;
  const same = ops.every((o) => o.tokenType === opType);
  if (same && opType === T.Pipe) return { kind: "flags", parts: terms };
  if (same && opType === T.OrWord) return { kind: "alternatives", options: terms };
  if (ops.length === 1 && (opType === T.FatArrow || opType === T.ThinArrow)) {
    return { kind: "changed", before: terms[0], after: terms[1] };
  }
  return { kind: "expr", text: text.slice(first.startOffset, endOf(last)) };
}

/** The one parser instance, reused for every line (`input` resets its state). */
export const straceLineParser = new StraceLineParser();
