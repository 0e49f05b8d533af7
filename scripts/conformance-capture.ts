// Checks one flag-matrix capture: runs it through the parser (counting unrecognised, foreign
// and crashes) and compares the syscall fields with the independent oracle.
import { readFileSync } from "node:fs";
import type { TraceEvent } from "../src/syntax/events.js";
import { compareFields, expectFromLines, removeSplices } from "./conformance-oracle.js";
import type { ExpectedCall, ExpectedJoin, OracleMode } from "./conformance-oracle.js";
import { runSource } from "./conformance-run.js";
import type { CreateEventParser, SourceTally } from "./conformance-run.js";
import type { Capture, CaptureFile } from "./flag-matrix.js";

/** Every byte chatty writes contains this marker (test/fixtures/chatty/chatty.c). */
export const PROGRAM_MARK = "~chatty~";

export interface CaptureCheck {
  readonly capture: Capture;
  readonly file: CaptureFile;
  readonly tally: SourceTally;
  /** Field disagreements, `path:line: expected X got Y` (path is the display path). */
  readonly fieldProblems: readonly string[];
  readonly completeChecked: number;
  readonly joinedChecked: number;
}

export function oracleMode(capture: Capture, file: CaptureFile): OracleMode {
  if (capture.mode === "ff") return { pidPrefix: "none", filePid: file.pid };
  if (capture.mode === "stderr") return { pidPrefix: "bracket", filePid: null };
  return { pidPrefix: capture.followsForks ? "bare" : "none", filePid: null };
}

/** `matrix/<label>/<file name>`: stable across runs, unlike the temporary path. */
export function displayPath(capture: Capture, file: CaptureFile): string {
  const name = file.path.split(/[\\/]/).pop() ?? file.path;
  return `matrix/${capture.label}/${name}`;
}

/** Appends the physical line each `path:line: ...` problem is about (the capture itself is
 * a temporary file, gone after the run). */
export function withLineText(problems: readonly string[], path: string): string[] {
  if (problems.length === 0) return [];
  const lines = readFileSync(path, "utf8").split("\n");
  return problems.map((p) => {
    const m = /^[^\n]*?:(\d+): /.exec(p);
    const text = m ? lines[Number(m[1]) - 1] : undefined;
    return text === undefined ? p : `${p}\n      | ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
  });
}

/** What the oracle reads in one capture file. */
export function expectationsFor(
  capture: Capture,
  file: CaptureFile,
): { complete: ExpectedCall[]; joined: ExpectedJoin[] } {
  const text = readFileSync(file.path, "utf8");
  const mode = oracleMode(capture, file);
  const hexDumps = capture.args.some((a) => /^(read|write)=/.test(a));
  if (capture.mode === "stderr" && !hexDumps) {
    // Cut the program's and strace's messages out wherever they landed, then read the
    // rebuilt lines; report against the physical line where each call starts.
    const cleaned = removeSplices(text);
    const at = (line: number): number => cleaned.origin[line - 1]!;
    const found = expectFromLines(cleaned.lines, mode);
    return {
      complete: found.complete.map((e) => ({ ...e, line: at(e.line) })),
      joined: found.joined.map((j) => ({
        ...j,
        line: at(j.line),
        endLine: j.endLine !== undefined && cleaned.span[j.endLine - 1] === 1 ? at(j.endLine) : undefined,
      })),
    };
  }
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const expected = expectFromLines(lines, mode);
  if (capture.mode === "stderr") {
    // With hex dumps (whose text column shows the program's bytes too) only whole lines free
    // of program output and strace messages are checked; a joined call may have been cut.
    const clean = (line: number): boolean => {
      const text = lines[line - 1] ?? "";
      return !text.includes(PROGRAM_MARK) && !text.includes("strace: ");
    };
    expected.complete = expected.complete.filter((e) => clean(e.line));
    expected.joined = [];
  }
  return expected;
}

export async function checkCapture(
  createEventParser: CreateEventParser,
  capture: Capture,
  file: CaptureFile,
  maxSamples = 5,
): Promise<CaptureCheck> {
  const events: TraceEvent[] = [];
  const tally = await runSource(createEventParser, file.path, {
    pid: file.pid,
    maxSamples,
    onEvents: (evs) => {
      for (const ev of evs) events.push(ev);
    },
  });
  const expected = expectationsFor(capture, file);
  const fieldProblems = withLineText(compareFields(displayPath(capture, file), events, expected), file.path);
  return {
    capture,
    file,
    tally,
    fieldProblems,
    completeChecked: expected.complete.length,
    joinedChecked: expected.joined.length,
  };
}
