// The second half of the event parser: what needs the whole trace in order. Calls read from
// single lines arrive here (from the line reader in the same thread, or replayed from a worker's
// encoded record of them); the assembler joins `<unfinished ...>`/`<... resumed>` halves per
// thread, holds each syscall back until its `-k` frames have passed, and hands out the events
// in order. Whatever a line says on its own is the reader's (event-parser.ts); whatever depends
// on lines before it, beyond the reader's own short state, is here.
import { CUT_BEFORE, slotValue, type ArgSlot, type ParsedBody, type ParsedResult } from "../../grammars/strace-line-parser.js";
import { newSyscallEvent, type SyscallEvent, type TraceEvent, type Value } from "./events.js";
import { CallJoiner, joinSlots, type PendingCall } from "./call-joiner.js";
import type { LightCall } from "./light-call.js";
import { replayPlainRecord, type PlainRecord } from "./plain-bytes.js";
import type { ParserStats } from "./parser-stats.js";

/** The resumed half of a call, as read from its line alone. */
export interface ResumedHalf {
  readonly body: Extract<ParsedBody, { kind: "resumed" }>;
  readonly durationText: string | null;
  readonly pid: number | null;
  readonly time: number | null;
  readonly line: number;
  readonly endLine: number;
}

/** What the line reader hands on. Every method is one step of the trace, in line order. */
export interface Assembler {
  /** An event that is complete as it is (notices, signals, exits, foreign and unrecognized lines). */
  emit(ev: TraceEvent): void;
  /** A syscall event: held back until the next event, in case `-k` frames follow it. */
  syscall(ev: SyscallEvent): void;
  /** A complete call read by the fast path (no arguments). */
  light(c: LightCall, pid: number | null, line: number): void;
  /** A call (or a half of one) read from its bytes by a worker's plain scan (plain-bytes.ts). */
  plain(rec: PlainRecord, line: number, pid: number | null, time: number | null): void;
  /** A `-k` stack frame line: it belongs to the syscall held, if any. */
  frame(text: string): void;
  /** A call cut by `<unfinished ...>`. */
  start(call: PendingCall): void;
  /** The `<unfinished ...>` half of a call read by the fast path (no arguments). */
  lightStart(pid: number | null, name: string, line: number, time: number | null): void;
  /** The `<... name resumed>` half of a call read by the fast path (no arguments). */
  lightResumed(c: LightCall, pid: number | null, line: number): void;
  /** The `<... name resumed>` half of a call read by the grammar. */
  resumed(half: ResumedHalf): void;
  /** The thread is gone: its call in flight never resumes. */
  threadGone(pid: number | null): void;
  /** A `+++ exited with N +++` line (the commonest end of a thread). */
  exited(pid: number | null, time: number | null, line: number, code: number): void;
  /** `+++ superseded by execve in pid N +++`: thread N's call resumes under `toPid`. */
  migrate(fromPid: number, toPid: number): void;
  /** A line no reading explains on its own: a bare `-z` continuation of the call cut last, if
   *  that was recent (the reader decides, given that call), else program output. */
  bare(text: string, line: number): void;
}

/** Reads a bare line given the call cut last (the line reader of this thread does). */
export interface BareReader {
  bareOrForeign(text: string, line: number, last: PendingCall | null): void;
}

export class EventAssembler implements Assembler {
  /** Where events go; set by the caller around each batch. */
  out: TraceEvent[] = [];
  /** Reads bare lines (set once the line reader of this thread exists). */
  local: BareReader | null = null;
  private readonly joiner: CallJoiner;
  private held: SyscallEvent | null = null;
  private heldStack: string[] | null = null;

  constructor(
    private readonly file: string,
    private readonly stats: ParserStats,
  ) {
    this.joiner = new CallJoiner((call) => {
      this.stats.callsGivenUp++;
      this.stats.firstGivenUp ??= call.line;
      this.neverResumed(call);
    });
  }

  emit(ev: TraceEvent): void {
    this.release();
    this.out.push(ev);
  }

  syscall(ev: SyscallEvent): void {
    this.release();
    this.held = ev;
  }

  light(c: LightCall, pid: number | null, line: number): void {
    this.syscall(lightEvent(this.file, c, pid, c.time, line, line, "complete"));
  }

  plain(rec: PlainRecord, line: number, pid: number | null, time: number | null): void {
    replayPlainRecord(rec, this, this.file, line, pid, time);
  }

  frame(text: string): void {
    if (this.held !== null) (this.heldStack ??= []).push(text);
  }

  start(call: PendingCall): void {
    const displaced = this.joiner.start(call);
    if (displaced !== null) this.neverResumed(displaced);
  }

  lightStart(pid: number | null, name: string, line: number, time: number | null): void {
    this.start({ pid, name, line, time, slots: [] });
  }

  lightResumed(c: LightCall, pid: number | null, line: number): void {
    const started = this.joiner.resume(pid, c.name);
    if (started === null) this.syscall(lightEvent(this.file, c, pid, c.time, line, line, "resumed-only"));
    else this.syscall(lightEvent(this.file, c, pid ?? started.pid, started.time, started.line, line, "joined"));
  }

  resumed(h: ResumedHalf): void {
    const body = h.body;
    const started = this.joiner.resume(h.pid, body.name);
    if (body.end !== "complete") {
      // Resumed and cut again: keep accumulating the arguments.
      const slots = started !== null ? joinSlots(started.slots, body.args) : dropLeadingEmpty(body.args);
      const pending: PendingCall = started !== null
        ? { ...started, slots }
        : { pid: h.pid, name: body.name, line: h.line, time: h.time, slots };
      if (body.end === "detached" || body.result !== null) {
        this.neverResumed(pending, body.result);
        return;
      }
      const displaced = this.joiner.start(pending);
      if (displaced !== null && displaced !== started) this.neverResumed(displaced);
      return;
    }
    if (started === null) {
      this.syscall(
        syscallEvent(this.file, this.stats, body.name, dropLeadingEmpty(body.args), body.result!, h.durationText, h.pid, h.time, h.line, h.line, "resumed-only"),
      );
      return;
    }
    const slots = joinSlots(started.slots, body.args);
    const name = started.name === "???" ? body.name : started.name;
    this.syscall(
      syscallEvent(this.file, this.stats, name, slots, body.result!, h.durationText, h.pid ?? started.pid, started.time, started.line, h.endLine, "joined"),
    );
  }

  threadGone(pid: number | null): void {
    const call = this.joiner.finish(pid);
    if (call !== null) this.neverResumed(call);
  }

  exited(pid: number | null, time: number | null, line: number, code: number): void {
    // Spelled out, the same keys in the same order as the other ends (event-parser.ts): a
    // spread is V8's slow path, and every thread of a busy trace ends with this line.
    this.emit({ type: "exit", file: this.file, line, pid, time, how: "exited", code });
  }

  migrate(fromPid: number, toPid: number): void {
    const displaced = this.joiner.migrate(fromPid, toPid);
    if (displaced !== null) this.neverResumed(displaced);
  }

  bare(text: string, line: number): void {
    const last = this.joiner.lastStarted();
    this.local!.bareOrForeign(text, line, last !== null && line - last.line <= BARE_CONTINUATION_WINDOW ? last : null);
  }

  /** A call that will never resume. */
  neverResumed(call: PendingCall, result: ParsedResult | null = null): void {
    this.syscall(neverResumedEvent(this.file, call, result));
  }

  /** Emit the held syscall event, with the `-k` frames that followed it. */
  release(): void {
    const ev = this.held;
    if (ev === null) return;
    this.held = null;
    const stack = this.heldStack;
    this.heldStack = null;
    this.out.push(stack === null ? ev : { ...ev, stack });
  }

  /** End of input: every call still in flight never resumed. */
  end(): void {
    this.release();
    for (const call of this.joiner.drain()) this.neverResumed(call);
    this.release();
  }
}

/** How many lines after its `<unfinished ...>` a bare -z continuation may come. */
const BARE_CONTINUATION_WINDOW = 16;

/** The arguments of a call taken by the fast path: none, and shared (events are never mutated). */
export const NO_ARGS: readonly Value[] = Object.freeze([]);

/** A call that never resumed, with its result when strace printed one (`<unfinished ...>) = ?`). */
export function neverResumedEvent(file: string, call: PendingCall, result: ParsedResult | null): SyscallEvent {
  return newSyscallEvent(file, call.line, call.pid, call.time, call.name, argValues(call.slots), result?.ret ?? null, result?.errno ?? null, "never-resumed");
}

export function lightEvent(
  file: string,
  c: LightCall,
  pid: number | null,
  time: number | null,
  lineNo: number,
  endLine: number,
  form: SyscallEvent["form"],
): SyscallEvent {
  const ev = newSyscallEvent(file, lineNo, pid, time, c.name, NO_ARGS, c.ret, c.errno, form);
  ev.argsOmitted = true;
  if (c.durationUs !== undefined) ev.durationUs = c.durationUs;
  if (endLine !== lineNo) ev.endLine = endLine;
  return ev;
}

export function syscallEvent(
  file: string,
  stats: ParserStats,
  name: string,
  slots: readonly ArgSlot[],
  r: ParsedResult,
  durationText: string | null,
  pid: number | null,
  time: number | null,
  lineNo: number,
  endLine: number,
  form: SyscallEvent["form"],
): SyscallEvent {
  const ev = newSyscallEvent(file, lineNo, pid, time, name, argValues(slots), r.ret, r.errno, form);
  if (r.retPath !== undefined) ev.retPath = r.retPath;
  if (r.aux.length > 0) {
    let aux = "";
    for (const a of r.aux) {
      if (a.startsWith("INJECTED")) {
        ev.injected = true;
        stats.flags.add("-e inject=");
      } else if (a === "DELAYED") stats.flags.add("-e inject=delay");
      else aux = aux === "" ? a : `${aux} ${a}`;
    }
    if (aux !== "") ev.aux = aux;
  }
  if (durationText !== null) ev.durationUs = +durationText * 1e6;
  if (endLine !== lineNo) ev.endLine = endLine;
  if (r.retText.length > 2 && r.retText.charCodeAt(1) === 0x78 && name !== "brk" && !name.startsWith("mmap")) {
    // Every value in hex, the return included, is `-e raw=` (STRACE-FORMAT §3).
    if (slots.length > 0 && slots.every((s) => s.length === 1 && s[0].kind === "int")) stats.flags.add("-e raw=");
  }
  return ev;
}

export function dropLeadingEmpty(slots: readonly ArgSlot[]): ArgSlot[] {
  return slots.length > 0 && slots[0].length === 0 ? slots.slice(1) : slots.slice();
}

/** One value per argument; empty slots (a separator with nothing after it) are not arguments. */
function argValues(slots: readonly ArgSlot[]): Value[] {
  const values: Value[] = [];
  for (const slot of slots) {
    if (slot.length === 0) continue;
    const v = slotValue(slot);
    values.push(v.kind === "changed" && v.before === CUT_BEFORE ? v.after : v);
  }
  return values;
}
