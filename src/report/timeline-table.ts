// `timeline`: one stream's write attempts in order, with what each did to the unsent count,
// and the points where the stream's write side ended. A bar shows the unsent bytes after each
// row against the stream's largest unsent count.
import Table from "cli-table3";
import { escapeText } from "./escape.js";
import { formatCount } from "./numbers.js";
import type { Style } from "./style.js";

export interface TimelineRow {
  readonly time: number | null;
  readonly file: string;
  readonly line: number;
  readonly pid: number | null;
  /** The fd the call used: another number when a dup or another process reached the stream. */
  readonly fd: number;
  readonly syscall: string;
  /** null for rows that are not write attempts (shutdown, close, exit). */
  readonly requested: number | null;
  readonly requestedExact: boolean;
  readonly accepted: number | null;
  readonly result: string;
  readonly unsentAfter: number;
}

export interface TimelineStream {
  readonly fd: number;
  readonly name: string | null;
  readonly kind: string;
  readonly rows: readonly TimelineRow[];
}

const BAR_WIDTH = 4;

function bar(value: number, max: number): string {
  if (max <= 0 || value <= 0) return "";
  const n = Math.max(1, Math.round((value / max) * BAR_WIDTH));
  return "█".repeat(n);
}

export function renderTimeline(s: TimelineStream, style: Style): string {
  const first = s.rows.find((r) => r.time !== null)?.time ?? null;
  const pids = new Set(s.rows.map((r) => r.pid));
  // An -ff set numbers lines per file: name the file when the rows come from several.
  const manyFiles = new Set(s.rows.map((r) => r.file)).size > 1;
  const maxUnsent = Math.max(0, ...s.rows.map((r) => r.unsentAfter));
  const table = new Table({
    head: ["time (s)", "line", pids.size > 1 ? "pid call" : "call", "requested", "accepted", "result", "unsent after"],
    colAligns: ["right", "right", "left", "right", "right", "left", "right"],
    wordWrap: true,
    // One line per row: no separators between rows.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    style: { "padding-left": 0, "padding-right": 1, ...(style.color ? { head: ["bold"], border: ["grey"] } : { head: [], border: [] }) },
  });
  for (const r of s.rows) {
    const t = r.time !== null && first !== null ? `+${(r.time - first).toFixed(6)}` : "-";
    const base = pids.size > 1 && r.pid !== null ? `${r.pid} ${r.syscall}` : r.syscall;
    const call = r.fd !== s.fd ? `${base} (fd ${r.fd})` : base;
    table.push([
      t,
      manyFiles ? `${escapeText(r.file.slice(r.file.lastIndexOf("/") + 1))}:${r.line}` : String(r.line),
      escapeText(call),
      r.requested === null ? "" : `${r.requestedExact ? "" : "≥"}${formatCount(r.requested)}`,
      r.accepted === null ? "" : formatCount(r.accepted),
      escapeText(r.result),
      `${formatCount(r.unsentAfter)} ${bar(r.unsentAfter, maxUnsent)}`.trimEnd(),
    ]);
  }
  const name = s.name !== null ? ` (${escapeText(s.name)})` : ` (${s.kind})`;
  const last = s.rows[s.rows.length - 1];
  const head = `fd ${s.fd}${name}: ${s.rows.length} event(s), ${formatCount(last?.unsentAfter ?? 0)} bytes unsent at the end`;
  return `${head}\n${table.toString()}\n`;
}
