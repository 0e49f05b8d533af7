// The fast path of `analyze`: a line of a call whose arguments the consumer does not need
// (mmap, futex, rt_sigaction... most of a trace) is recognised by one anchored scan of its
// leader and its end, and becomes an event without arguments; it never reaches the lexer.
// The forms taken: a complete call, a call cut by ` <unfinished ...>`, its `<... name resumed>`
// half, and a `+++ ... +++` line, after leaders in strace's own order. Anything unusual (other
// leaders, decorated or `?` returns, aux text, INJECTED, a resumed half cut again) is left to the
// grammar, so the fast path can only ever be less clever, never different: `parse`, `stats` and
// `--full` always take the grammar.
import { intValue } from "../../grammars/strace-line-parser.js";
import { clockSeconds } from "./line-prefix.js";

/** A -Y comm after a pid (`<nginx>`), of the forms the scans take (commEnd in light-bytes.ts):
 *  printable ASCII but `"`, `<`, `>`, `\\` and `]`, no `->` or `...`, not starting with a digit
 *  or a dot and not `unavailable`, which the lexer could read as its marks. */
export const COMM = /<(?![\d.])(?!unavailable>)(?:(?!->|\.\.\.)[ !#-;=?-[^-~])*>/;

/** `[pid N] ` or a bare pid (either with a -Y comm), an optional -t/-tt clock, -ttt epoch or -r
 *  offset, an optional -n syscall number (`[  59] `, what the grammar reads as one: spaces
 *  first, or 4 digits at most) and -i instruction pointer (`[00007f98d4506ad7] `, 8 or 16 hex
 *  digits or `?`s), then `name(`, `<... name resumed>` or `+++ `. */
const HEAD = new RegExp(
  String.raw`^(?:\[pid +(\d+)(?:${COMM.source})?\] |(\d{1,7})(?:${COMM.source})? +)?(?:(\d\d:\d\d:\d\d(?:\.\d+)?) |(\d+\.\d+) )?(?:\[(?: +\d+|\d{1,4})\] )?(?:\[(?:[0-9a-f]{8}(?:[0-9a-f]{8})?|\?{8}(?:\?{8})?)\] )?(?:([a-z_][a-z0-9_]*)\(|<\.\.\. ([a-z_][a-z0-9_]*) resumed>|\+\+\+ )`,
);
/** `) = 0`, `) = 0x7f…`, `) = -1 EAGAIN (text)`, with an optional -T duration, at the very end. */
const TAIL = /\) +=\s(-?\d+|0x[0-9a-f]+)(?: (E[A-Z0-9_]+) \([^()]*\))?(?: <(\d+(?:\.\d+)?)>)?$/;
const UNFINISHED = " <unfinished ...>";
const EXIT_END = " +++";

export interface LightCall {
  /** complete: a whole call; unfinished: its first half (no return); resumed: its second half;
   *  exit: a `+++ text +++` line (`exit` holds the text). */
  readonly form: "complete" | "unfinished" | "resumed" | "exit";
  readonly pid: number | null;
  readonly time: number | null;
  /** The syscall ("" for exit lines). */
  readonly name: string;
  readonly ret: number;
  readonly errno: string | null;
  readonly durationUs?: number;
  readonly exit?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The line's call if it is one of the plain forms above, of a syscall `needsArgs` rejects. */
export function lightCall(text: string, needsArgs: (name: string) => boolean): LightCall | null {
  const head = HEAD.exec(text);
  if (head === null) return null;
  const called = head[5];
  const resumed = head[6];
  const name = called ?? resumed ?? "";
  let form: LightCall["form"];
  let tail: RegExpExecArray | null = null;
  if (called !== undefined || resumed !== undefined) {
    // restart_syscall resumes whatever call was interrupted, whose arguments may be needed.
    if (needsArgs(name) || name === "restart_syscall") return null;
    tail = TAIL.exec(text);
    if (tail !== null) {
      if (tail.index < head[0].length - (called !== undefined ? 1 : 0)) return null;
      form = called !== undefined ? "complete" : "resumed";
    } else if (called !== undefined && text.endsWith(UNFINISHED)) {
      form = "unfinished";
    } else return null;
  } else {
    if (!text.endsWith(EXIT_END) || text.length < head[0].length + EXIT_END.length) return null;
    form = "exit";
  }
  const pidText = head[1] ?? head[2];
  const clock = head[3];
  // An epoch (9 digits or more before the point) or an -r offset: the time either way (readPrefix).
  const epoch = head[4];
  const call: Mutable<LightCall> = {
    form,
    pid: pidText !== undefined ? +pidText : null,
    time: clock !== undefined ? clockSeconds(clock) : epoch !== undefined ? +epoch : null,
    name,
    ret: tail !== null ? intValue(tail[1]!) : 0,
    errno: tail?.[2] ?? null,
  };
  if (tail?.[3] !== undefined) call.durationUs = +tail[3] * 1e6;
  if (form === "exit") call.exit = text.slice(head[0].length, text.length - EXIT_END.length);
  return call;
}
