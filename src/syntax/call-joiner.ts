// Pairs `<unfinished ...>` with `<... NAME resumed>` per thread (STRACE-FORMAT.md §7): each tid
// has at most one call in flight; a resumed line may end unfinished again; an execve by a
// non-leader thread resumes under the tgid after `+++ superseded by execve in pid N +++`.
import type { ArgSlot } from "../../grammars/strace-line-parser.js";

/** The half of a call printed so far. `slots` grow as resumed-then-unfinished halves arrive. */
export interface PendingCall {
  readonly pid: number | null;
  readonly name: string;
  readonly line: number;
  readonly time: number | null;
  slots: ArgSlot[];
}

/**
 * Most calls kept in flight at once: one per thread, so this many threads blocked in a call at
 * the same moment, far more than strace can follow in practice. Each costs a few hundred bytes
 * (its argument slots so far), so the joiner stays under about 20 MB; without a bound, a trace of
 * a million threads that each start a call and never come back held a million of them.
 */
export const MAX_IN_FLIGHT = 65_536;

/** A thread's place in the joiner: its call in flight, or null between calls. */
interface Slot {
  call: PendingCall | null;
}

export class CallJoiner {
  /** One slot per thread seen with a call, kept between its calls: a Map entry set and deleted
   *  for every unfinished/resumed pair made V8 copy the Map's table every few pairs (about 10 MB
   *  of tables per 100 MB of a busy multi-threaded trace). A thread's slot goes when it is gone;
   *  empty slots of threads never seen to end are swept once they outnumber the calls in
   *  flight. */
  private readonly slots = new Map<number | null, Slot>();
  /** Calls in flight (slots holding a call). */
  private live = 0;
  private last: PendingCall | null = null;
  /** Calls in start order, for giving up the oldest: entries no longer in flight are skipped,
   *  and the list is rebuilt from the slots when they outnumber the live ones. */
  private order: PendingCall[] = [];
  private head = 0;

  /** `giveUp` receives the oldest call in flight when more than `maxInFlight` are: it will be
   *  reported as never resumed (its resumed half, if it ever comes, stands alone). */
  constructor(
    private readonly giveUp: (call: PendingCall) => void = () => {},
    private readonly maxInFlight = MAX_IN_FLIGHT,
  ) {}

  /** The call most recently cut, if still in flight (for strace's bare -z continuations). */
  lastStarted(): PendingCall | null {
    const last = this.last;
    return last !== null && this.inFlight(last.pid) === last ? last : null;
  }

  /** Record a call cut by `<unfinished ...>`; returns the call it displaces, which will never
   *  resume (strace prints at most one unfinished call per thread). */
  start(call: PendingCall): PendingCall | null {
    const previous = this.put(call.pid, call);
    this.last = call;
    this.order.push(call);
    if (this.live > this.maxInFlight) {
      while (this.head < this.order.length) {
        const oldest = this.order[this.head++]!;
        if (this.inFlight(oldest.pid) !== oldest) continue;
        this.take(oldest.pid);
        this.giveUp(oldest);
        break;
      }
    }
    if (this.order.length - this.head > 2 * this.live + 1024) {
      // Mostly calls that resumed since: keep the live ones, in start order.
      this.order = this.calls();
      this.head = 0;
    } else if (this.head > 1024 && 2 * this.head > this.order.length) {
      // Mostly calls given up already: drop them.
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    return previous;
  }

  /** Take the call a `<... name resumed>` line continues, if it was seen. */
  resume(pid: number | null, name: string): PendingCall | null {
    const call = this.inFlight(pid) ?? this.unprefixedHalf(pid, name);
    if (call === undefined) return null;
    // restart_syscall may name a different call than the one interrupted (strace 6.12 NEWS).
    if (call.name !== name && name !== "restart_syscall" && call.name !== "restart_syscall" && call.name !== "???") {
      return null;
    }
    this.take(call.pid);
    return call;
  }

  /** On stderr, strace prints no pid while one process is traced and `[pid N]` while several
   *  are (STRACE-FORMAT §1), so the halves of one call can differ: `clone3(... <unfinished ...>`
   *  unprefixed, `[pid 29778] <... clone3 resumed>` once the child exists, and the reverse when
   *  the others exit. Match such a half only when exactly one candidate exists. */
  private unprefixedHalf(pid: number | null, name: string): PendingCall | undefined {
    if (pid !== null) {
      const unprefixed = this.inFlight(null);
      return unprefixed !== null && unprefixed.name === name ? unprefixed : undefined;
    }
    let found: PendingCall | undefined;
    for (const { call } of this.slots.values()) {
      if (call === null || call.name !== name) continue;
      if (found !== undefined) return undefined;
      found = call;
    }
    return found;
  }

  /** The thread is gone (`+++ exited/killed +++`): its call in flight never resumes. */
  finish(pid: number | null): PendingCall | null {
    const call = this.take(pid);
    this.slots.delete(pid);
    return call;
  }

  /** `+++ superseded by execve in pid N +++` printed for the tgid: thread N's execve resumes
   *  under the tgid's pid. */
  migrate(fromPid: number, toPid: number): PendingCall | null {
    const call = this.take(fromPid);
    return call === null ? null : this.put(toPid, call);
  }

  /** End of input: every call still in flight, in start order. */
  drain(): PendingCall[] {
    const calls = this.calls();
    this.slots.clear();
    this.live = 0;
    // Nothing of the file is kept after its end (an -ff set keeps every file's parser).
    this.order = [];
    this.head = 0;
    this.last = null;
    return calls;
  }

  /** The call in flight on thread `pid`, or null. */
  private inFlight(pid: number | null): PendingCall | null {
    return this.slots.get(pid)?.call ?? null;
  }

  /** Thread `pid`'s call in flight is now `call`; returns the one it had. */
  private put(pid: number | null, call: PendingCall): PendingCall | null {
    let slot = this.slots.get(pid);
    if (slot === undefined) {
      if (this.slots.size > 2 * this.live + 1024) this.sweep();
      this.slots.set(pid, (slot = { call: null }));
    }
    const previous = slot.call;
    slot.call = call;
    if (previous === null) this.live++;
    return previous;
  }

  /** Thread `pid` has no call in flight any more; returns the one it had. */
  private take(pid: number | null): PendingCall | null {
    const slot = this.slots.get(pid);
    if (slot === undefined || slot.call === null) return null;
    const call = slot.call;
    slot.call = null;
    this.live--;
    return call;
  }

  /** Forget the slots of threads with no call in flight (threads whose end the trace never
   *  showed, or whose calls were given up). */
  private sweep(): void {
    for (const [pid, slot] of this.slots) if (slot.call === null) this.slots.delete(pid);
  }

  /** Every call in flight, in start order. */
  private calls(): PendingCall[] {
    const calls: PendingCall[] = [];
    for (const { call } of this.slots.values()) if (call !== null) calls.push(call);
    return calls.sort((a, b) => a.line - b.line);
  }
}

/** Join the argument slots of two halves: A's last slot and B's first are one argument (the
 *  separator sits on either side depending on the strace version). */
export function joinSlots(a: readonly ArgSlot[], b: readonly ArgSlot[]): ArgSlot[] {
  if (a.length === 0) return b.slice();
  if (b.length === 0) return a.slice();
  return [...a.slice(0, -1), [...a[a.length - 1], ...b[0]], ...b.slice(1)];
}
