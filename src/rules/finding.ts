// A finding: one lost stream at its first point of no return, with the evidence a person needs
// to believe it. This is the public JSON contract of PRODUCT.md ("Findings").
import type { Attempt, PointRef, Stream } from "../model/stream.js";
import type { HttpFacts, Loss, Risk, Rule, RuleInfo, RuleName, Severity } from "./rule.js";
import { fmt } from "./wording.js";

/** One evidence line: a call from the trace and what it means here. */
export interface EvidenceLine {
  readonly file: string;
  readonly line: number;
  readonly pid: number | null;
  readonly time: number | null;
  /** The call, shortened: `writev(8, …, 2) = 219264`. */
  readonly call: string;
  /** `4,194,385 requested (partial)`, `nothing accepted`, `0.36 ms later, from another thread`. */
  readonly note: string;
  readonly role: "write" | "point-of-no-return" | "later";
  /** `-k` stack frames of the call, innermost first, when the trace has them. */
  readonly stack?: readonly string[];
}

export interface LastWrite {
  readonly file: string;
  readonly line: number;
  readonly pid: number | null;
  readonly syscall: string;
  readonly requested: number;
  /** The return as strace printed it: `219264`, `-1 EAGAIN`. */
  readonly result: string;
  readonly accepted: number;
}

export interface Finding {
  readonly rule: RuleName;
  readonly code: string;
  readonly severity: Severity;
  /** The point of no return. */
  readonly file: string;
  readonly line: number;
  readonly pid: number | null;
  /** Every pid involved: the writers of the recent attempts and the one that ended the stream. */
  readonly pids: readonly number[];
  readonly fd: number;
  /** The stream's `-y`/`-yy` name, null when the trace has no decorations. */
  readonly stream: string | null;
  readonly streamKind: "socket" | "pipe";
  readonly unsentBytes: number;
  /** False when an elided iovec made a request size a lower bound. */
  readonly unsentExact: boolean;
  readonly acceptedBytes: number;
  readonly lastWrite: LastWrite | null;
  /** Microseconds from the last write's entry to the point of no return; null without timestamps. */
  readonly elapsedUs: number | null;
  /** The point of no return came from another thread/process than the last write. */
  readonly fromOtherTask: "thread" | "process" | null;
  readonly message: string;
  /** Recent attempts, the point of no return, then later points of no return (appended). */
  readonly evidence: EvidenceLine[];
  /** The HTTP/1.x response the stream was carrying: declared vs delivered (http-short-body,
   * and a loss finding on a stream whose response was cut). */
  readonly http?: HttpFacts;
  /** How to fix the program (the RST and HTTP rules). */
  readonly hint?: string;
}


/** `1.2 ms`, `138 µs`, `2.5 s` */
export function formatDuration(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

export function attemptNote(a: Attempt): string {
  const req = `${a.requestedExact ? "" : "at least "}${fmt(a.requested)} requested`;
  if (a.result.startsWith("-1 ")) return `${req}, nothing accepted`;
  if (a.accepted < a.requested) return `${req} (partial)`;
  return `all ${fmt(a.accepted)} bytes accepted`;
}

function otherTask(write: PointRef | null, at: PointRef): "thread" | "process" | null {
  if (write === null || write.pid === null || at.pid === null || write.pid === at.pid) return null;
  return write.group !== null && write.group === at.group ? "thread" : "process";
}

function pointNote(write: PointRef | null, at: PointRef, elapsedUs: number | null): string {
  const parts: string[] = [];
  if (elapsedUs !== null) parts.push(`${formatDuration(elapsedUs)} later`);
  const other = otherTask(write, at);
  if (other !== null) parts.push(`from another ${other}`);
  return parts.length === 0 ? "point of no return" : parts.join(", ");
}

function describeFd(fd: number, stream: Stream): string {
  return stream.name !== null ? `fd ${fd} (${stream.name})` : `${stream.kind} fd ${fd}`;
}

function evidenceOf(at: PointRef, note: string, role: EvidenceLine["role"]): EvidenceLine {
  return { file: at.file, line: at.line, pid: at.pid, time: at.time, call: at.summary, note, role, ...(at.stack !== undefined ? { stack: at.stack } : {}) };
}

function lastWriteOf(last: Attempt | null): LastWrite | null {
  return last === null
    ? null
    : { file: last.file, line: last.line, pid: last.pid, syscall: last.syscall, requested: last.requested, result: last.result, accepted: last.accepted };
}

/** Microseconds from the last write to the point of no return, when both have a time. */
function elapsedSince(last: Attempt | null, at: PointRef): number | null {
  return last !== null && last.time !== null && at.time !== null ? Math.max(0, Math.round((at.time - last.time) * 1e6)) : null;
}

/** The fields every finding shares, from its rule, stream, fd and point of no return. */
function findingBase(
  rule: { readonly name: RuleName; readonly code: string; readonly severity: Severity },
  stream: Stream,
  fd: number,
  at: PointRef,
  evidence: readonly EvidenceLine[],
  unsent: { readonly unsentBytes: number; readonly unsentExact: boolean },
) {
  const last = stream.lastAttempt;
  const pids = new Set<number>();
  for (const e of evidence) if (e.pid !== null) pids.add(e.pid);
  return {
    rule: rule.name,
    code: rule.code,
    severity: rule.severity,
    file: at.file,
    line: at.line,
    pid: at.pid,
    pids: [...pids],
    fd,
    stream: stream.name,
    streamKind: stream.kind === "pipe" ? ("pipe" as const) : ("socket" as const),
    unsentBytes: unsent.unsentBytes,
    unsentExact: unsent.unsentExact,
    acceptedBytes: stream.accepted,
    lastWrite: lastWriteOf(last),
    elapsedUs: elapsedSince(last, at),
    fromOtherTask: otherTask(last, at),
  };
}

/** A finding of the HTTP and RST rules: their own sentence and evidence, the same shape. */
export function buildRiskFinding(rule: RuleInfo, risk: Risk): Finding {
  const { stream, at } = risk;
  const last = stream.lastAttempt;
  const evidence: EvidenceLine[] = risk.before.map((e) => evidenceOf(e.at, e.note, "write"));
  evidence.push(evidenceOf(at, pointNote(last, at, elapsedSince(last, at)), "point-of-no-return"));
  return {
    ...findingBase(rule, stream, risk.fd, at, evidence, risk),
    message: risk.message,
    evidence,
    ...(risk.http !== undefined ? { http: risk.http } : {}),
    hint: risk.hint,
  };
}

export function buildFinding(rule: Rule, loss: Loss, http?: { facts: HttpFacts; clause: string; head: PointRef | null }): Finding {
  const { stream, at } = loss;
  const last = stream.lastAttempt;
  const elapsedUs = elapsedSince(last, at);
  const unsent = stream.unsentBytes;
  const bytes = `${stream.exact ? "" : "at least "}${fmt(unsent)} byte${unsent === 1 ? " was" : "s were"} never sent`;
  const who = at.pid !== null ? `pid ${at.pid}` : "the process";
  const what =
    loss.action === "shut down"
      ? `${who} shut down ${describeFd(loss.fd, stream)}`
      : loss.action === "closed"
        ? `${who} closed the last reference to ${describeFd(loss.fd, stream)}`
        : `${who} exited holding the last reference to ${describeFd(loss.fd, stream)}`;
  const evidence: EvidenceLine[] = stream.recent.map((a) => ({
    file: a.file,
    line: a.line,
    pid: a.pid,
    time: a.time,
    call: a.summary,
    note: attemptNote(a),
    role: "write",
    ...(a.stack !== undefined ? { stack: a.stack } : {}),
  }));
  // The head of the HTTP response, when it is older than the recent attempts shown.
  if (http?.head != null && !evidence.some((e) => e.file === http.head?.file && e.line === http.head.line)) {
    evidence.unshift(evidenceOf(http.head, "head of the response", "write"));
  }
  evidence.push({
    file: at.file,
    line: at.line,
    pid: at.pid,
    time: at.time,
    call: at.summary,
    note: pointNote(last, at, elapsedUs),
    role: "point-of-no-return",
    ...(at.stack !== undefined ? { stack: at.stack } : {}),
  });
  return {
    ...findingBase(rule, stream, loss.fd, at, evidence, { unsentBytes: unsent, unsentExact: stream.exact }),
    message: http !== undefined ? `${what} while ${bytes}; ${http.clause}` : `${what} while ${bytes}`,
    evidence,
    ...(http !== undefined ? { http: http.facts } : {}),
  };
}

/** Bound on the later points of no return kept on one finding. */
export const MAX_LATER_EVIDENCE = 4;

export function addLaterEvidence(f: Finding, at: PointRef, what: string): void {
  if (f.evidence.filter((e) => e.role === "later").length >= MAX_LATER_EVIDENCE) return;
  f.evidence.push({ file: at.file, line: at.line, pid: at.pid, time: at.time, call: at.summary, note: what, role: "later" });
}

/** Evidence that comes before the point of no return but is learned only at it (SO_LINGER). */
export function addEarlierEvidence(f: Finding, at: PointRef, what: string): void {
  const i = f.evidence.findIndex((e) => e.role === "point-of-no-return");
  f.evidence.splice(i < 0 ? f.evidence.length : i, 0, evidenceOf(at, what, "write"));
}
