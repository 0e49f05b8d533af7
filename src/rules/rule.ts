// The shape of a loss rule: a small function over one model event that says whether this
// event is a stream's point of no return. The analyzer decides which finding wins (the first).
import type { OpenMessage } from "../model/http-framing.js";
import type { ModelEvent, ReleaseEvent } from "../model/model-events.js";
import type { PointRef, Stream } from "../model/stream.js";
import { isByteStream } from "../model/stream-kind.js";

export type Severity = "error" | "warning";

/** Rules about a tail of bytes the program offered and the kernel never took. */
export type LossRuleName = "shutdown-with-unsent" | "close-with-unsent" | "exit-with-unsent";

/** Rules about what the bytes say (HTTP framing) or how the connection ends (an RST). */
export type RiskRuleName = "http-short-body" | "abortive-close" | "close-with-unread-input";

export type RuleName = LossRuleName | RiskRuleName;

/** A point of no return for a stream that still had unsent bytes. */
export interface Loss {
  readonly stream: Stream;
  readonly fd: number;
  readonly at: PointRef;
  /** What the program did, as a verb phrase for the message: "shut down", "closed". */
  readonly action: "shut down" | "closed" | "exited holding";
}

/** What every rule has: the name users pass to --rule, its stable code, its severity. */
export interface RuleInfo {
  readonly name: RuleName;
  /** Stable code printed with findings (`error[SR101]`). */
  readonly code: string;
  readonly severity: Severity;
  readonly describe: string;
}

export interface Rule extends RuleInfo {
  readonly name: LossRuleName;
  readonly check: (ev: ModelEvent) => Loss | null;
}

/** A finding that is not a user-space tail: the rule says what is wrong and shows why. */
export interface Risk {
  readonly stream: Stream;
  readonly fd: number;
  readonly at: PointRef;
  /** "X did Y while Z": the explanation puts the `while` clause on its own line. */
  readonly message: string;
  /** Bytes the peer will never get that the program meant to send (HTTP: declared − delivered). */
  readonly unsentBytes: number;
  readonly unsentExact: boolean;
  /** Evidence lines before the point of no return (oldest first). */
  readonly before: readonly RiskEvidence[];
  readonly http?: HttpFacts;
  /** How to fix the program, one line. */
  readonly hint: string;
}

export interface RiskEvidence {
  readonly at: PointRef;
  readonly note: string;
}

/** Declared vs delivered for the HTTP/1.x message a stream was carrying when it ended: the
 *  framer's open message (see OpenMessage), its index named `message` as in the JSON contract. */
export type HttpFacts = Pick<OpenMessage, "startLine" | "headBytes" | "contentLength" | "chunked" | "declaredBytes" | "deliveredBytes"> & {
  /** 1-based index of the message on the stream (pipelined responses count up). */
  readonly message: number;
};

export interface RiskRule extends RuleInfo {
  readonly name: RiskRuleName;
  readonly check: (ev: ModelEvent) => Risk | null;
}

/** Only byte streams can lose a tail, and only while bytes are unsent and the peer is there. */
export function hasUnsentTail(stream: Stream): boolean {
  return isByteStream(stream.kind) && !stream.broken && stream.unsentBytes > 0;
}

/** The last reference closed by the program itself (close, dup2 over it, close_range,
 *  close-on-exec). A process exit is left out: in a trace without timestamps its order against
 *  other threads is a guess. */
export function isExplicitLastClose(ev: ModelEvent): ev is ReleaseEvent {
  return ev.kind === "release" && ev.last && ev.cause !== "exit";
}

/** Any event that ends the write side for good, whether or not bytes were pending. */
export function isPointOfNoReturn(ev: ModelEvent): boolean {
  if (ev.kind === "shutdown") return ev.how === "wr" || ev.how === "rdwr";
  return ev.kind === "release" && ev.last;
}
