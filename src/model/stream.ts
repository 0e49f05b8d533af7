// A stream is one open socket or pipe (an open file description), not an fd number: fds are
// only references to it. It carries its byte timeline (PRODUCT.md "Unsent bytes") and the
// few most recent attempts kept as evidence; nothing here grows with the trace.
import type { HttpFramer } from "./http-framing.js";
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
  /** The call failed because the peer was gone or the write side was shut (EPIPE, ECONNRESET):
   * shown in the timeline, never counted in the byte model. `SIGPIPE` when the signal followed. */
  readonly peerGone?: string;
}

/** What the read side and the socket options of a stream say (the RST risks, HTTP requests). */
export interface ReadSide {
  /** The latest successful read: whether it filled the buffer it was given. */
  lastRead: PointRef | null;
  lastReadFilled: boolean;
  /** A read returned 0: the peer's half is closed and everything it sent was read. */
  eof: PointRef | null;
  /** Bytes read so far. */
  bytesRead: number;
  /** The HTTP/1.x messages the peer sent (requests to a server, responses to a client). */
  request: HttpFramer | null;
  /** Where the head of the request being read was read. */
  requestHeadAt: PointRef | null;
  /** A HEAD request was read before any response was written. */
  headAsked: boolean;
}

/** Which address family a socket belongs to, when the trace says: RSTs are TCP's. */
export type SocketFamily = "inet" | "unix";

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
  /** Of those, entries in the model's fd tables (refs also counts fds sent away, SCM_RIGHTS):
   *  the stream is live, counted against MAX_LIVE_STREAMS, while this is above zero. */
  fdEntries = 0;
  /** The model's syscall count when it was last installed, written or read (for eviction). */
  lastUsed = 0;
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
  family: SocketFamily | null = null;
  /** The HTTP/1.x responses carried by the bytes accepted (null until the first write). */
  response: HttpFramer | null = null;
  /** The write that carried the head of the response being sent. */
  responseHeadAt: PointRef | null = null;
  /** shutdown(SHUT_WR | SHUT_RDWR) was called. */
  shutWr: PointRef | null = null;
  /** setsockopt SO_LINGER {l_onoff=1, l_linger=0} in force: close() resets the connection. */
  lingerZero: PointRef | null = null;
  /** The latest attempt whose bytes the kernel accepted. */
  lastAccepted: Attempt | null = null;
  /** The model's idle-wait count at lastAccepted (see ReleaseEvent.idleWaits). */
  acceptedIdleWaits = 0;
  /** Since lastAccepted, a sign the peer got the bytes: it answered (a read returned data or
   * EOF) or the send queue was seen empty (ioctl SIOCOUTQ = 0). */
  peerSign: PointRef | null = null;
  read: ReadSide | null = null;
  /** The analyzer's verdict once the write side ended (analysis.ts): the finding that settled
   *  the stream, null when it settled with none, undefined until then. A field, not a WeakMap
   *  entry: every stream is settled, and the map's upkeep was a tenth of the analyzer's time. */
  settled: unknown = undefined;

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
