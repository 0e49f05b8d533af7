// A parse worker: reads whole-line segments of a trace file into op records (assembler-codec.ts)
// for the main thread to replay. Each segment is read from the line reader's clean state; the
// main thread checks that the one before it ended clean too, and reads it itself otherwise.
import { parentPort } from "node:worker_threads";
import { firstLineOf, LineSplitter, MAX_LINE_CHARS, splitBytes, type LineSplitEvents } from "../io/line-batches.js";
import { OpRecorder, type OpRecord } from "../syntax/assembler-codec.js";
import { LineReader, ParserStats, type ParserStatsData } from "../syntax/event-parser.js";
import { NameTable, newLightScan, scanLightBytes, scannedLightCall, scanTime, WordTable } from "../syntax/light-bytes.js";
import { newPlainRecord, PlainTextMarks, scanPlainBytes, type ArgProjection } from "../syntax/plain-bytes.js";

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
  /** With argsNeeded: the arguments of those calls to walk past (ArgProjection), by name. */
  readonly argsProjected?: readonly (readonly [string, ArgProjection])[] | null;
  readonly plainScan: boolean;
  /** The buffers of a record the main thread has replayed, for the worker's next records. */
  readonly recycled?: Pick<OpRecord, "ints" | "nums" | "recyclable"> | null;
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
  /** The request's bytes, handed back for the main thread's next segment. */
  readonly spent?: Uint8Array;
}

export type WorkerMessage = SegmentReply | { readonly id: number; readonly error: string } | { readonly ready: true };

/** Read one segment. Lines whose bytes the light scan takes (light-bytes.ts) never become
 *  strings; every other line is decoded alone and read by the line reader, as on one thread. */
export function readSegment(req: SegmentRequest): SegmentReply {
  try {
    return readSegmentWith(req);
  } catch (err) {
    // Words the record under way gave ids to never reach the replaying thread.
    recorder.abandon();
    throw err;
  }
}

function readSegmentWith(req: SegmentRequest): SegmentReply {
  const longLines: [number, number][] = [];
  let unterminated: { line: number; text: string } | null = null;
  const events: LineSplitEvents = {
    onLongLine: (line, chars) => longLines.push([line, chars]),
    onUnterminated: (line, text) => (unterminated = { line, text }),
  };
  const stats = new ParserStats(req.file, req.argsNeeded === null);
  recorder.reset();
  const names = req.argsNeeded === null ? null : nameTable(req.argsNeeded);
  const projected = req.argsProjected == null || names === null ? null : new Map(req.argsProjected);
  /** `projected` by name table id (undefined: not looked up yet). */
  const projectedById: (ArgProjection | null | undefined)[] = [];
  const projectionOf = (table: NameTable): ArgProjection | null => {
    if (projected === null) return null;
    const id = table.lastId;
    if (id < 0) return projected.get(table.last) ?? null;
    let p = projectedById[id];
    if (p === undefined) p = projectedById[id] = projected.get(table.last) ?? null;
    return p;
  };
  const reader = new LineReader(req.file, req.pid, names === null ? null : names.needsArgs, req.plainScan, stats, recorder);
  const bytes = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
  let firstText: string | null = null;
  const splitHere = (from: number, to: number, first: number, final: boolean): number => {
    const splitter = new LineSplitter(events, first);
    const batches = splitBytes(bytes.subarray(from, to), splitter);
    if (final) batches.push(splitter.end());
    for (const b of batches) {
      if (b === null) continue;
      firstText ??= firstLineOf(b.lines);
      reader.push(b.lines, b.firstLine);
    }
    return splitter.nextLine;
  };
  let lineNo = 1;
  let s = 0;
  /** The next ESC byte at or after s, or the end (colour codes make a line the string path's). */
  let esc = -1;
  const marks = new PlainTextMarks(bytes);
  for (;;) {
    const nl = bytes.indexOf(10, s);
    if (nl < 0) break;
    const e = nl > s && bytes[nl - 1] === 13 ? nl - 1 : nl;
    if (esc < s) {
      esc = bytes.indexOf(0x1b, s);
      if (esc < 0) esc = bytes.length;
    }
    if (e - s >= MAX_LINE_CHARS) {
      // A line that may be cut: the splitter's own rules.
      splitHere(s, nl + 1, lineNo, false);
    } else {
      // A colour code may hide a light call from the scan: such lines go the string way.
      scan.argsNeeded = false;
      if (names !== null && reader.takesLight() && esc >= e && scanLightBytes(bytes, s, e, names.table.isLight, scan)) {
        firstText ??= bytes.toString("utf8", s, e);
        if (scan.form === "exit") reader.exitedRead(scan.pid, scanTime(scan.time), scan.ret, lineNo);
        else reader.lightRead(scannedLightCall(scan, names.table.last, errnos, bytes), lineNo);
      } else if (
        scan.argsNeeded &&
        req.plainScan &&
        reader.clean() &&
        scanPlainBytes(bytes, s, e, plain, scan, marks, projectionOf(names!.table))
      ) {
        // A call whose arguments are needed, in plain form: read from its bytes too.
        firstText ??= bytes.toString("utf8", s, e);
        plain.name = names!.table.last;
        plain.nameId = names!.table.lastId;
        plain.names = names!.table;
        reader.plainRead(plain, lineNo);
      } else {
        const text = bytes.toString("utf8", s, e);
        if (firstText === null && text.trim() !== "") firstText = text;
        reader.line(text, lineNo, scan.argsNeeded);
      }
    }
    lineNo++;
    s = nl + 1;
  }
  // Only the last segment of a file may end without a newline.
  if (s < bytes.length || req.final) lineNo = splitHere(s, bytes.length, lineNo, req.final);
  return {
    id: req.id,
    lines: lineNo - 1,
    dirty: !reader.clean(),
    record: recorder.take(),
    stats: stats.data(),
    longLines,
    unterminated,
    firstText,
  };
}

/** The buffers of a record readSegment gave, replayed and no longer needed: the next record's. */
export function recycleRecord(record: Pick<OpRecord, "ints" | "nums" | "recyclable">): void {
  if (record.recyclable === true) recorder.recycle(record.ints, record.nums);
}

/** One recorder for every segment (take() hands its record over and starts anew): its
 *  buffers are large, and making them for each segment cost a tenth of the worker's time. */
const recorder = new OpRecorder();
const scan = newLightScan();
const plain = newPlainRecord();
const errnos = new WordTable();

let names: { readonly key: string; readonly table: NameTable; readonly needsArgs: (name: string) => boolean } | null = null;

/** The name table for this set of needed names (the same set for every segment of a run). */
function nameTable(argsNeeded: readonly string[]): { table: NameTable; needsArgs: (name: string) => boolean } {
  const key = argsNeeded.join(",");
  if (names === null || names.key !== key) {
    const set = new Set(argsNeeded);
    const needsArgs = (n: string) => set.has(n);
    names = { key, table: new NameTable(needsArgs), needsArgs };
  }
  return names;
}

const port = parentPort;
if (port !== null) {
  port.on("message", (req: SegmentRequest) => {
    if (req.recycled != null) recycleRecord(req.recycled);
    let reply: WorkerMessage;
    try {
      reply = { ...readSegment(req), spent: req.bytes };
    } catch (err) {
      reply = { id: req.id, error: (err as Error)?.message ?? String(err) };
    }
    // Nothing read keeps a view of the segment's bytes (strings are copies): they go back too.
    const transfer = "record" in reply ? [reply.record.ints.buffer, reply.record.nums.buffer, req.bytes.buffer] : [];
    port.postMessage(reply, transfer as ArrayBuffer[]);
  });
  port.postMessage({ ready: true } satisfies WorkerMessage);
}
