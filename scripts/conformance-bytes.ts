// The parse workers' byte scans against the string path, line by line: every line the light
// scan takes must give exactly lightCall's reading (and every line it refuses for its name be
// one lightCall refuses too); every line the plain scan takes must give the string path's event
// (keys and their order included) and stats; and a worker's search of a whole segment for what
// the plain scan refuses, and for what the flag evidence reads, must answer as the per-line
// check. With the arguments analyze's model never reads left out (ArgProjection), a line the
// plain scan takes must give the string path's event but for those arguments, each either read
// or left out as the projection says. The plain scan's one pass over the commonest lines
// (flatCall) must record exactly what its general scan records. Run over the corpora and the
// flag matrix by `npm run conformance` (a disagreement fails it); the unit tests use the same
// comparisons.
import { isDeepStrictEqual } from "node:util";
import { ARGS_NEEDED, ARGS_PROJECTED } from "../src/model/args-needed.js";
import { OpRecorder, opSteps } from "../src/syntax/assembler-codec.js";
import { EventAssembler } from "../src/syntax/event-assembler.js";
import { LineReader, ParserStats } from "../src/syntax/event-parser.js";
import { OMITTED, type TraceEvent, type Value } from "../src/syntax/events.js";
import { lightCall, type LightCall } from "../src/syntax/light-call.js";
import { NameTable, newLightScan, scanLightBytes, scannedLightCall, scanTime, WordTable } from "../src/syntax/light-bytes.js";
import { newPlainRecord, plainText, PlainTextMarks, recordString, scanPlainBytes, setFlatCalls, type ArgProjection } from "../src/syntax/plain-bytes.js";
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
 *  record the main thread replays; null when the scan leaves it to the string path. `projected`:
 *  with analyze's ArgProjection of the call. */
export function plainByBytes(line: string, via: "direct" | "record", projected = false): LineReading | null {
  const { bytes, start, end } = segmentOf(line);
  if (scanLightBytes(bytes, start, end, table.isLight, scan) || !scan.argsNeeded) return null;
  if (!scanPlainBytes(bytes, start, end, rec, scan, undefined, projected ? (ARGS_PROJECTED.get(table.last) ?? null) : null)) return null;
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

/** null when the plain scan leaves the line or agrees with the string path, with and without
 *  the projection, and its one-pass reading (flatCall) records what the general scan does; else
 *  what differs. */
export function plainBytesDisagreement(line: string): string | null {
  return readDisagreement(line) ?? projectedDisagreement(line) ?? flatDisagreement(line);
}

/** The plain scan's record of the line (or null: left to the string path) with flatCall tried
 *  first or not, with and without the projection: the same ints, nums, strings and facts. */
function flatDisagreement(line: string): string | null {
  for (const projected of [false, true]) {
    const got = plainRecordOf(line, projected, true);
    const want = plainRecordOf(line, projected, false);
    if (got !== want) return `${projected ? "projected: " : ""}flatCall recorded ${got}, scanCall ${want}`;
  }
  return null;
}

function plainRecordOf(line: string, projected: boolean, flat: boolean): string | null {
  const { bytes, start, end } = segmentOf(line);
  if (scanLightBytes(bytes, start, end, table.isLight, scan) || !scan.argsNeeded) return null;
  setFlatCalls(flat);
  try {
    if (!scanPlainBytes(bytes, start, end, rec, scan, undefined, projected ? (ARGS_PROJECTED.get(table.last) ?? null) : null)) return null;
  } finally {
    setFlatCalls(true);
  }
  const { ints, ni, nums, nn, refs, nr, strings, bytes: _bytes, name: _name, nameId: _id, names: _names, ...facts } = rec;
  const texts = Array.from({ length: strings.count }, (_, k) => recordString(rec, k));
  return JSON.stringify([[...ints.subarray(0, ni)], [...nums.subarray(0, nn)], [...refs.subarray(0, nr)], texts, facts]);
}

function readDisagreement(line: string): string | null {
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

/** The projected reading against the string path's: equal but for the arguments the projection
 *  names, each read in full or left out as `projectedValue` says. The projection takes every line
 *  the scan takes without it. */
function projectedDisagreement(line: string): string | null {
  const got = plainByBytes(line, "record", true);
  if (got === null) return plainByBytes(line, "direct") === null ? null : "projected: left to the string path, but taken without the projection";
  const want = plainByString(line);
  if (!isDeepStrictEqual(got.stats, want.stats)) return `projected: stats ${JSON.stringify(got.stats)}, the string path ${JSON.stringify(want.stats)}`;
  const differs = `projected: events ${got.json}, the string path ${want.json}`;
  if (got.events.length !== want.events.length) return differs;
  for (let i = 0; i < got.events.length; i++) {
    const g = got.events[i]!;
    const w = want.events[i]!;
    if (g.type !== "syscall" || w.type !== "syscall") {
      if (!isDeepStrictEqual(g, w)) return differs;
      continue;
    }
    if (!isDeepStrictEqual({ ...g, args: [] }, { ...w, args: [] }) || g.args.length !== w.args.length) return differs;
    const p = ARGS_PROJECTED.get(w.name);
    for (let k = 0; k < w.args.length; k++) {
      const full = w.args[k]!;
      if (!isDeepStrictEqual(g.args[k], full) && (p === undefined || !isDeepStrictEqual(g.args[k], projectedValue(p, k, full)))) return differs;
    }
  }
  return null;
}

/** What ArgProjection `p` makes of argument k read in full (the scan reads it in full too when
 *  its shape is unexpected). */
export function projectedValue(p: ArgProjection, k: number, v: Value): Value {
  if (((p.omit >> k) & 1) !== 0) {
    if (v.kind === "str" && v.value !== "") return OMITTED;
    if (v.kind === "array" && v.items.length > 0 && v.items.every((item) => item.kind === "str")) return OMITTED;
    return v;
  }
  const keep = p.fields[k];
  if (keep == null) return v;
  const only = (s: Value): Value => (s.kind === "struct" ? { kind: "struct", fields: s.fields.filter((f) => f.name === keep), elided: false } : s);
  if (v.kind === "struct") return only(v);
  if (v.kind === "changed" && v.before.kind === "struct" && v.after.kind === "struct") return { kind: "changed", before: only(v.before), after: only(v.after) };
  return v;
}

export interface ByteScanTally {
  lines: number;
  lightTaken: number;
  plainTaken: number;
  /** Lines of which the projection left something out. */
  projected: number;
  disagreeing: number;
  readonly disagreements: string[];
}

export async function checkByteScans(path: string, maxSamples = 5): Promise<ByteScanTally> {
  const tally: ByteScanTally = { lines: 0, lightTaken: 0, plainTaken: 0, projected: 0, disagreeing: 0, disagreements: [] };
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
      else {
        const read = plainByBytes(text, "direct");
        if (read !== null) tally.plainTaken++;
        const projected = plainByBytes(text, "direct", true);
        if (projected !== null && projected.json !== read?.json) tally.projected++;
      }
      const problem = lightBytesDisagreement(text) ?? plainBytesDisagreement(text);
      if (problem === null) continue;
      tally.disagreeing++;
      if (tally.disagreements.length < maxSamples) tally.disagreements.push(`line ${firstLine + i}: ${text.slice(0, 200)}: ${problem.slice(0, 400)}`);
    }
  });
  return tally;
}
