// The machine contract (PRODUCT.md "JSON"): one object for `--format json`, and for
// `--format ndjson` one `{"type":"finding"}` line per finding as soon as it is known followed
// by one `{"type":"summary"}` line. The JSON is terminal-safe: C1 and bidi controls from the
// trace, which JSON.stringify leaves raw, are written as \u escapes (the parsed value is equal).
import type { Finding } from "../rules/finding.js";
import { stringifyJson } from "./escape.js";
import type { TraceNote } from "../model/trace-notes.js";

/** Totals over every trace of the run; `traces` lists each trace's own counters. */
export interface ReportStats {
  readonly lines: number;
  readonly syscalls: number;
  readonly unrecognized: number;
  readonly foreign: number;
  readonly signals: number;
  readonly exits: number;
  readonly writeAttempts: number;
  readonly traces: readonly { readonly name: string; readonly lines: number; readonly syscalls: number; readonly findings: number }[];
}

export interface Report {
  readonly tool: string;
  readonly version: string;
  readonly findings: readonly Finding[];
  readonly stats: ReportStats;
  readonly notes: readonly TraceNote[];
}

export function renderJsonReport(r: Report): string {
  return `${stringifyJson({ tool: r.tool, version: r.version, findings: r.findings, stats: r.stats, notes: r.notes }, 2)}\n`;
}

export function renderNdjsonFinding(f: Finding): string {
  return `${stringifyJson({ type: "finding", ...f })}\n`;
}

/** The closing NDJSON line; the findings themselves were already written, one per line. */
export function renderNdjsonSummary(r: Omit<Report, "findings">, errors: number, warnings: number): string {
  return `${stringifyJson({
    type: "summary",
    tool: r.tool,
    version: r.version,
    findings: errors + warnings,
    errors,
    warnings,
    stats: r.stats,
    notes: r.notes,
  })}\n`;
}
