// The parse workers' byte scans against the string path, line by line: every line the light
// scan takes must give exactly lightCall's reading (and every line it refuses for its name be
// one lightCall refuses too); every line the plain scan takes must give the string path's event
// (keys and their order included) and stats; and a worker's search of a whole segment for what
// the plain scan refuses, and for what the flag evidence reads, must answer as the per-line
// check. Run over the corpora and the flag matrix by `npm run conformance` (a disagreement fails
// it); the unit tests use the same comparisons.
import { isDeepStrictEqual } from "node:util";
import { ARGS_NEEDED } from "../src/model/args-needed.js";
import { OpRecorder, opSteps } from "../src/syntax/assembler-codec.js";
import { EventAssembler } from "../src/syntax/event-assembler.js";
import { LineReader, ParserStats } from "../src/syntax/event-parser.js";
import type { TraceEvent } from "../src/syntax/events.js";
import { lightCall, type LightCall } from "../src/syntax/light-call.js";
import { NameTable, newLightScan, scanLightBytes, scannedLightCall, scanTime, WordTable } from "../src/syntax/light-bytes.js";
import { newPlainRecord, plainText, PlainTextMarks, scanPlainBytes } from "../src/syntax/plain-bytes.js";
import { forEachLineBatch } from "./conformance-run.js";

const needsArgs = (name: string) => ARGS_NEEDED.has(name);
const table = new NameTable(needsArgs);
const words = new WordTable();
const scan = newLightScan();
const rec = newPlainRecord();

/** The line's bytes inside a larger buffer, as in a segment: a scan must keep to its range. */
function segmentOf(line: string): { bytes: Buffer; start: number; end: number } {
  const bytes = Buffer.from(`x(1) = 0\n${line}\nread(3, "", 1) = 0`);
  return { bytes, start: 9, end: 9 + Buffer.byteLength(line) };
}

/** The light scan's reading as the LightCall lightCall makes; null when it leaves the line. An
 *  exit line's text is `exited with ${N}` (the scan takes only codes written so): the worker
 *  hands the exit reader N, the string path the text it reads N from. */
export function lightByBytes(line: string): LightCall | null {
  const { bytes, start, end } = segmentOf(line);
  if (!scanLightBytes(bytes, start, end, table.isLight, scan)) return null;
  if (scan.form === "exit") return { form: "exit", pid: scan.pid, time: scanTime(scan.time), name: "", ret: 0, errno: null, exit: `exited with ${scan.ret}` };
  // The worker's own reading; lightCall leaves durationUs out when the line has none.
  const c: { -readonly [K in keyof LightCall]: LightCall[K] } = scannedLightCall(scan, table.last, words, bytes);
  if (c.durationUs === undefined) delete c.durationUs;
  return c;
}

/** lightCall's reading of the decoded line, as the string path takes it (a colour code makes
 *  the line the string path's). */
export function lightByString(line: string): LightCall | null {
  return line.includes("\x1b[") ? null : lightCall(line, needsArgs);
}

/** null when the light scan leaves the line or agrees with lightCall, else what differs. */
export function lightBytesDisagreement(line: string): string | null {
  const got = lightByBytes(line);
  if (got === null) {
    if (scan.argsNeeded && lightCall(line, needsArgs) !== null) return "refused for its name, but lightCall takes it";
    return null;
  }
  const want = lightByString(line);
  return isDeepStrictEqual(got, want) ? null : `the byte scan read ${JSON.stringify(got)}, lightCall ${JSON.stringify(want)}`;
}

/** A reader on this thread, with its stats and the events it hands out. */
function reader() {
  const stats = new ParserStats("t");
  const asm = new EventAssembler("t", stats);
  const r = new LineReader("t", null, needsArgs, true, stats, asm);
  asm.local = r;
  const out: TraceEvent[] = [];
  asm.out = out;
  return { stats, asm, r, out };
}

export interface LineReading {
  /** The events as NDJSON (key order counts), the events, and the stats. */
  readonly json: string;
  readonly events: readonly TraceEvent[];
  readonly stats: unknown;
}

function finish(stats: ParserStats, asm: EventAssembler, out: TraceEvent[]): LineReading {
  asm.end();
  return { json: JSON.stringify(out), events: out, stats: { ...stats.data(), syscalls: [...stats.syscalls], pids: [...stats.pids], flags: [...stats.flags] } };
}

/** The line as a worker reads it through the plain byte scan, directly or through the op
 *  record the main thread replays; null when the scan leaves it to the string path. */
export function plainByBytes(line: string, via: "direct" | "record"): LineReading | null {
  const { bytes, start, end } = segmentOf(line);
  if (scanLightBytes(bytes, start, end, table.isLight, scan) || !scan.argsNeeded) return null;
  if (!scanPlainBytes(bytes, start, end, rec, scan)) return null;
  rec.name = table.last;
  const { stats, asm, r, out } = reader();
  if (via === "direct") r.plainRead(rec, 7);
  else {
    const recorder = new OpRecorder();
    new LineReader("t", null, needsArgs, true, stats, recorder).plainRead(rec, 7);
    opSteps(recorder.take(), 0, "t")(asm, Infinity);
  }
  return finish(stats, asm, out);
}

/** The string path's reading of the line. */
export function plainByString(line: string): LineReading {
  const { stats, asm, r, out } = reader();
  r.line(line, 7);
  return finish(stats, asm, out);
}

/** null when the plain scan leaves the line or agrees with the string path, else what differs. */
export function plainBytesDisagreement(line: string): string | null {
  let want: LineReading | null = null;
  for (const via of ["direct", "record"] as const) {
    const got = plainByBytes(line, via);
    if (got === null) return null;
    want ??= plainByString(line);
    if (got.json !== want.json || !isDeepStrictEqual(got.events, want.events)) return `${via}: events ${got.json}, the string path ${want.json}`;
    if (!isDeepStrictEqual(got.stats, want.stats)) return `${via}: stats ${JSON.stringify(got.stats)}, the string path ${JSON.stringify(want.stats)}`;
  }
  return null;
}

export interface ByteScanTally {
  lines: number;
  lightTaken: number;
  plainTaken: number;
  disagreeing: number;
  readonly disagreements: string[];
}

export async function checkByteScans(path: string, maxSamples = 5): Promise<ByteScanTally> {
  const tally: ByteScanTally = { lines: 0, lightTaken: 0, plainTaken: 0, disagreeing: 0, disagreements: [] };
  await forEachLineBatch(path, (lines, firstLine) => {
    // The batch as one segment: the workers' search of it must answer as the per-line check.
    const segment = Buffer.from(lines.join("\n") + "\n");
    const marks = new PlainTextMarks(segment);
    for (let i = 0, s = 0; i < lines.length; i++) {
      const nl = segment.indexOf(10, s);
      const e = nl > s && segment[nl - 1] === 13 ? nl - 1 : nl;
      const got = marks.clean(s, e);
      if (got !== plainText(segment, s, e)) {
        tally.disagreeing++;
        if (tally.disagreements.length < maxSamples) tally.disagreements.push(`line ${firstLine + i}: ${lines[i].slice(0, 200)}: the segment's marks say ${got ? "" : "not "}plain, the line's own check the opposite`);
      }
      const noted = got && marks.noted(s, e);
      const line = segment.subarray(s, e);
      if (got && noted !== (line.includes("\\x") || line.includes("/*"))) {
        tally.disagreeing++;
        if (tally.disagreements.length < maxSamples) tally.disagreements.push(`line ${firstLine + i}: ${lines[i].slice(0, 200)}: the segment's marks say the line holds ${noted ? "a" : "no"} \\x or /*, the line's own search the opposite`);
      }
      s = nl + 1;
    }
    for (let i = 0; i < lines.length; i++) {
      tally.lines++;
      const text = lines[i];
      if (lightByBytes(text) !== null) tally.lightTaken++;
      else if (plainByBytes(text, "direct") !== null) tally.plainTaken++;
      const problem = lightBytesDisagreement(text) ?? plainBytesDisagreement(text);
      if (problem === null) continue;
      tally.disagreeing++;
      if (tally.disagreements.length < maxSamples) tally.disagreements.push(`line ${firstLine + i}: ${text.slice(0, 200)}: ${problem.slice(0, 400)}`);
    }
  });
  return tally;
}
