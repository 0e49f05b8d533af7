// A file read on several cores: its bytes are cut into segments of whole lines and read by the
// parse workers, a few segments ahead, while this thread replays their records into the event
// parser's assembler in file order (the joining of calls and everything after it stays
// sequential). A segment the worker began in the wrong state (the one before it ended inside a
// cut call or a summary) is read again here, from the right one; so is one a worker failed on,
// and a line too long for a segment (the segments after it go to the workers again).
import { LineSplitter, readLineBatches, splitBytes, type LineBatch, type LineSplitEvents } from "../io/line-batches.js";
import type { ReplayingParser } from "../syntax/event-parser.js";
import type { TraceEvent } from "../syntax/events.js";
import type { ParsePool, SegmentOutcome } from "./parse-pool.js";

export interface SegmentOptions {
  /** Bytes per segment, about (a segment ends at the last newline past this many). */
  readonly segmentBytes: number;
  /** Segments being read at once. */
  readonly inFlight: number;
  readonly file: string;
  readonly pid: number | null;
  readonly argsNeeded: readonly string[] | null;
  readonly plainScan: boolean;
}

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
  readonly bytes: Uint8Array;
  readonly final: boolean;
  readonly outcome: Promise<SegmentOutcome>;
}

/** The events of one file, batch by batch (one per segment). `parser` is the file's parser;
 *  `events` get line numbers of the whole file. */
export async function* segmentedEvents(
  chunks: AsyncIterable<Buffer>,
  parser: ReplayingParser,
  pool: ParsePool,
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

  const submit = (bytes: Uint8Array, final: boolean) => {
    const outcome = pool.submit({ bytes, final, file: opts.file, pid: opts.pid, argsNeeded: opts.argsNeeded, plainScan: opts.plainScan });
    queue.push({ bytes, final, outcome });
  };

  /** Replay (or read here) the oldest segment in flight. */
  const apply = async (): Promise<TraceEvent[]> => {
    const p = queue.shift()!;
    const o = await p.outcome;
    const out: TraceEvent[] = [];
    if ("failed" in o) {
      progress.failures++;
      progress.firstFailure ??= o.failed;
    }
    if ("failed" in o || o.dirty || !parser.clean()) {
      readHere(p.bytes, p.final, out);
      return out;
    }
    parser.replay(o.record, o.stats, base, out);
    for (const [line, chars] of o.longLines) events.onLongLine?.(base + line, chars);
    if (o.unterminated !== null) events.onUnterminated?.(base + o.unterminated.line, o.unterminated.text);
    progress.firstText ??= o.firstText;
    base += o.lines;
    progress.lines = base;
    return out;
  };

  const pushHere = (b: LineBatch | null, out: TraceEvent[]) => {
    if (b === null) return;
    progress.firstText ??= b.lines.find((l) => l.trim() !== "") ?? null;
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
  }

  async function* segments(): AsyncGenerator<TraceEvent[]> {
    for (;;) {
      const r = await input.next();
      if (r.done === true) break;
      const chunk = r.value;
      parts.push(chunk);
      partBytes += chunk.length;
      if (partBytes > MAX_SEGMENT_LINE && chunk.indexOf(10) < 0) {
        // No line ends in the last MAX_SEGMENT_LINE bytes: read that line here, as the
        // single-threaded reader does, then go on cutting segments after it.
        while (queue.length > 0) yield await apply();
        const out: TraceEvent[] = [];
        const after = await readLongLine(out);
        yield out;
        if (after === null || stop()) return;
        parts = [after]; // may hold whole lines: cut below
        partBytes = after.length;
      }
      if (partBytes < opts.segmentBytes) continue;
      const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partBytes);
      const nl = buf.lastIndexOf(10);
      // Whole lines, cut into segments of about segmentBytes each; the rest waits for more.
      let from = 0;
      while (from <= nl) {
        const cut = from + opts.segmentBytes - 1 >= nl ? nl : buf.indexOf(10, from + opts.segmentBytes - 1);
        submit(buf.subarray(from, cut + 1), false);
        from = cut + 1;
        while (queue.length >= opts.inFlight) {
          yield await apply();
          if (stop()) return;
        }
      }
      parts = from < buf.length ? [buf.subarray(from)] : [];
      partBytes = buf.length - from;
      if (stop()) return;
    }
    if (partBytes > 0) submit(parts.length === 1 ? parts[0]! : Buffer.concat(parts, partBytes), true);
    while (queue.length > 0) yield await apply();
  }

  /** Read here, as the single-threaded reader does, the lines held back in `parts` and the rest
   *  of the line they end in: the bytes after its newline, or null when the input ended first. */
  async function readLongLine(out: TraceEvent[]): Promise<Buffer | null> {
    let after: Buffer | null = null;
    async function* throughNewline(held: readonly Buffer[]): AsyncGenerator<Buffer> {
      yield* held;
      for (;;) {
        const r = await input.next();
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
