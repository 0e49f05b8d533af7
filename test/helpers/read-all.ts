// Everything the pipeline gives for some trace groups, for tests that compare two ways of
// reading the same text (one thread or the parse workers, a file or a pipe): events as NDJSON,
// the analysis (findings, stats, notes), the parsers' stats and the problems reported.
import type { CliIo } from "../../src/cli/command.js";
import { createAnalyzer } from "../../src/analysis.js";
import { readTraceEvents, type InputProblem, type ReadOptions, type TraceGroup } from "../../src/pipeline/trace-input.js";
import { stringifyJson } from "../../src/report/escape.js";
import { quietIo } from "./quiet-io.js";

export async function readAll(groups: readonly TraceGroup[], opts: ReadOptions, io: CliIo = quietIo()) {
  let ndjson = "";
  const analysis: unknown[] = [];
  const stats: unknown[] = [];
  const problems: InputProblem[] = [];
  for (const group of groups) {
    const analyzer = createAnalyzer({ trace: group.name });
    const reading = readTraceEvents(group, io, { ...opts, onProblem: (p) => problems.push(p) });
    for await (const batch of reading.batches) {
      for (const ev of batch) ndjson += stringifyJson(ev) + "\n";
      analysis.push(...analyzer.push(batch));
    }
    analysis.push(...analyzer.end(), analyzer.stats, analyzer.notes);
    for (const p of reading.parsers()) stats.push(p.stats);
  }
  return { ndjson, analysis, stats, problems };
}
