// An independent, deliberately simple reading of strace lines, to check the parser's fields
// against (issue 2, acceptance 3). It shares no code with the grammar: a few regular
// expressions for the pid prefix, the syscall name before "(", and the return part after the
// last ") = " that is followed by a valid return pattern (strace's syscall_exiting_trace()).
import type { SyscallEvent, TraceEvent, Value } from "../src/syntax/events.js";

/** How the capture was written, which decides what a leading number means. */
export interface OracleMode {
  /** `bare`: `-o FILE -f` (every line `1234  `); `bracket`: stderr (`[pid 1234] ` comes and
   * goes); `none`: no pid printed (no -f, or -ff files). */
  readonly pidPrefix: "bare" | "bracket" | "none";
  /** The pid of an `-ff` file (expected on every event of it), else null. */
  readonly filePid: number | null;
}

export interface ExpectedCall {
  readonly line: number;
  /** The event's `form` when the line alone determines it ("complete" for a whole call). */
  readonly form?: "complete" | "joined";
  readonly pid: number | null;
  readonly name: string;
  readonly ret: number | null;
  readonly errno: string | null;
}

export interface ExpectedJoin extends ExpectedCall {
  /** Where the resumed half is; undefined when it spans several physical lines (a splice). */
  readonly endLine?: number;
  /** Top-level argument texts of the unfinished half and of the resumed half. */
  readonly firstHalf: readonly string[];
  readonly secondHalf: readonly string[];
  /** The resumed half starts with ` => ` (it continues the last argument of the first). */
  readonly continuesLastArg: boolean;
}

const PID_BARE = /^(\d+)(?:<[^>]*>)?\s+/;
const PID_BRACKET = /^\[pid\s+(\d+)(?:<[^>]*>)?\] /;
// -t/-tt/--timestamps=time (HH:MM:SS[.frac]), -ttt/unix (N[.frac]), -r (spaces N.frac),
// -t -r `(+ N.frac)`, -n `[ N]`, -i `[hex]`.
const PREFIXES =
  /^\s*(?:(?:\d\d:\d\d:\d\d(?:\.\d+)?|\d+(?:\.\d+)?|\(\+\s*\d+(?:\.\d+)?\)|\[\s*\d+\]|\[[0-9a-f]{8,16}\])\s+)*/;
const NAME = /^([A-Za-z_][A-Za-z0-9_]*)\(/;
const RESUMED = /^<\.\.\. ([A-Za-z_][A-Za-z0-9_]*) resumed>/;
const UNFINISHED_END = / ?<unfinished \.\.\.>$/;
// The return part. The greedy `^(.*)` makes the match start at the LAST ") =" after which the
// rest of the line is a valid return: a ") = " inside a string or a path comes earlier and
// fails the anchored tail.
const RETURN =
  /^(.*)\)\s+= (?:-1 (E[A-Z0-9_]+|\d+) \([^()]*\)|\? (ERESTART[A-Z_]+) \([^()]*\)|(\?)(?: <unavailable>)?|(-?\d+|0x[0-9a-fA-F]+)(?:<.*>(?:\(deleted\))?)?(?: \(.*\))?)(?: \(INJECTED(?::[^()]*)?\))?(?: \(DELAYED\))?(?: <\d+(?:\.\d+)?>)?$/s;

interface Prefixed {
  readonly pid: number | null;
  readonly body: string;
}

function stripPrefix(text: string, mode: OracleMode): Prefixed | null {
  let pid: number | null = mode.filePid;
  let rest = text;
  if (mode.pidPrefix === "bare") {
    const m = PID_BARE.exec(rest);
    if (!m) return null;
    pid = Number(m[1]);
    rest = rest.slice(m[0].length);
  } else if (mode.pidPrefix === "bracket") {
    const m = PID_BRACKET.exec(rest);
    if (m) {
      pid = Number(m[1]);
      rest = rest.slice(m[0].length);
    }
  }
  const p = PREFIXES.exec(rest);
  if (p) rest = rest.slice(p[0].length);
  return { pid, body: rest };
}

function parseReturn(m: RegExpExecArray): { ret: number | null; errno: string | null } {
  if (m[2] !== undefined) return { ret: -1, errno: m[2] };
  if (m[3] !== undefined) return { ret: null, errno: m[3] };
  if (m[4] !== undefined) return { ret: null, errno: null };
  const v = m[5]!;
  return { ret: v.startsWith("0x") ? parseInt(v, 16) : Number(v), errno: null };
}

/** Reads the physical lines of one `-o` (or `-ff`) capture: complete syscall lines, and
 * unfinished lines paired with their resumed line (same pid and name, next one after it). */
export function expectFromLines(
  lines: readonly string[],
  mode: OracleMode,
): { complete: ExpectedCall[]; joined: ExpectedJoin[] } {
  const complete: ExpectedCall[] = [];
  const joined: ExpectedJoin[] = [];
  const pending = new Map<string, { line: number; pid: number | null; name: string; args: string }>();
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const pre = stripPrefix(lines[i]!, mode);
    if (!pre) continue;
    const { pid, body } = pre;
    const named = NAME.exec(body);
    if (named) {
      const name = named[1]!;
      if (UNFINISHED_END.test(body)) {
        // An unprefixed stderr line belongs to whoever was alone then: not safe to pair.
        if (pid === null && mode.pidPrefix === "bracket") continue;
        const args = body.slice(named[0].length).replace(UNFINISHED_END, "");
        pending.set(`${pid}:${name}`, { line: lineNo, pid, name, args });
        continue;
      }
      const r = RETURN.exec(body);
      // `pause( <unfinished ...>) = ?` (--status=unfinished) is whole but never resumed.
      const form = body.includes("<unfinished ...>") ? undefined : "complete";
      if (r) complete.push({ line: lineNo, form, pid, name, ...parseReturn(r) });
      continue;
    }
    const resumed = RESUMED.exec(body);
    if (resumed) {
      const name = resumed[1]!;
      if (pid === null && mode.pidPrefix === "bracket") {
        // Unprefixed: it resumes someone's `name` call, maybe one started with a prefix, so
        // no pending `name` call can be paired safely any more.
        for (const [k, v] of pending) if (v.name === name) pending.delete(k);
        continue;
      }
      const key = `${pid}:${name}`;
      const start = pending.get(key);
      pending.delete(key);
      const r = RETURN.exec(body);
      // `<... x resumed> <unfinished ...>) = ?`: the call never finished; no joined event.
      if (!start || !r || body.includes("<unfinished ...>")) continue;
      const second = r[1]!.slice(resumed[0].length);
      const continuesLastArg = /^\s*=>/.test(second);
      joined.push({
        line: start.line,
        form: "joined",
        endLine: lineNo,
        pid: start.pid,
        name,
        ...parseReturn(r),
        firstHalf: splitArgs(start.args),
        secondHalf: splitArgs(second.replace(/^\s*,/, "")),
        continuesLastArg,
      });
    }
  }
  return { complete, joined };
}

/** Splits an argument list at top-level commas, skipping strings, comments, brackets and
 * `<...>` fd decorations (whose paths may hold commas and braces verbatim). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let angle = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (angle > 0) {
      // Inside a decoration only escapes and nested <...> count (`</dev/null<char 1:3>>`).
      if (c === "\\" || (c === "-" && text[i + 1] === ">")) i++; // escapes; `[1->2]` sockets
      else if (c === "<") angle++;
      else if (c === ">") angle--;
      continue;
    }
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "<" && /[0-9a-zA-Z_\]>)]/.test(text[i - 1] ?? "")) {
      angle++;
    } else if (c === "(" || c === "[" || c === "{") {
      depth++;
    } else if (c === ")" || c === "]" || c === "}") {
      depth--;
    } else if (c === "," && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== "" || out.length > 0) out.push(last);
  return out.filter((a, idx, all) => a !== "" || idx < all.length - 1);
}

/** The number an argument text plainly states (`3`, `-1`, `0x1f`, `3<decoration>`), else null. */
export function plainNumber(arg: string): number | null {
  const m = /^(-?(?:[1-9]\d*|0)|0x[0-9a-fA-F]+)(?:<.*>)?$/s.exec(arg);
  if (!m) return null;
  return m[1]!.startsWith("0x") ? parseInt(m[1]!, 16) : Number(m[1]);
}

function valueNumber(v: Value | undefined): number | null {
  if (!v) return null;
  if (v.kind === "int") return v.value;
  if (v.kind === "fd") return v.fd;
  if (v.kind === "named") return valueNumber(v.value);
  return null;
}

function show(x: unknown): string {
  return x === undefined ? "undefined" : JSON.stringify(x);
}

/** Compares parser events with the oracle; returns `path:line: expected X got Y` lines. */
export function compareFields(
  path: string,
  events: readonly TraceEvent[],
  expected: { complete: readonly ExpectedCall[]; joined: readonly ExpectedJoin[] },
): string[] {
  const byLine = new Map<number, SyscallEvent[]>();
  for (const ev of events) {
    if (ev.type !== "syscall") continue;
    const list = byLine.get(ev.line);
    if (list) list.push(ev);
    else byLine.set(ev.line, [ev]);
  }
  const problems: string[] = [];
  const find = (e: ExpectedCall): SyscallEvent | null => {
    const list = byLine.get(e.line);
    if (!list || list.length === 0) {
      const other = events.find((ev) => ev.line === e.line);
      problems.push(`${path}:${e.line}: expected syscall ${e.name} got ${other ? `${other.type} event` : "no event"}`);
      return null;
    }
    return list.find((ev) => ev.name === e.name) ?? list[0]!;
  };
  const fields = (e: ExpectedCall, ev: SyscallEvent): void => {
    const check = (what: string, want: unknown, got: unknown): void => {
      if (want !== got) problems.push(`${path}:${e.line}: ${what}: expected ${show(want)} got ${show(got)}`);
    };
    check("name", e.name, ev.name);
    check("pid", e.pid, ev.pid);
    check("ret", e.ret, ev.ret);
    check("errno", e.errno, ev.errno);
    if (e.form !== undefined) check("form", e.form, ev.form);
  };
  for (const e of expected.complete) {
    const ev = find(e);
    if (ev) fields(e, ev);
  }
  for (const j of expected.joined) {
    const ev = find(j);
    if (!ev) continue;
    fields(j, ev);
    const at = `${path}:${j.line}`;
    if (j.endLine !== undefined && ev.endLine !== j.endLine) problems.push(`${at}: endLine: expected ${j.endLine} got ${show(ev.endLine)}`);
    const count = j.firstHalf.length + j.secondHalf.length - (j.continuesLastArg ? 1 : 0);
    if (ev.args.length !== count) {
      problems.push(
        `${at}: args: expected ${count} (${j.firstHalf.length} before <unfinished ...>, ${j.secondHalf.length} after resumed) got ${ev.args.length}`,
      );
      continue;
    }
    // One plainly numeric argument from each half must sit at its place in the joined list.
    const checkHalf = (half: readonly string[], offset: number, label: string): void => {
      const idx = half.findIndex((a) => plainNumber(a) !== null);
      if (idx < 0) return;
      if (label === "resumed" && idx === 0 && j.continuesLastArg) return;
      const want = plainNumber(half[idx]!);
      const got = valueNumber(ev.args[offset + idx]);
      if (want !== got) {
        problems.push(`${at}: arg ${offset + idx} (from the ${label} half, ${show(half[idx])}): expected ${want} got ${show(ev.args[offset + idx])}`);
      }
    };
    checkHalf(j.firstHalf, 0, "unfinished");
    checkHalf(j.secondHalf, j.firstHalf.length - (j.continuesLastArg ? 1 : 0), "resumed");
  }
  return problems;
}

/** For traces whose flags are unknown (the corpora): `bare` when nearly every line starts
 * with a pid-sized number (≤ 7 digits, so not an epoch), `bracket` when `[pid N]` appears,
 * else `none`. */
export function guessMode(lines: readonly string[]): OracleMode {
  let bare = 0;
  let nonEmpty = 0;
  for (const l of lines) {
    if (l.trim() === "") continue;
    nonEmpty++;
    if (/^\d{1,7}(?:<[^>]*>)?\s+\S/.test(l)) bare++;
    else if (l.startsWith("[pid ")) return { pidPrefix: "bracket", filePid: null };
  }
  return { pidPrefix: nonEmpty > 0 && bare >= nonEmpty * 0.9 ? "bare" : "none", filePid: null };
}

/** strace's own messages (`strace: Process 9 attached\n`) and the test program's messages
 * (test/fixtures/chatty: `~chatty~ ...` ending in "\n" or "~"), wherever they landed. Not
 * after a `"`: inside a printed string argument the same bytes are strace's text. */
export const SPLICED = /(?<!")(?:strace: [^\n]*\n|~chatty~[^~\n"]*[\n~])/g;

/** Cuts `pattern` matches out of a `2>&1` capture and rebuilds strace's own lines.
 * `origin[i]` is the physical line where cleaned line `i + 1` starts, `span[i]` how many
 * physical lines it covers. */
export function removeSplices(
  text: string,
  pattern: RegExp = SPLICED,
): { lines: string[]; origin: number[]; span: number[] } {
  const parts: string[] = [];
  const origin: number[] = [];
  const span: number[] = [];
  let current = "";
  let started = false;
  let physical = 1;
  const keep = (seg: string): void => {
    let start = 0;
    while (start < seg.length) {
      if (!started) {
        origin.push(physical);
        started = true;
      }
      const nl = seg.indexOf("\n", start);
      if (nl < 0) {
        current += seg.slice(start);
        return;
      }
      current += seg.slice(start, nl);
      parts.push(current);
      span.push(physical - origin[origin.length - 1]! + 1);
      current = "";
      started = false;
      physical++;
      start = nl + 1;
    }
  };
  let last = 0;
  for (const m of text.matchAll(new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`))) {
    keep(text.slice(last, m.index));
    for (const c of m[0]) if (c === "\n") physical++;
    last = m.index! + m[0].length;
  }
  keep(text.slice(last));
  if (started) {
    parts.push(current);
    span.push(physical - origin[origin.length - 1]! + 1);
  }
  return { lines: parts, origin, span };
}
