// A parse worker: reads whole-line segments of a trace file into op records (assembler-codec.ts)
// for the main thread to replay. Each segment is read from the line reader's clean state; the
// main thread checks that the one before it ended clean too, and reads it itself otherwise.
import { parentPort } from "node:worker_threads";
import { LineSplitter, splitBytes } from "../io/line-batches.js";
import { OpRecorder, type OpRecord } from "../syntax/assembler-codec.js";
import { LineReader, ParserStats, type ParserStatsData } from "../syntax/event-parser.js";

export interface SegmentRequest {
  readonly id: number;
  /** Whole lines (ending in "\n"), except in the last segment of a file. */
  readonly bytes: Uint8Array;
  /** The file's last segment: what follows its last newline is an unterminated line. */
  readonly final: boolean;
  readonly file: string;
  readonly pid: number | null;
  /** The fast path: names whose arguments are needed (EventParserOptions.needsArgs), or null. */
  readonly argsNeeded: readonly string[] | null;
  readonly plainScan: boolean;
}

export interface SegmentReply {
  readonly id: number;
  /** Physical lines in the segment. */
  readonly lines: number;
  /** The reader ended the segment inside a cut call or a summary: the next segment must be
   *  read after this one, by one reader. */
  readonly dirty: boolean;
  readonly record: OpRecord;
  readonly stats: ParserStatsData;
  /** Segment-relative line numbers. */
  readonly longLines: readonly (readonly [number, number])[];
  readonly unterminated: { readonly line: number; readonly text: string } | null;
  readonly firstText: string | null;
}

export type WorkerMessage = SegmentReply | { readonly id: number; readonly error: string };

/** Read one segment. */
export function readSegment(req: SegmentRequest): SegmentReply {
  const longLines: [number, number][] = [];
  let unterminated: { line: number; text: string } | null = null;
  const splitter = new LineSplitter({
    onLongLine: (line, chars) => longLines.push([line, chars]),
    onUnterminated: (line, text) => (unterminated = { line, text }),
  });
  const batches = splitBytes(req.bytes, splitter);
  if (req.final) batches.push(splitter.end());
  const stats = new ParserStats(req.file);
  const recorder = new OpRecorder();
  const names = req.argsNeeded === null ? null : new Set(req.argsNeeded);
  const reader = new LineReader(req.file, req.pid, names === null ? null : (n) => names.has(n), req.plainScan, stats, recorder);
  let firstText: string | null = null;
  for (const b of batches) {
    if (b === null) continue;
    firstText ??= b.lines.find((l) => l.trim() !== "") ?? null;
    reader.push(b.lines, b.firstLine);
  }
  return {
    id: req.id,
    lines: splitter.nextLine - 1,
    dirty: !reader.clean(),
    record: recorder.take(),
    stats: stats.data(),
    longLines,
    unterminated,
    firstText,
  };
}

const port = parentPort;
if (port !== null) {
  port.on("message", (req: SegmentRequest) => {
    let reply: WorkerMessage;
    try {
      reply = readSegment(req);
    } catch (err) {
      reply = { id: req.id, error: (err as Error)?.message ?? String(err) };
    }
    const transfer = "record" in reply ? [reply.record.ints.buffer, reply.record.nums.buffer] : [];
    port.postMessage(reply, transfer as ArrayBuffer[]);
  });
}
