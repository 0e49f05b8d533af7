// Test helper: the HTML report of a trace file built in process the way `analyze --html`
// builds it (the real input pipeline and analyzer, a ChartCollector on the model events, the
// parsers' strace flags), for unit tests that inspect the report's input as well as its HTML.
// The browser tests use the command itself.
import { createAnalyzer } from "../../src/analysis.js";
import type { Finding, TraceNote } from "../../src/analysis.js";
import { readTraceEvents, resolveTraces } from "../../src/pipeline/trace-input.js";
import { ChartCollector } from "../../src/report/chart-data.js";
import { renderHtmlReport } from "../../src/report/html-report.js";
import type { HtmlReportInput } from "../../src/report/html-report.js";
import { quietIo } from "../helpers/quiet-io.js";


export interface BuiltReport {
  readonly html: string;
  readonly input: HtmlReportInput;
  readonly findings: readonly Finding[];
  readonly collector: ChartCollector;
}

export async function buildReport(paths: readonly string[]): Promise<BuiltReport> {
  const io = quietIo();
  const { groups, problems } = await resolveTraces(paths);
  if (problems.some((p) => p.fatal)) throw new Error(`unusable input: ${problems.map((p) => `${p.file}: ${p.message}`).join("; ")}`);
  const collector = new ChartCollector();
  const findings: Finding[] = [];
  const notes: TraceNote[] = [];
  const flags = new Set<string>();
  const totals = { lines: 0, syscalls: 0, unrecognized: 0, foreign: 0, signals: 0, exits: 0, writeAttempts: 0 };
  const traces: { name: string; lines: number; syscalls: number; findings: number }[] = [];
  for (const group of groups) {
    const analyzer = createAnalyzer({ trace: group.name, onModelEvent: collector.onModelEvent });
    const reading = readTraceEvents(group, io);
    for await (const batch of reading.batches) findings.push(...analyzer.push(batch));
    findings.push(...analyzer.end());
    for (const p of reading.parsers()) for (const f of p.stats.flags) flags.add(f);
    const st = analyzer.stats;
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += st[k];
    traces.push({ name: group.name, lines: st.lines, syscalls: st.syscalls, findings: st.findings });
    notes.push(...analyzer.notes);
  }
  const { streams, omitted } = collector.streams();
  const input: HtmlReportInput = {
    tool: "strace-race",
    version: "test",
    stats: { ...totals, traces },
    flags: [...flags].sort(),
    notes,
    findings: findings.map((finding) => ({ finding, series: collector.seriesFor(finding) })),
    streams,
    streamsOmitted: omitted,
  };
  return { html: renderHtmlReport(input), input, findings, collector };
}
