// A file read on several cores: its bytes are cut into segments of whole lines and read by the
// parse workers, a few segments ahead, while this thread replays their records into the event
// parser's assembler in file order (the joining of calls and everything after it stays
// sequential). A segment the worker began in the wrong state (the one before it ended inside a
// cut call or a summary) is read again here, from the right one; so is one a worker failed on,
// and a line too long for a segment (the segments after it go to the workers again). A file of
// an -ff set has its records replayed a few lines at a time, as the merge reaches it.
import { firstLineOf, LineSplitter, readLineBatches, splitBytes, type LineBatch, type LineSplitEvents } from "../io/line-batches.js";
import type { ReplayingParser } from "../syntax/event-parser.js";
import type { TraceEvent } from "../syntax/events.js";
import { firstOf, QUIET, SEGMENT_READ, STOPPED } from "./first-of.js";
import type { ParsePool, SegmentOutcome } from "./parse-pool.js";
import type { SegmentRequest } from "./parse-worker.js";

export interface SegmentOptions {
  /** Bytes per segment, about (a segment ends at the last newline past this many). */
  readonly segmentBytes: number;
  /** Segments being read at once. */
  readonly inFlight: number;
  readonly file: string;
  readonly pid: number | null;
  readonly argsNeeded: readonly string[] | null;
  readonly argsProjected?: SegmentRequest["argsProjected"];
  readonly plainScan: boolean;
  /** A pipe or FIFO (null: a file). */
  readonly live?: LiveSegments | null;
  /** A file of an -ff set: a segment's reading is replayed about this many lines at a time,
   *  as the merge asks (absent: a segment at a time). */
  readonly stepLines?: number;
}

/** How a live input (a pipe or FIFO, strace maybe still writing) is read in segments. Its size
 *  is not known: its first bytes are read on this thread, the workers start once `minBytes`
 *  have come (the pool is then this reader's to give back), and segments go to them once they
 *  are ready (until then they are read here: waiting would stall strace). Whole lines wait at most
 *  LIVE_SEGMENT_MS for more to fill a segment, segments the workers finish are replayed while
 *  the input is quiet, and after `idleMs` of quiet the call held for its `-k` frames goes out. */
export interface LiveSegments {
  readonly minBytes: number;
  readonly idleMs: number;
  /** Ends a wait for input (strace still running, nothing written). */
  readonly signal?: AbortSignal;
  acquire(): ParsePool | null;
  release(pool: ParsePool): void;
}

/** How long whole lines of a live input wait for more to fill a segment. */
export const LIVE_SEGMENT_MS = 10;

/** A line that long is read here, not put in a segment: a segment is copied to the worker and
 *  decoded there, so a line of 60 MB held 330 MB at once. Here only the first 16 MiB of a line
 *  are kept (MAX_LINE_CHARS). */
export const MAX_SEGMENT_LINE = 1024 * 1024;

/** What the caller tracks of the lines read (as readLineBatches' consumer would). */
export interface SegmentProgress {
  lines: number;
  firstText: string | null;
  /** Segments a worker failed on (read here instead), and the first reason. */
  failures: number;
  firstFailure: string | null;
}

interface Pending {
  /** The segment's bytes, in the pieces of the chunks they were read in (joined only to be read
   *  on this thread). */
  readonly bytes: readonly Uint8Array[];
  readonly final: boolean;
  /** null: read on this thread. */
  readonly outcome: Promise<SegmentOutcome> | null;
}

/** The events of one file, batch by batch (one per segment). `parser` is the file's parser;
 *  `events` get line numbers of the whole file. */
export async function* segmentedEvents(
  chunks: AsyncIterable<Buffer>,
  parser: ReplayingParser,
  filePool: ParsePool | null,
  opts: SegmentOptions,
  events: LineSplitEvents,
  progress: SegmentProgress,
  stop: () => boolean,
): AsyncGenerator<TraceEvent[]> {
  const queue: Pending[] = [];
  let parts: Buffer[] = [];
  let partBytes = 0;
  /** Lines before the next segment to replay. */
  let base = 0;
  const live = opts.live ?? null;
  /** The workers (null: segments are read here, as a live input's first bytes are). */
  let pool = filePool;
  /** Bytes of a live input so far (until the workers start). */
  let seen = 0;
  /** When the whole lines held in `parts` began to wait (live inputs), or -1: none held. */
  let heldSince = -1;
  /** A read of the input under way (a live wait started it). */
  let reading: Promise<IteratorResult<Buffer>> | null = null;
  let inputDone = false;

  /** The workers, once they can take a segment (a live input does not wait for them to start). */
  const workers = (): ParsePool | null => (pool !== null && (live === null || pool.ready) ? pool : null);
  const submit = (bytes: readonly Uint8Array[], final: boolean) => {
    const w = workers();
    const outcome = w === null ? null : w.submit({ bytes, final, file: opts.file, pid: opts.pid, argsNeeded: opts.argsNeeded, argsProjected: opts.argsProjected, plainScan: opts.plainScan });
    queue.push({ bytes, final, outcome });
  };
  /** Segments in flight before the oldest must be replayed: none while they are read here. */
  const inFlight = () => (workers() === null ? 1 : opts.inFlight);

  /** Replay (or read here) the oldest segment in flight: a batch of events, or (stepLines)
   *  several. */
  async function* apply(): AsyncGenerator<TraceEvent[]> {
    const p = queue.shift()!;
    const o = p.outcome === null ? null : await p.outcome;
    if (o !== null && "failed" in o) {
      progress.failures++;
      progress.firstFailure ??= o.failed;
    }
    if (o === null || "failed" in o || o.dirty || !parser.clean()) {
      // The worker's reading is not used: its buffers go back all the same.
      if (o !== null && !("failed" in o)) pool?.recycle(o.record);
      const out: TraceEvent[] = [];
      readHere(joined(p.bytes), p.final, out);
      yield out;
      return;
    }
    if (opts.stepLines === undefined) {
      const out: TraceEvent[] = [];
      parser.replay(o.record, o.stats, base, out);
      pool?.recycle(o.record);
      yield out;
    } else {
      const step = parser.replaySteps(o.record, o.stats, base);
      for (let done = false; !done; ) {
        const out: TraceEvent[] = [];
        done = step(out, opts.stepLines);
        yield out;
      }
      pool?.recycle(o.record);
    }
    for (const [line, chars] of o.longLines) events.onLongLine?.(base + line, chars);
    if (o.unterminated !== null) events.onUnterminated?.(base + o.unterminated.line, o.unterminated.text);
    progress.firstText ??= o.firstText;
    base += o.lines;
    progress.lines = base;
  }

  const pushHere = (b: LineBatch | null, out: TraceEvent[]) => {
    if (b === null) return;
    progress.firstText ??= firstLineOf(b.lines);
    parser.push(b.lines, b.firstLine, out);
    base = b.firstLine + b.lines.length - 1;
    progress.lines = base;
  };

  const readHere = (bytes: Uint8Array, final: boolean, out: TraceEvent[]) => {
    const splitter = new LineSplitter(events, base + 1);
    for (const b of splitBytes(bytes, splitter)) pushHere(b, out);
    if (final) pushHere(splitter.end(), out);
  };

  const input = chunks[Symbol.asyncIterator]();
  try {
    yield* segments();
  } finally {
    // Stopped early (interrupted, or the consumer left): close the source, as `for await` does.
    void input.return?.(undefined).catch(() => {});
    if (live !== null && pool !== null) live.release(pool);
  }

  /** The next chunk of input (the read a live wait began, if one did). */
  function nextChunk(): Promise<IteratorResult<Buffer>> {
    const r = reading ?? input.next();
    reading = null;
    return r;
  }

  async function* segments(): AsyncGenerator<TraceEvent[]> {
    while (!inputDone) {
      const r = live === null ? await nextChunk() : yield* liveWait(live);
      if (r === STOPPED) return;
      if (r.done === true) break;
      yield* take(r.value);
      if (stop()) return;
    }
    if (partBytes > 0) submit([...parts], true);
    while (queue.length > 0) yield* apply();
  }

  /** One more chunk: the whole lines it completes go on in segments of about segmentBytes. */
  async function* take(chunk: Buffer): AsyncGenerator<TraceEvent[]> {
    parts.push(chunk);
    partBytes += chunk.length;
    if (live !== null && pool === null && (seen += chunk.length) >= live.minBytes) pool = live.acquire();
    if (partBytes > MAX_SEGMENT_LINE && chunk.indexOf(10) < 0) {
      // No line ends in the last MAX_SEGMENT_LINE bytes: read that line here, as the
      // single-threaded reader does, then go on cutting segments after it.
      while (queue.length > 0) yield* apply();
      const out: TraceEvent[] = [];
      const after = await readLongLine(out);
      yield out;
      heldSince = -1;
      if (after === null || stop()) {
        inputDone = true;
        return;
      }
      parts = [after]; // may hold whole lines: cut below
      partBytes = after.length;
    }
    if (live !== null && heldSince < 0 && partBytes > 0 && parts[parts.length - 1]!.indexOf(10) >= 0) heldSince = Date.now();
    if (partBytes >= opts.segmentBytes || (heldSince >= 0 && Date.now() - heldSince >= LIVE_SEGMENT_MS)) yield* cut();
  }

  /** Hand on every whole line held, in segments of about segmentBytes; the rest waits for more.
   *  The chunks held are not joined: a segment is handed on as the pieces of them it spans. */
  async function* cut(): AsyncGenerator<TraceEvent[]> {
    const held = new HeldBytes(parts);
    const nl = held.lastNewline();
    let from = 0;
    while (from <= nl) {
      const end = from + opts.segmentBytes - 1 >= nl ? nl : held.newlineFrom(from + opts.segmentBytes - 1);
      submit(held.pieces(from, end + 1), false);
      from = end + 1;
      while (queue.length >= inFlight()) {
        yield* apply();
        if (stop()) return;
      }
    }
    parts = held.pieces(from, partBytes);
    partBytes -= from;
    heldSince = -1;
  }

  /** Wait for a live input's next chunk. Meanwhile: replay the segments the workers finish,
   *  hand on whole lines that waited LIVE_SEGMENT_MS, and after `idleMs` of quiet with nothing
   *  in flight hand out the call held for its `-k` frames (once per quiet spell). */
  async function* liveWait(l: LiveSegments): AsyncGenerator<TraceEvent[], IteratorResult<Buffer> | typeof STOPPED> {
    reading ??= input.next();
    let flushed = false;
    for (;;) {
      const head = queue.length > 0 ? (queue[0]!.outcome ?? Promise.resolve()) : null;
      const ms = heldSince >= 0 ? Math.max(0, heldSince + LIVE_SEGMENT_MS - Date.now()) : head === null && !flushed ? l.idleMs : -1;
      const w = await firstOf(reading, head, ms, l.signal);
      if (w === STOPPED) return STOPPED;
      if (w === SEGMENT_READ) yield* apply();
      else if (w === QUIET && heldSince >= 0) yield* cut();
      else if (w === QUIET) {
        const out: TraceEvent[] = [];
        parser.flush(out);
        flushed = true;
        yield out;
      } else {
        reading = null;
        return w;
      }
      if (stop()) return STOPPED;
    }
  }

  /** Read here, as the single-threaded reader does, the lines held back in `parts` and the rest
   *  of the line they end in: the bytes after its newline, or null when the input ended first. */
  async function readLongLine(out: TraceEvent[]): Promise<Buffer | null> {
    let after: Buffer | null = null;
    async function* throughNewline(held: readonly Buffer[]): AsyncGenerator<Buffer> {
      yield* held;
      for (;;) {
        const r = await nextChunk();
        if (r.done === true) return;
        const nl = r.value.indexOf(10);
        if (nl < 0) {
          yield r.value;
          continue;
        }
        yield r.value.subarray(0, nl + 1);
        after = r.value.subarray(nl + 1);
        return;
      }
    }
    const held = parts;
    parts = [];
    partBytes = 0;
    for await (const b of readLineBatches(throughNewline(held), events, base + 1)) pushHere(b, out);
    return after;
  }
}

/** Bytes held in several chunks, read as one run of bytes without joining them. */
class HeldBytes {
  /** Where each chunk starts in the run. */
  private readonly starts: number[] = [];

  constructor(private readonly chunks: readonly Buffer[]) {
    let at = 0;
    for (const c of chunks) {
      this.starts.push(at);
      at += c.length;
    }
  }

  /** The last newline's place, or -1. */
  lastNewline(): number {
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const k = this.chunks[i]!.lastIndexOf(10);
      if (k >= 0) return this.starts[i]! + k;
    }
    return -1;
  }

  /** The first newline at or after `from` (one is known to come). */
  newlineFrom(from: number): number {
    for (let i = this.chunkAt(from); i < this.chunks.length; i++) {
      const start = this.starts[i]!;
      const k = this.chunks[i]!.indexOf(10, Math.max(0, from - start));
      if (k >= 0) return start + k;
    }
    return -1;
  }

  /** The bytes from `from` to `to`, as views of the chunks. */
  pieces(from: number, to: number): Buffer[] {
    const out: Buffer[] = [];
    if (from >= to) return out;
    for (let i = this.chunkAt(from); i < this.chunks.length && this.starts[i]! < to; i++) {
      const start = this.starts[i]!;
      const c = this.chunks[i]!;
      const a = Math.max(0, from - start);
      const b = Math.min(c.length, to - start);
      out.push(a === 0 && b === c.length ? c : c.subarray(a, b));
    }
    return out;
  }

  /** The chunk that holds byte `at`. */
  private chunkAt(at: number): number {
    let i = this.chunks.length - 1;
    while (i > 0 && this.starts[i]! > at) i--;
    return i;
  }
}

/** A segment's pieces as one buffer (to be read on this thread). */
function joined(pieces: readonly Uint8Array[]): Uint8Array {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}
