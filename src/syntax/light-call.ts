// The fast path of `analyze`: a complete call whose arguments the consumer does not need
// (mmap, futex, rt_sigaction... most of a trace) is recognised by one anchored scan of its
// leader and its return, and becomes an event without arguments; it never reaches the lexer.
// Anything unusual (other leaders, decorated or `?` returns, aux text, INJECTED, unfinished and
// resumed halves) is left to the grammar, so the fast path can only ever be less clever, never
// different: `parse`, `stats` and `--full` always take the grammar.
import { intValue } from "../../grammars/strace-line-parser.js";
import { clockSeconds } from "./line-prefix.js";

/** `[pid N] ` or a bare pid, then an optional -t/-tt clock or -ttt epoch, then `name(`. */
const HEAD = /^(?:\[pid +(\d+)\] |(\d{1,7}) +)?(?:(\d\d:\d\d:\d\d(?:\.\d+)?) |(\d{9,}\.\d+) )?([a-z_][a-z0-9_]*)\(/;
/** `) = 0`, `) = 0x7f…`, `) = -1 EAGAIN (text)`, with an optional -T duration, at the very end. */
const TAIL = /\) +=\s(-?\d+|0x[0-9a-f]+)(?: (E[A-Z0-9_]+) \([^()]*\))?(?: <(\d+(?:\.\d+)?)>)?$/;

export interface LightCall {
  readonly pid: number | null;
  readonly time: number | null;
  readonly name: string;
  readonly ret: number;
  readonly errno: string | null;
  readonly durationUs?: number;
}

/** The call on `text` if it is a plain complete call to a syscall `needsArgs` does not want. */
export function lightCall(text: string, needsArgs: (name: string) => boolean): LightCall | null {
  const head = HEAD.exec(text);
  if (head === null) return null;
  const name = head[5]!;
  if (needsArgs(name)) return null;
  const tail = TAIL.exec(text);
  if (tail === null || tail.index < head[0].length - 1) return null;
  const pidText = head[1] ?? head[2];
  const clock = head[3];
  const epoch = head[4];
  const call: { -readonly [K in keyof LightCall]: LightCall[K] } = {
    pid: pidText !== undefined ? +pidText : null,
    time: clock !== undefined ? clockSeconds(clock) : epoch !== undefined ? +epoch : null,
    name,
    ret: intValue(tail[1]!),
    errno: tail[2] ?? null,
  };
  if (tail[3] !== undefined) call.durationUs = +tail[3] * 1e6;
  return call;
}
