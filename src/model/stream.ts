// A stream is one open socket or pipe (an open file description), not an fd number: fds are
// only references to it. It carries its byte timeline (PRODUCT.md "Unsent bytes") and the
// few most recent attempts kept as evidence; nothing here grows with the trace.
import type { StreamKind } from "./stream-kind.js";

/** Where something happened, copied out of an event (the event itself is not kept). */
export interface PointRef {
  readonly file: string;
  readonly line: number;
  readonly pid: number | null;
  /** The model's id for the process (thread group) of `pid`: threads share it. It is stable
   * even while the group's pid is still unknown (unprefixed lines). */
  readonly group: number | null;
  /** Entry time in seconds on one monotonic axis (see time-axis.ts); null without timestamps. */
  readonly time: number | null;
  /** The call as a short text (`writev(8, …, 2) = 219264`), escaped later by renderers. */
  readonly summary: string;
  /** `-k` stack frames of the call, innermost first (a few at most). */
  readonly stack?: readonly string[];
}

/** One write-family call on a stream. */
export interface Attempt extends PointRef {
  readonly syscall: string;
  readonly fd: number;
  /** Bytes the call asked to send (a lower bound when `requestedExact` is false). */
  readonly requested: number;
  readonly requestedExact: boolean;
  /** Bytes the kernel accepted (0 for EAGAIN). */
  readonly accepted: number;
  /** What the call returned, as text: `219264`, `-1 EAGAIN`. */
  readonly result: string;
  /** Accepted offset the attempt started at (A in [A, A+N)). */
  readonly offset: number;
  /** Unsent bytes on the stream right after this attempt. */
  readonly unsentAfter: number;
  readonly durationUs: number | null;
}

/** How many recent attempts each stream keeps for its evidence. */
export const RECENT_ATTEMPTS = 3;

let nextStreamId = 1;

export class Stream {
  readonly id = nextStreamId++;
  kind: StreamKind;
  /** The latest decoration strace printed for it (decorations change over its life). */
  name: string | null;
  /** Inode or address pair when known (see stream-kind.ts). */
  identity: string | null;
  /** fd-table entries that reference it, across every live process. */
  refs = 0;
  /** Bytes accepted by the kernel so far. */
  accepted = 0;
  /** Highest byte offset any attempt meant to send (A+N). */
  highWater = 0;
  /** False once an elided iovec (or an undecodable buffer) made a request a lower bound. */
  exact = true;
  attempts = 0;
  readonly recent: Attempt[] = [];
  /** The peer is gone (EPIPE/ECONNRESET): nothing more could have been delivered. */
  broken = false;
  /** Where the last reference was dropped, for a release that only resolves later. */
  lastRelease: PointRef | null = null;

  constructor(kind: StreamKind, name: string | null, identity: string | null) {
    this.kind = kind;
    this.name = name;
    this.identity = identity;
  }

  get unsentBytes(): number {
    return Math.max(0, this.highWater - this.accepted);
  }

  get lastAttempt(): Attempt | null {
    return this.recent.length === 0 ? null : (this.recent[this.recent.length - 1] as Attempt);
  }
}
