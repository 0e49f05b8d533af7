// The byte timeline of one stream as a terminal chart: accepted bytes as a solid area, the bytes
// the program meant to send but the kernel had not taken as a light area above it, and a row
// of markers (EAGAIN, short write, point of no return, close). Pure: returns the text.
import type { ChartPoint, StreamSeries } from "./chart-data.js";
import { chartAxis, compactBytes, compactSeconds } from "./chart-data.js";
import { escapeText } from "./escape.js";
import { formatCount } from "./numbers.js";

export interface TerminalChartOptions {
  /** Terminal width in columns; every line of the chart fits in it (at least 40 is used). */
  readonly width: number;
  /** ANSI colours; false gives plain text with no escape byte at all. */
  readonly color: boolean;
  /** Plot rows (default 10). */
  readonly height?: number;
}

const MIN_WIDTH = 40;

const ACCEPTED = "█";
const UNSENT = "░";

type Mark = "!" | "c" | "e" | "s" | "S";
/** Which marker wins when several calls fall in one column. */
const PRIORITY: Record<Mark, number> = { "!": 5, c: 4, e: 3, s: 2, S: 1 };

const sgr = (code: string) => (on: boolean, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
const green = sgr("32");
const red = sgr("31");
const boldRed = sgr("1;31");
const yellow = sgr("33");
const cyan = sgr("36");
const dim = sgr("2");

/** One colour code per run of equal cells, not per cell. */
function paintRow(row: string, color: boolean): string {
  if (!color) return row;
  return row.replace(/█+|░+/g, (run) => (run.startsWith(ACCEPTED) ? green(true, run) : red(true, run)));
}

function markOf(p: ChartPoint, isPonr: boolean): Mark | null {
  if (isPonr && p.unsent > 0) return "!";
  if (p.kind === "release") return "c";
  if (p.kind === "shutdown") return "S";
  if (p.eagain) return "e";
  if (p.short) return "s";
  return null;
}

function paintMark(m: Mark, color: boolean): string {
  switch (m) {
    case "!":
      return boldRed(color, m);
    case "c":
    case "S":
      return cyan(color, m);
    case "e":
    case "s":
      return yellow(color, m);
  }
}

/** Cut to `width` characters (the chart's own text is ASCII or single-width box glyphs). */
function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join("")}…`;
}

/** Words joined with two spaces, wrapped to `width` columns. */
function wrap(items: readonly { plain: string; painted: string }[], width: number, indent: string): string[] {
  const lines: string[] = [];
  let plain = indent;
  let painted = indent;
  for (const it of items) {
    const sep = plain === indent ? "" : "  ";
    if (plain !== indent && [...plain].length + sep.length + [...it.plain].length > width) {
      lines.push(painted);
      plain = indent;
      painted = indent;
    }
    const s = plain === indent ? "" : "  ";
    plain += s + it.plain;
    painted += s + it.painted;
  }
  if (plain !== indent) lines.push(painted);
  return lines;
}

/**
 * Intended (high-water) and accepted bytes of one stream over time — over the call index when
 * the trace has no timestamps — with markers under the plot: `e` EAGAIN, `s` short write,
 * `!` point of no return with bytes unsent, `c` close (any dropped reference), `S` shutdown.
 * Every line fits `width` columns.
 */
export function renderTerminalChart(series: StreamSeries, options: TerminalChartOptions): string {
  const width = Math.max(MIN_WIDTH, Math.floor(options.width));
  const height = Math.max(3, Math.floor(options.height ?? 10));
  const color = options.color;
  const points = series.points;
  const name = series.name !== null ? escapeText(series.name) : series.kind;
  const title = `bytes of fd ${series.fd} (${name}) over ${formatCount(series.calls)} call(s): intended vs accepted${series.exact ? "" : " (requests are lower bounds)"}`;
  if (points.length === 0) return `${fit(title, width)}\n  (no calls)\n`;

  const axis = chartAxis(points);
  const maxBytes = Math.max(1, ...points.map((p) => p.intendedTotal));
  const yLabels = [compactBytes(maxBytes), compactBytes(maxBytes / 2), "0"];
  const labelWidth = Math.max(...yLabels.map((l) => l.length));
  // `label ┤` then the plot.
  const plotWidth = width - labelWidth - 2;

  // Column of each point: time spreads them by when they happened, the index evenly.
  const span = axis.max - axis.min;
  const colOf = (i: number): number => {
    const x = axis.xs[i] as number;
    if (span <= 0) return 0;
    // By index, each call owns an equal share of the columns, starting at its own.
    if (axis.mode === "index") return Math.floor(((x - axis.min) * plotWidth) / (span + 1));
    return Math.round(((x - axis.min) / span) * (plotWidth - 1));
  };

  // State of each column: the totals after the last call at or before it.
  const intended: (number | null)[] = new Array(plotWidth).fill(null);
  const accepted: (number | null)[] = new Array(plotWidth).fill(null);
  const marks: (Mark | null)[] = new Array(plotWidth).fill(null);
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as ChartPoint;
    const c = colOf(i);
    intended[c] = p.intendedTotal;
    accepted[c] = p.acceptedTotal;
    const m = markOf(p, i === series.pointOfNoReturn);
    const had = marks[c] ?? null;
    if (m !== null && (had === null || PRIORITY[m] > PRIORITY[had])) marks[c] = m;
  }
  for (let c = 1; c < plotWidth; c++) {
    if (intended[c] === null) {
      intended[c] = intended[c - 1] ?? null;
      accepted[c] = accepted[c - 1] ?? null;
    }
  }

  // Cells per column, bottom up: accepted, then unsent up to the intended mark. Anything
  // non-zero gets at least one cell, so a small gap is never drawn as none.
  const cells = (v: number): number => (v <= 0 ? 0 : Math.max(1, Math.round((v / maxBytes) * height)));
  const grid: string[][] = Array.from({ length: height }, () => new Array<string>(plotWidth).fill(" "));
  for (let c = 0; c < plotWidth; c++) {
    const i = intended[c];
    const a = accepted[c];
    if (i === null || a === null) continue;
    let ac = cells(a);
    let ic = Math.max(ac, cells(i));
    if (i > a && ic === ac) {
      if (ic < height) ic++;
      else ac = Math.max(0, ac - 1);
    }
    for (let r = 0; r < height; r++) {
      const row = grid[height - 1 - r] as string[];
      if (r < ac) row[c] = ACCEPTED;
      else if (r < ic) row[c] = UNSENT;
    }
  }

  const last = points[points.length - 1] as ChartPoint;
  const end = series.pointOfNoReturn >= 0 ? (points[series.pointOfNoReturn] as ChartPoint) : null;
  const facts =
    `${formatCount(last.intendedTotal)} B intended, ${formatCount(last.acceptedTotal)} accepted, ` +
    (end === null ? `${formatCount(last.unsent)} unsent, still open` : `${formatCount(end.unsent)} unsent at line ${end.line}`);
  const out: string[] = [fit(title, width), fit(facts, width)];
  for (let r = 0; r < height; r++) {
    const label = r === 0 ? yLabels[0] : r === Math.floor(height / 2) ? yLabels[1] : "";
    const pad = (label ?? "").padStart(labelWidth);
    out.push(`${label ? dim(color, pad) : pad} ┤${paintRow((grid[r] as string[]).join("").trimEnd(), color)}`);
  }
  out.push(`${dim(color, (yLabels[2] as string).padStart(labelWidth))} └${"─".repeat(plotWidth)}`);
  const markRow = marks.map((m) => (m === null ? " " : paintMark(m, color))).join("");
  out.push(`${" ".repeat(labelWidth + 2)}${markRow}`.trimEnd());

  // x labels: where the axis starts and ends.
  const left = axis.mode === "time" ? "+0 s" : `call ${axis.min}`;
  const right = axis.mode === "time" ? `+${compactSeconds(span)}` : `call ${axis.max}`;
  const gap = plotWidth - left.length - right.length;
  const xLine = gap >= 1 ? `${left}${" ".repeat(gap)}${right}` : fit(`${left} … ${right}`, plotWidth);
  out.push(dim(color, `${" ".repeat(labelWidth + 2)}${xLine}`));

  const legend = [
    { plain: `${ACCEPTED} accepted`, painted: `${green(color, ACCEPTED)} accepted` },
    { plain: `${UNSENT} unsent (intended, not accepted)`, painted: `${red(color, UNSENT)} unsent (intended, not accepted)` },
    { plain: "e EAGAIN", painted: `${paintMark("e", color)} EAGAIN` },
    { plain: "s short write", painted: `${paintMark("s", color)} short write` },
    { plain: "! point of no return", painted: `${paintMark("!", color)} point of no return` },
    { plain: "S shutdown", painted: `${paintMark("S", color)} shutdown` },
    { plain: "c close", painted: `${paintMark("c", color)} close` },
    { plain: axis.mode === "time" ? "x: time since the first call" : "x: call index (no timestamps)", painted: dim(color, axis.mode === "time" ? "x: time since the first call" : "x: call index (no timestamps)") },
  ];
  out.push(...wrap(legend, width, "  "));
  return `${out.join("\n")}\n`;
}
