// What the stream model tells the rules: attempts on a stream's byte timeline, shutdowns, and
// every dropped reference (with whether it was the last one). Rules see only these.
import type { Attempt, PointRef, Stream } from "./stream.js";

export interface AttemptEvent {
  readonly kind: "attempt";
  readonly stream: Stream;
  readonly attempt: Attempt;
}

export interface ShutdownEvent {
  readonly kind: "shutdown";
  readonly stream: Stream;
  readonly fd: number;
  /** Which directions were shut: only `wr`/`rdwr` end the write side. */
  readonly how: "rd" | "wr" | "rdwr" | "unknown";
  readonly at: PointRef;
}

export type ReleaseCause =
  /** close() */
  | "close"
  /** dup2/dup3 onto an open fd closes it implicitly */
  | "dup2"
  | "close-range"
  /** close-on-exec at a successful execve */
  | "exec"
  /** the process holding the table exited or was killed */
  | "exit";

export interface ReleaseEvent {
  readonly kind: "release";
  readonly stream: Stream;
  readonly fd: number;
  readonly cause: ReleaseCause;
  /** True when no fd in any live process references the stream any more. */
  readonly last: boolean;
  readonly at: PointRef;
  /** How many of the releasing thread's waits had timed out and sleeps had ended so far: time
   * passed idle (compared with Stream.acceptedIdleWaits when there are no timestamps); -1 when
   * the thread is unknown. */
  readonly idleWaits: number;
}

export type ModelEvent = AttemptEvent | ShutdownEvent | ReleaseEvent;
