// The shape of a loss rule: a small function over one model event that says whether this
// event is a stream's point of no return. The analyzer decides which finding wins (the first).
import type { ModelEvent } from "../model/model-events.js";
import type { PointRef, Stream } from "../model/stream.js";
import { isByteStream } from "../model/stream-kind.js";

export type Severity = "error" | "warning";

export type RuleName = "shutdown-with-unsent" | "close-with-unsent" | "exit-with-unsent";

/** A point of no return for a stream that still had unsent bytes. */
export interface Loss {
  readonly stream: Stream;
  readonly fd: number;
  readonly at: PointRef;
  /** What the program did, as a verb phrase for the message: "shut down", "closed". */
  readonly action: "shut down" | "closed" | "exited holding";
}

export interface Rule {
  readonly name: RuleName;
  /** Stable code printed with findings (`error[SR101]`). */
  readonly code: string;
  readonly severity: Severity;
  readonly describe: string;
  readonly check: (ev: ModelEvent) => Loss | null;
}

/** Only byte streams can lose a tail, and only while bytes are unsent and the peer is there. */
export function hasUnsentTail(stream: Stream): boolean {
  return isByteStream(stream.kind) && !stream.broken && stream.unsentBytes > 0;
}

/** Any event that ends the write side for good, whether or not bytes were pending. */
export function isPointOfNoReturn(ev: ModelEvent): boolean {
  if (ev.kind === "shutdown") return ev.how === "wr" || ev.how === "rdwr";
  return ev.kind === "release" && ev.last;
}
