// The in-process pipeline the property tests drive: bytes (in pieces of a chosen size) through
// the line reader, the event parser and the analyzer, with every throw surfaced (the CLI would
// catch some of them and print a note; here any throw is a failure).
import { readLineBatches } from "../../src/io/line-batches.js";
import { createEventParser, type EventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { learnWords, type OpRecord } from "../../src/syntax/assembler-codec.js";
import { createAnalyzer } from "../../src/analysis.js";
import { ARGS_NEEDED } from "../../src/model/args-needed.js";
import type { ParsePool, SegmentOutcome, SegmentSubmission } from "../../src/pipeline/parse-pool.js";
import { readSegment, recycleRecord } from "../../src/pipeline/parse-worker.js";
import { segmentedEvents } from "../../src/pipeline/segmented-read.js";
import type { Analyzer, Finding, TraceNote } from "../../src/analysis.js";

export interface PipelineResult {
  readonly events: TraceEvent[];
  readonly findings: Finding[];
  readonly notes: readonly TraceNote[];
  readonly lines: number;
}

/** Pieces of `bytes` of `size` bytes each (Infinity: one piece). */
export async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  if (!Number.isFinite(size) || size >= bytes.length) {
    if (bytes.length > 0) yield bytes;
    return;
  }
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Run the whole pipeline on `bytes` fed in pieces of `size` bytes (`plainScan`: calls in plain
 *  form read by the hand scan, as `analyze` and `parse` do, instead of the grammar alone). */
export async function runPipeline(bytes: Buffer, size: number, file = "fuzz.strace", plainScan = false, fast = false): Promise<PipelineResult> {
  const parser = createEventParser({ file, pid: null, plainScan, needsArgs: fast ? (n) => ARGS_NEEDED.has(n) : undefined });
  const analyzer = createAnalyzer({ trace: file });
  const events: TraceEvent[] = [];
  const findings: Finding[] = [];
  let lines = 0;
  for await (const batch of readLineBatches(pieces(bytes, size))) {
    lines += batch.lines.length;
    const out: TraceEvent[] = [];
    parser.push(batch.lines, batch.firstLine, out);
    events.push(...out);
    findings.push(...analyzer.push(out));
  }
  return finish(parser, analyzer, events, findings, lines);
}

/** Notes the analyzer writes when it caught an exception of its own (a bug, not bad input). */
export function internalErrorNotes(notes: readonly TraceNote[]): TraceNote[] {
  return notes.filter((n) => /internal error/i.test(n.message));
}

/** The fast path of `analyze` as a parse worker reads a file: segments of about
 *  `segmentBytes` read by the worker's own code (readSegment: the byte scans, the op record),
 *  replayed on this thread by the real segmented reader (dirty segments read again here). The
 *  single-thread fast path, runPipeline(bytes, Infinity, file, true, true), must give the same.
 *  `onSegment` sees the bytes of each segment sent to the worker; the input comes in chunks of
 *  `chunkBytes`. */
export async function runSegmented(
  bytes: Buffer,
  segmentBytes: number,
  file = "fuzz.strace",
  onSegment: (bytes: Uint8Array) => void = () => {},
  chunkBytes = 64 * 1024,
): Promise<PipelineResult> {
  const parser = createEventParser({ file, pid: null, plainScan: true, needsArgs: (n) => ARGS_NEEDED.has(n) });
  const analyzer = createAnalyzer({ trace: file });
  const argsNeeded = [...ARGS_NEEDED];
  let id = 0;
  const pool = {
    submit: async (req: SegmentSubmission): Promise<SegmentOutcome> => {
      // A copy of the pieces, joined, as the real pool hands its worker.
      const bytes = new Uint8Array(Buffer.concat(req.bytes));
      onSegment(bytes);
      const reply = readSegment({ ...req, bytes, id: ++id });
      // As the real pool does with each record as it arrives, replayed or not (a segment begun
      // mid-call is read again on this thread): its words are the next records' too.
      learnWords(reply.record);
      return reply;
    },
    // The buffers of a replayed record go back to the recorder, as they do to a worker's.
    recycle: (record: OpRecord) => recycleRecord(record),
  } as unknown as ParsePool;
  const progress = { lines: 0, firstText: null, failures: 0, firstFailure: null };
  const events: TraceEvent[] = [];
  const findings: Finding[] = [];
  const opts = { segmentBytes, inFlight: 3, file, pid: null, argsNeeded, plainScan: true };
  for await (const out of segmentedEvents(pieces(bytes, chunkBytes), parser, pool, opts, {}, progress, () => false)) {
    events.push(...out);
    findings.push(...analyzer.push(out));
  }
  return finish(parser, analyzer, events, findings, progress.lines);
}

/** The end of the input: the calls still in flight, then the analyzer's last word. */
function finish(parser: EventParser, analyzer: Analyzer, events: TraceEvent[], findings: Finding[], lines: number): PipelineResult {
  const out: TraceEvent[] = [];
  parser.end(out);
  events.push(...out);
  findings.push(...analyzer.push(out));
  findings.push(...analyzer.end());
  return { events, findings, notes: analyzer.notes, lines };
}
