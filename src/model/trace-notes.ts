// Trace-quality notes: what this trace cannot show, and the strace flags that would show it.
// Made once per trace, at its end, from the model's facts (STRACE-FORMAT §9, PRODUCT.md).
import type { TraceFacts } from "./stream-model.js";

export interface TraceNote {
  /** Stable code (`SR201`...). */
  readonly code: string;
  /** The trace (file or -ff set) the note is about. */
  readonly trace: string;
  readonly message: string;
  readonly hint: string;
}

/** Streams of unknown kind (no decoration, no creating call) that ended with unsent bytes. */
export interface UnknownKindLosses {
  count: number;
  first: { readonly fd: number; readonly file: string; readonly line: number; readonly unsentBytes: number } | null;
}

export function traceNotes(trace: string, facts: TraceFacts, unrecognized: number, unknown?: UnknownKindLosses): TraceNote[] {
  const notes: TraceNote[] = [];
  const note = (code: string, message: string, hint: string): void => {
    notes.push({ code, trace, message, hint });
  };
  if (facts.writeAttempts > 0 && !facts.sawClose) {
    note(
      "SR201",
      "no close calls in this trace (a -e trace= filter?): fd reuse cannot be followed and close-with-unsent cannot be judged",
      "record with -e trace=%network,%desc,%process, or with no filter",
    );
  }
  // In an -ff set merged without timestamps one thread's use can precede another's creating
  // call: the merge order, not a filter, would explain it.
  if (facts.untracked !== null && !(facts.multiFile && !facts.timestamps)) {
    const u = facts.untracked;
    note(
      "SR208",
      `fd ${u.fd} was used at ${u.file}:${u.line} without the call that created it (a -e trace= filter?): dup, open and socket calls are missing, so a close may look like the last reference when it is not`,
      "record with -e trace=%network,%desc,%process (or no filter), or with -yy so streams are known by inode",
    );
  }
  if (facts.writeAttempts > 0 && !facts.sawClone && facts.severalPids) {
    note(
      "SR202",
      "several pids but no clone/fork calls: which threads share an fd table is inferred, not seen",
      "record with -f from the start of the program (strace -f -o trace.log -- cmd)",
    );
  }
  if (facts.childrenCreated > 0 && !facts.childEventsSeen && facts.prefixed === 0) {
    note(
      "SR203",
      `the program started ${facts.childrenCreated} thread(s) or process(es) but only one was traced: writes, shutdowns and closes in the others are invisible`,
      "record with -f",
    );
  }
  if (facts.elidedRequests > 0) {
    note(
      "SR204",
      `${facts.elidedRequests} write(s) had an elided iovec array ("...]"): their sizes and the unsent counts are lower bounds`,
      "record with -v (no abbreviation)",
    );
  }
  if (facts.syscalls > 0 && !facts.timestamps) {
    note(
      "SR205",
      "no timestamps: the time between the last write and the point of no return cannot be shown (and an -ff set cannot be merged reliably)",
      "record with -tt -T (or -ttt)",
    );
  }
  if (unknown !== undefined && unknown.first !== null) {
    const f = unknown.first;
    note(
      "SR207",
      `${unknown.count} fd(s) whose kind the trace does not show ended with bytes unsent (first: fd ${f.fd} at ${f.file}:${f.line}, ${f.unsentBytes.toLocaleString("en-US")} bytes): a loss if it was a pipe or a socket`,
      "record with -yy so strace names what each fd is",
    );
  }
  if (facts.sawIoUring) {
    note(
      "SR209",
      "the program uses io_uring: writes and closes submitted through it are not syscalls, so strace cannot show them",
      "a trace of such a program can miss losses; check its io_uring use separately (e.g. with bpftrace on io_uring tracepoints)",
    );
  }
  if (facts.firstHttpHeadCut !== null) {
    const f = facts.firstHttpHeadCut;
    note(
      "SR210",
      `${facts.httpHeadsCut} HTTP/1.x head(s) were cut by strace's string limit (first: ${f.file}:${f.line}, ${f.shown} bytes shown): declared Content-Length and chunked framing could not be checked`,
      "record with -s 256 (or larger) so whole response heads are printed",
    );
  }
  if (facts.firstDrop !== null) {
    const f = facts.firstDrop;
    const n = (k: number) => k.toLocaleString("en-US");
    note(
      "SR211",
      `more than ${n(f.cap)} streams were open at once: ${n(facts.streamsDropped)} were dropped from the model to bound its memory (first at ${f.file}:${f.line}; ${n(facts.droppedWithUnsent)} of them with bytes unsent), so findings on those streams may be missed`,
      "analyse a shorter stretch of the trace, or trace fewer processes (strace -p PID); a program that keeps this many streams open may be leaking them",
    );
  }
  if (unrecognized > 0) {
    note("SR206", `${unrecognized} line(s) could not be recognised and were skipped`, "run `strace-race stats` on the trace to see them");
  }
  return notes;
}
