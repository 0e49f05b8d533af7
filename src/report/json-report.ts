// The machine contract (PRODUCT.md "JSON"): one object for `--format json`, and for
// `--format ndjson` one `{"type":"finding"}` line per finding as soon as it is known followed
// by one `{"type":"summary"}` line. JSON.stringify escapes control characters itself.
import type { Finding } from "../rules/finding.js";
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
  return `${JSON.stringify({ tool: r.tool, version: r.version, findings: r.findings, stats: r.stats, notes: r.notes }, null, 2)}\n`;
}

export function renderNdjsonFinding(f: Finding): string {
  return `${JSON.stringify({ type: "finding", ...f })}\n`;
}

/** The closing NDJSON line; the findings themselves were already written, one per line. */
export function renderNdjsonSummary(r: Omit<Report, "findings">, errors: number, warnings: number): string {
  return `${JSON.stringify({
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
