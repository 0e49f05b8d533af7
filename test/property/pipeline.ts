// The in-process pipeline the property tests drive: bytes (in pieces of a chosen size) through
// the line reader, the event parser and the analyzer, with every throw surfaced (the CLI would
// catch some of them and print a note; here any throw is a failure).
import { readLineBatches } from "../../src/io/line-batches.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { createAnalyzer } from "../../src/analysis.js";
import type { Finding, TraceNote } from "../../src/analysis.js";

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
export async function runPipeline(bytes: Buffer, size: number, file = "fuzz.strace", plainScan = false): Promise<PipelineResult> {
  const parser = createEventParser({ file, pid: null, plainScan });
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
  const out: TraceEvent[] = [];
  parser.end(out);
  events.push(...out);
  findings.push(...analyzer.push(out));
  findings.push(...analyzer.end());
  return { events, findings, notes: analyzer.notes, lines };
}

/** Notes the analyzer writes when it caught an exception of its own (a bug, not bad input). */
export function internalErrorNotes(notes: readonly TraceNote[]): TraceNote[] {
  return notes.filter((n) => /internal error/i.test(n.message));
}
