// The one race a reader of a live input waits in: its next read, the oldest segment a worker
// reads, a quiet moment, or the signal that stops it (segmented-read.ts, and trace-input.ts's
// one-thread reader).

export const SEGMENT_READ = Symbol("segment read");
export const QUIET = Symbol("quiet");
export const STOPPED = Symbol("stopped");

/** Whichever comes first: the input's read (its value, or its error), the oldest segment's
 *  reading (SEGMENT_READ; it wins when both are ready), `ms` of quiet (QUIET; never when
 *  negative), or `signal` (STOPPED). The timer and the abort listener go once it is settled. */
export function firstOf<T>(read: Promise<T>, segment: null, ms: number, signal: AbortSignal | undefined): Promise<T | typeof QUIET | typeof STOPPED>;
export function firstOf<T>(
  read: Promise<T>,
  segment: Promise<unknown> | null,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<T | typeof SEGMENT_READ | typeof QUIET | typeof STOPPED>;
export function firstOf<T>(
  read: Promise<T>,
  segment: Promise<unknown> | null,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<T | typeof SEGMENT_READ | typeof QUIET | typeof STOPPED> {
  if (signal?.aborted === true) return Promise.resolve(STOPPED);
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      return true;
    };
    const onAbort = () => settle() && resolve(STOPPED);
    signal?.addEventListener("abort", onAbort, { once: true });
    segment?.then(() => settle() && resolve(SEGMENT_READ));
    read.then(
      (v) => settle() && resolve(v),
      (err: unknown) => settle() && reject(err),
    );
    if (ms >= 0) timer = setTimeout(() => settle() && resolve(QUIET), ms);
  });
}
