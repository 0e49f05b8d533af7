// The closing lines of the human report: trace-quality notes (what the trace cannot show and
// the flags that would) and one line of totals.
import type { TraceNote } from "../model/trace-notes.js";
import { escapeText } from "./escape.js";
import type { ReportStats } from "./json-report.js";
import { formatCount } from "./numbers.js";
import { paint } from "./style.js";
import type { Style } from "./style.js";

export function renderNotes(notes: readonly TraceNote[], style: Style): string {
  let out = "";
  for (const n of notes) {
    out += `${paint.note(style, `note[${n.code}]`)} ${escapeText(n.trace)}: ${escapeText(n.message)}\n`;
    out += `  hint: ${escapeText(n.hint)}\n`;
  }
  return out;
}

export function renderTotals(errors: number, warnings: number, stats: ReportStats, style: Style): string {
  const traces = stats.traces.length === 1 ? escapeText(stats.traces[0]?.name ?? "") : `${stats.traces.length} traces`;
  const counted = `${formatCount(stats.lines)} lines, ${formatCount(stats.syscalls)} syscalls, ${formatCount(stats.writeAttempts)} write attempts`;
  if (errors + warnings === 0) return `${paint.bold(style, "no findings")} in ${traces} (${counted})\n`;
  const parts: string[] = [];
  if (errors > 0) parts.push(paint.error(style, `${errors} error${errors === 1 ? "" : "s"}`));
  if (warnings > 0) parts.push(paint.warning(style, `${warnings} warning${warnings === 1 ? "" : "s"}`));
  return `${parts.join(", ")} in ${traces} (${counted})\n`;
}
