// The programmatic core of `analyze`: events in (in batches), findings out as soon as each is
// known. One analyzer per trace (a file or an -ff set); it holds only the stream model's live
// state: findings are handed out, not kept (a live stream's finding gets later evidence).
import type { ModelEvent } from "./model/model-events.js";
import type { Stream } from "./model/stream.js";
import { HOLD_EVENTS, StreamModel } from "./model/stream-model.js";
import { traceNotes } from "./model/trace-notes.js";
import type { TraceNote, UnknownKindLosses } from "./model/trace-notes.js";
import { addEarlierEvidence, addLaterEvidence, buildFinding, buildRiskFinding } from "./rules/finding.js";
import type { Finding } from "./rules/finding.js";
import { httpClause, httpShortBody, httpShortfall } from "./rules/http-short-body.js";
import { LOSS_RULES, RISK_RULES, RULES } from "./rules/registry.js";
import type { RuleName } from "./rules/rule.js";
import { isPointOfNoReturn } from "./rules/rule.js";
import type { TraceEvent } from "./syntax/events.js";

export type { Finding, EvidenceLine, LastWrite } from "./rules/finding.js";
export type { HttpFacts } from "./rules/rule.js";
export type { TraceNote } from "./model/trace-notes.js";
export type { ModelEvent } from "./model/model-events.js";
export type { RuleName, Severity } from "./rules/rule.js";
export { RULES, RULE_NAMES, isRuleName } from "./rules/registry.js";

export interface AnalyzerOptions {
  /** Name of the trace for notes (a path, or an -ff set's name). */
  readonly trace?: string;
  /** Rules to run (default: all). */
  readonly rules?: readonly RuleName[];
  /** Only report findings involving this pid / at this fd. */
  readonly pid?: number | null;
  readonly fd?: number | null;
  /** Only report loss findings (and HTTP short bodies) with at least this many unsent bytes
   * (default 1); the RST rules are not about unsent bytes. */
  readonly minUnsent?: number;
  /** Sees every model event (the `timeline` command is built on this). */
  readonly onModelEvent?: (ev: ModelEvent) => void;
}

export interface TraceStats {
  /** Highest line number seen, summed over the trace's files. */
  lines: number;
  syscalls: number;
  signals: number;
  exits: number;
  notices: number;
  unrecognized: number;
  foreign: number;
  writeAttempts: number;
  findings: number;
}

export interface Analyzer {
  /** Feed one batch; returns the findings that became known in it. */
  push(batch: readonly TraceEvent[]): Finding[];
  /** End of the trace: returns findings known only now (none today, kept for rules that need the end). */
  end(): Finding[];
  /** Whether a finding this analyzer returned can no longer change: its stream is gone from
   *  every fd table (and the few events a failed write is held for have passed), or the trace
   *  ended. Until then later evidence (a later close, a reset, a failed write) may be added.
   *  A JSON writer prints findings once final and forgets them: memory stays flat. */
  isFinal(f: Finding): boolean;
  readonly stats: TraceStats;
  /** Trace-quality notes; complete after end(). */
  readonly notes: readonly TraceNote[];
}

export function createAnalyzer(options: AnalyzerOptions = {}): Analyzer {
  const enabled = new Set<RuleName>(options.rules ?? RULES.map((r) => r.name));
  const minUnsent = Math.max(1, options.minUnsent ?? 1);
  const stats: TraceStats = {
    lines: 0,
    syscalls: 0,
    signals: 0,
    exits: 0,
    notices: 0,
    unrecognized: 0,
    foreign: 0,
    writeAttempts: 0,
    findings: 0,
  };
  const maxLine = new Map<string, number>();
  const notes: TraceNote[] = [];
  /** Streams whose write side ended: the first point of no return settled them. */
  const settled = {
    get: (s: Stream): Finding | null | undefined => s.settled as Finding | null | undefined,
    set: (s: Stream, f: Finding | null): void => {
      s.settled = f;
    },
  };
  let fresh: Finding[] = [];
  /** Events processed, and for findings whose stream lost its last reference, when it did. */
  let eventCount = 0;
  let ended = false;
  const closedAt = new WeakMap<Finding, number>();
  const unknownLosses: UnknownKindLosses = { count: 0, first: null };
  const internal: { count: number; first: { file: string; line: number; message: string } | null } = { count: 0, first: null };

  const wanted = (f: Finding): boolean =>
    enabled.has(f.rule) &&
    (f.unsentBytes >= minUnsent || f.rule === "abortive-close" || f.rule === "close-with-unread-input") &&
    (options.pid == null || f.pids.includes(options.pid)) &&
    (options.fd == null || f.fd === options.fd);

  const report = (f: Finding): void => {
    fresh.push(f);
    stats.findings++;
  };

  /** The RST rules, at the last release whatever came before: a stream shut down cleanly can
   * still be reset. On a stream that already has a finding, they add their evidence to it. */
  const checkResets = (ev: ModelEvent): void => {
    for (const rule of RISK_RULES) {
      if (rule === httpShortBody || !enabled.has(rule.name)) continue;
      const risk = rule.check(ev);
      if (risk === null) continue;
      const earlier = settled.get(risk.stream);
      if (earlier != null) {
        for (const e of risk.before) addEarlierEvidence(earlier, e.at, `${rule.name}: ${e.note}`);
        continue;
      }
      const f = buildRiskFinding(rule, risk);
      if (wanted(f)) {
        report(f);
        closedAt.set(f, eventCount);
      }
    }
  };

  const onModelEvent = (ev: ModelEvent): void => {
    options.onModelEvent?.(ev);
    if (ev.kind === "attempt") {
      if (ev.attempt.peerGone !== undefined) {
        // A write that failed because the write side was shut or the peer left: evidence.
        const earlier = settled.get(ev.stream);
        if (earlier != null) addLaterEvidence(earlier, ev.attempt, `write failed (${ev.attempt.peerGone.replace("+", ", then ")}): the stream was already ended`);
        return;
      }
      stats.writeAttempts++;
      return;
    }
    settle(ev);
    if (ev.kind === "release" && ev.last) {
      checkResets(ev);
      const f = settled.get(ev.stream);
      if (f != null && !closedAt.has(f)) closedAt.set(f, eventCount);
    }
  };

  const settle = (ev: ModelEvent): void => {
    if (ev.kind === "attempt") return;
    const earlier = settled.get(ev.stream);
    if (earlier !== undefined) {
      if (earlier !== null && isPointOfNoReturn(ev)) {
        addLaterEvidence(earlier, ev.at, ev.kind === "shutdown" ? "later shutdown" : `later ${ev.cause} of the last reference`);
      }
      return;
    }
    for (const rule of LOSS_RULES) {
      const loss = rule.check(ev);
      if (loss === null) continue;
      // The HTTP facts of the same stream enrich the loss: declared vs delivered.
      const h = httpShortfall(ev.stream);
      const f = buildFinding(rule, loss, h !== null ? { facts: h, clause: httpClause(h), head: ev.stream.responseHeadAt } : undefined);
      const keep = wanted(f);
      settled.set(ev.stream, keep ? f : null);
      if (keep) report(f);
      return;
    }
    const httpRisk = enabled.has(httpShortBody.name) ? httpShortBody.check(ev) : null;
    if (httpRisk !== null) {
      const f = buildRiskFinding(httpShortBody, httpRisk);
      const keep = wanted(f);
      settled.set(ev.stream, keep ? f : null);
      if (keep) report(f);
      return;
    }
    // A point of no return with nothing unsent settles the stream too: a later close after a
    // clean shutdown is not a loss, whatever the stream does afterwards.
    if (isPointOfNoReturn(ev) && ev.stream.unsentBytes === 0) settled.set(ev.stream, null);
    // An fd nobody told us the kind of (no -y, no creating call) would have been a finding if
    // it was a pipe or socket: not a finding, but the trace-quality note says so.
    if (isPointOfNoReturn(ev) && ev.stream.kind === "unknown" && !ev.stream.broken && ev.stream.unsentBytes > 0) {
      settled.set(ev.stream, null);
      unknownLosses.count++;
      unknownLosses.first ??= { fd: ev.fd, file: ev.at.file, line: ev.at.line, unsentBytes: ev.stream.unsentBytes };
    }
  };

  const model = new StreamModel(onModelEvent);

  return {
    push(batch) {
      fresh = [];
      // The highest line of the file met last, kept here between its events (one map lookup
      // per change of file, not two per event).
      let file: string | null = null;
      let fileMax = 0;
      for (const ev of batch) {
        eventCount++;
        const end = ev.type === "syscall" && ev.endLine !== undefined ? Math.max(ev.endLine, ev.line) : ev.line;
        if (ev.file !== file) {
          if (file !== null) maxLine.set(file, fileMax);
          file = ev.file;
          fileMax = maxLine.get(file) ?? 0;
        }
        if (end > fileMax) {
          stats.lines += end - fileMax;
          fileMax = end;
        }
        switch (ev.type) {
          case "syscall":
            stats.syscalls++;
            break;
          case "signal":
            stats.signals++;
            break;
          case "exit":
            stats.exits++;
            break;
          case "notice":
            stats.notices++;
            break;
          case "foreign":
            stats.foreign++;
            break;
          case "unrecognized":
            stats.unrecognized++;
            break;
        }
        try {
          model.process(ev);
        } catch (err) {
          // A bug of ours must not lose the rest of a long trace: skip the event, say so once.
          internal.count++;
          internal.first ??= { file: ev.file, line: ev.line, message: (err as Error)?.message ?? String(err) };
        }
      }
      if (file !== null) maxLine.set(file, fileMax);
      return fresh;
    },
    end() {
      fresh = [];
      model.finish();
      ended = true;
      notes.length = 0;
      const trace = options.trace ?? [...maxLine.keys()][0] ?? "-";
      notes.push(...traceNotes(trace, model.facts, stats.unrecognized, unknownLosses));
      if (internal.first !== null) {
        const f = internal.first;
        notes.push({
          code: "SR299",
          trace,
          message: `internal error on ${internal.count} event(s), first at ${f.file}:${f.line} (${f.message}); those events were skipped`,
          hint: "please report this with the trace line",
        });
      }
      return fresh;
    },
    isFinal(f) {
      if (ended) return true;
      const at = closedAt.get(f);
      // A failed write is held back for HOLD_EVENTS events (its SIGPIPE may follow) and may
      // still add its evidence after the close that ended the stream.
      return at !== undefined && eventCount - at > HOLD_EVENTS + 1;
    },
    stats,
    notes,
  };
}
