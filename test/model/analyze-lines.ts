// Test helper: run inline strace text through the real event parser and a fresh analyzer,
// in batches of `batchLines` lines (so tests can check that batching changes nothing).
import { createAnalyzer } from "../../src/analysis.js";
import type { Analyzer, AnalyzerOptions, Finding } from "../../src/analysis.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";

export interface Run {
  readonly findings: Finding[];
  readonly analyzer: Analyzer;
  /** Findings returned by each push, batch by batch (for streaming checks). */
  readonly perBatch: Finding[][];
}

/** `flushEachBatch`: the input pauses after every batch (a live pipe going quiet), so the parser
 *  hands out the call it holds for `-k` frames, as the reader does after IDLE_FLUSH_MS. */
export function analyzeLines(text: string, options: AnalyzerOptions & { batchLines?: number; flushEachBatch?: boolean } = {}): Run {
  // Inline snippets are indented with the test code: remove the common indentation only, so
  // a line that strace itself starts with spaces (a continuation) keeps them.
  const raw = text.replace(/^\n/, "").replace(/\n\s*$/, "").split("\n");
  const indent = Math.min(...raw.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length));
  const lines = raw.map((l) => l.slice(indent));
  const parser = createEventParser({ file: "trace.log" });
  const analyzer = createAnalyzer({ trace: "trace.log", ...options });
  const findings: Finding[] = [];
  const perBatch: Finding[][] = [];
  const step = options.batchLines ?? lines.length;
  for (let i = 0; i < lines.length; i += step) {
    const out: TraceEvent[] = [];
    parser.push(lines.slice(i, i + step), i + 1, out);
    if (options.flushEachBatch === true) parser.flush(out);
    const got = analyzer.push(out);
    perBatch.push(got);
    findings.push(...got);
  }
  const out: TraceEvent[] = [];
  parser.end(out);
  findings.push(...analyzer.push(out), ...analyzer.end());
  return { findings, analyzer, perBatch };
}

/** The part of a finding the tests compare. */
export function brief(f: Finding): { rule: string; line: number; unsentBytes: number } {
  return { rule: f.rule, line: f.line, unsentBytes: f.unsentBytes };
}
