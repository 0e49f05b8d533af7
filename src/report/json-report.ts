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

/** The whole report as one document: what JsonReportWriter prints piece by piece. */
export function renderJsonReport(r: Report): string {
  let text = "";
  const w = new JsonReportWriter((t) => (text += t), r.tool, r.version);
  for (const f of r.findings) w.finding(f);
  w.end(r.stats, r.notes);
  return text;
}

/** Prints the JSON report in pieces, byte for byte `JSON.stringify(report, null, 2)`: the head
 *  first, each finding when the caller is done with it, the totals last. A trace with a finding
 *  per second of a week's traffic never holds them all. */
export class JsonReportWriter {
  private count = 0;

  constructor(
    private readonly write: (text: string) => void,
    tool: string,
    version: string,
  ) {
    write(`{\n  "tool": ${stringifyJson(tool)},\n  "version": ${stringifyJson(version)},\n  "findings": [`);
  }

  finding(f: Finding): void {
    this.write(`${this.count++ === 0 ? "\n" : ",\n"}    ${nestedJson(f, 2)}`);
  }

  end(stats: ReportStats, notes: readonly TraceNote[]): void {
    this.write(
      `${this.count > 0 ? "\n  ]" : "]"},\n  "stats": ${nestedJson(stats, 1)},\n` +
        `  "notes": ${nestedJson(notes, 1)}\n}\n`,
    );
  }
}

/** stringifyJson(value, 2) as JSON.stringify prints it `depth` levels deep: its lines after the
 *  first shifted right by two spaces a level. Stringify nests it itself, inside `depth` arrays
 *  whose brackets are cut off: shifting the lines with a replace afterwards was another pass
 *  over each finding's text and another copy of it (with the escape pass, 3% of the main
 *  thread's allocations on the bench trace). */
function nestedJson(value: unknown, depth: number): string {
  const [open, close] = NESTING[depth]!;
  let wrapped: unknown = value;
  for (let d = 0; d < depth; d++) wrapped = [wrapped];
  const json = stringifyJson(wrapped, 2);
  return json.slice(open.length, json.length - close.length);
}

/** What nestedJson cuts off at each depth: the arrays' openings up to the value's first
 *  character, and their closings after its last. */
const NESTING: readonly (readonly [string, string])[] = [0, 1, 2].map((depth) => {
  let open = "";
  let close = "";
  for (let d = 0; d < depth; d++) {
    open += `${d === 0 ? "" : `\n${"  ".repeat(d)}`}[`;
    close = `\n${"  ".repeat(d)}]${close}`;
  }
  return [depth === 0 ? "" : `${open}\n${"  ".repeat(depth)}`, close] as const;
});

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
