// One stream's byte timeline as an inline SVG for the HTML report: the intended (high-water)
// and accepted step lines with the unsent gap shaded between them, a dot per call, vertical
// rules for the point of no return and closes, and a hover band per call whose <title> gives
// the exact values. Hand-written SVG: no script, no library, nothing fetched.
import type { ChartPoint, StreamSeries } from "./chart-data.js";
import { chartAxis, compactBytes, compactSeconds } from "./chart-data.js";
import { escapeHtml } from "./html-escape.js";
import { formatCount } from "./numbers.js";

const W = 880;
const H = 300;
const M = { left: 74, right: 20, top: 34, bottom: 46 };

/** Above this many writes, dots would merge into a smear: a rug of markers is drawn instead. */
const MAX_DOTS = 150;

const fmt = (n: number): string => n.toFixed(1).replace(/\.0$/, "");

/** The exact values at one call, line by line (unescaped), for its hover <title>. */
export function describePoint(p: ChartPoint, t0: number | null): string[] {
  const when = p.time !== null && t0 !== null ? ` · +${(p.time - t0).toFixed(6)} s` : "";
  const calls = p.calls > 1 ? `calls ${p.index - p.calls + 1}–${p.index} (${p.calls} calls merged)` : `call ${p.index}`;
  const lines = [`${calls} · ${p.file}:${p.line}${p.pid !== null ? ` · pid ${p.pid}` : ""}${when}`, p.summary];
  if (p.kind === "write" && p.requested !== null && p.accepted !== null) {
    const what = p.eagain ? " (EAGAIN: nothing accepted)" : p.short ? " (short write)" : "";
    const last = p.calls > 1 ? "last call: " : "";
    lines.push(`${last}requested ${p.requestedExact ? "" : "≥"}${formatCount(p.requested)} · accepted ${formatCount(p.accepted)}${p.calls > 1 ? "" : what}`);
    if (p.calls > 1) lines.push(`${p.eagainCount} EAGAIN, ${p.shortCount} short write(s) among them`);
  } else if (p.endsWriteSide) {
    lines.push(p.unsent > 0 ? "point of no return: the write side ended with bytes unsent" : "write side ended, nothing unsent");
  } else if (p.notLast) {
    lines.push("another reference still holds the stream");
  }
  lines.push(`intended so far ${formatCount(p.intendedTotal)} · accepted so far ${formatCount(p.acceptedTotal)} · unsent ${formatCount(p.unsent)}`);
  return lines;
}

/** Rounded-up axis maximum and its four ticks (1, 2, 2.5 or 5 × a power of ten). */
function niceTicks(max: number): number[] {
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
  return [0, step, 2 * step, 3 * step, 4 * step];
}

export interface SvgChartOptions {
  /** Accessible label of the figure (plain text; escaped here). */
  readonly label: string;
}

/** The SVG of one stream's series; all trace text in it is escaped. */
export function renderSvgChart(series: StreamSeries, options: SvgChartOptions): string {
  const points = series.points;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(options.label)}" data-points="${points.length}">`,
  );
  out.push(`<title>${escapeHtml(options.label)}</title>`);
  if (points.length === 0) {
    out.push(`<text class="axis-label" x="${W / 2}" y="${H / 2}" text-anchor="middle">no calls</text></svg>`);
    return out.join("");
  }
  const axis = chartAxis(points);
  const span = axis.max - axis.min;
  const pad = span > 0 ? span * 0.04 : axis.mode === "index" ? 1 : 1e-3;
  const x0 = axis.min - (axis.mode === "index" ? Math.max(pad, 0.5) : pad);
  const x1 = axis.max + (axis.mode === "index" ? Math.max(pad, 0.5) : pad);
  const sx = (x: number): number => M.left + ((x - x0) / (x1 - x0)) * pw;
  const ticks = niceTicks(Math.max(1, ...points.map((p) => p.intendedTotal)));
  const yMax = ticks[ticks.length - 1] as number;
  const sy = (v: number): number => M.top + ph - (v / yMax) * ph;
  const xs = axis.xs.map(sx);
  const t0 = points[0]?.time ?? null;

  // Grid and axes.
  out.push(`<g class="grid">`);
  for (const v of ticks) {
    const y = fmt(sy(v));
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}"/>`);
    out.push(`<text class="tick" x="${M.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${compactBytes(v)}</text>`);
  }
  const xTicks = 5;
  for (let k = 0; k < xTicks; k++) {
    const v = axis.min + (span * k) / (xTicks - 1);
    if (k > 0 && span <= 0) break;
    const label = axis.mode === "time" ? (v === 0 ? "0" : `+${compactSeconds(v)}`) : `${Math.round(v)}`;
    if (axis.mode === "index" && k > 0 && Math.round(v) === Math.round(axis.min + (span * (k - 1)) / (xTicks - 1))) continue;
    out.push(`<text class="tick" x="${fmt(sx(axis.mode === "index" ? Math.round(v) : v))}" y="${M.top + ph + 18}" text-anchor="middle">${label}</text>`);
  }
  out.push(`</g>`);
  out.push(
    `<text class="axis-label" x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle">${axis.mode === "time" ? "time since the first call on this stream" : "call on this stream (the trace has no timestamps)"}</text>`,
  );
  out.push(`<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${fmt(sy(0))}" y2="${fmt(sy(0))}"/>`);

  // Step lines: a value holds from its call until the next one, and after the last call.
  const steps = (value: (p: ChartPoint) => number): [number, number][] => {
    const v: [number, number][] = [[M.left, sy(0)]];
    points.forEach((p, i) => {
      const x = xs[i] as number;
      const prev = v[v.length - 1] as [number, number];
      v.push([x, prev[1]], [x, sy(value(p))]);
    });
    v.push([W - M.right, (v[v.length - 1] as [number, number])[1]]);
    return v;
  };
  const intended = steps((p) => p.intendedTotal);
  const accepted = steps((p) => p.acceptedTotal);
  const d = (v: [number, number][]): string => v.map(([x, y], i) => `${i === 0 ? "M" : "L"}${fmt(x)} ${fmt(y)}`).join(" ");
  const gap = [...intended, ...[...accepted].reverse()].map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(" ");
  out.push(`<polygon class="gap" data-series="unsent" points="${gap}"/>`);
  out.push(`<path class="series intended" data-series="intended" d="${d(intended)}"/>`);
  out.push(`<path class="series accepted" data-series="accepted" d="${d(accepted)}"/>`);

  // Ends of the write side and closes as vertical rules; labels alternate rows so near ones
  // do not overlap.
  let row = 0;
  points.forEach((p, i) => {
    if (p.kind === "write") return;
    const x = fmt(xs[i] as number);
    const isPonr = i === series.pointOfNoReturn && p.unsent > 0;
    const cls = isPonr ? "ponr" : p.kind === "shutdown" ? "shut" : "close";
    const marker = isPonr ? "point-of-no-return" : p.kind === "shutdown" ? "shutdown" : "close";
    const name = p.kind === "shutdown" ? "shutdown" : p.call;
    const label = isPonr ? `${name}: point of no return` : name;
    const anchor = (xs[i] as number) > M.left + pw * 0.7 ? "end" : "start";
    const dx = anchor === "end" ? -4 : 4;
    const y = M.top - 18 + (row++ % 2) * 12;
    out.push(
      `<g class="rule ${cls}" data-marker="${marker}"><line x1="${x}" x2="${x}" y1="${M.top - 8}" y2="${fmt(sy(0))}"/>` +
        `<text x="${x}" dx="${dx}" y="${y}" text-anchor="${anchor}">${escapeHtml(label)}</text></g>`,
    );
  });

  // The size of the gap where the write side ended: the bytes that were never sent.
  const end = points[series.pointOfNoReturn];
  if (end !== undefined && end.unsent > 0) {
    const x = xs[series.pointOfNoReturn] as number;
    // Inside the gap when it is tall enough to hold the text, above the intended line if not.
    const top = sy(end.intendedTotal);
    const bottom = sy(end.acceptedTotal);
    const y = bottom - top >= 18 ? (top + bottom) / 2 : top - 10;
    const anchor = x > M.left + pw * 0.7 ? "end" : "start";
    out.push(
      `<text class="gap-label" data-marker="unsent" x="${fmt(x)}" dx="${anchor === "end" ? -8 : 8}" y="${fmt(y)}" text-anchor="${anchor}" dominant-baseline="middle">` +
        `${series.exact ? "" : "≥ "}${formatCount(end.unsent)} B never sent</text>`,
    );
  }

  // One dot per write on the accepted line (EAGAIN hollow, short writes amber) while they can
  // be told apart; a dense series gets a rug of ticks under the plot for EAGAIN and short
  // writes instead, one per pixel column.
  const writes = points.filter((p) => p.kind === "write").length;
  if (writes <= MAX_DOTS) {
    points.forEach((p, i) => {
      if (p.kind !== "write") return;
      const cls = p.eagain ? "dot eagain" : p.short ? "dot short" : "dot";
      const marker = p.eagain ? "eagain" : p.short ? "short" : "write";
      out.push(`<circle class="${cls}" data-marker="${marker}" cx="${fmt(xs[i] as number)}" cy="${fmt(sy(p.acceptedTotal))}" r="4.5"/>`);
      if (p.intendedTotal > p.acceptedTotal) {
        out.push(`<circle class="dot-intended" cx="${fmt(xs[i] as number)}" cy="${fmt(sy(p.intendedTotal))}" r="3"/>`);
      }
    });
  } else {
    const seen = new Set<string>();
    const base = sy(0);
    points.forEach((p, i) => {
      if (p.kind !== "write") return;
      const x = Math.round(xs[i] as number);
      for (const kind of [p.eagain ? "eagain" : null, p.short ? "short" : null]) {
        if (kind === null || seen.has(`${kind}${x}`)) continue;
        seen.add(`${kind}${x}`);
        const y = kind === "eagain" ? base - 7 : base - 14;
        out.push(`<line class="rug ${kind}" data-marker="${kind}" x1="${x}" x2="${x}" y1="${fmt(y)}" y2="${fmt(y + 6)}"/>`);
      }
    });
  }

  // Hover bands: from half-way to the previous call to half-way to the next.
  out.push(`<g class="hits">`);
  points.forEach((p, i) => {
    const x = xs[i] as number;
    const left = i === 0 ? M.left : (x + (xs[i - 1] as number)) / 2;
    const right = i === points.length - 1 ? W - M.right : (x + (xs[i + 1] as number)) / 2;
    out.push(
      `<rect class="hit" pointer-events="all" x="${fmt(left)}" y="${M.top}" width="${fmt(Math.max(1, right - left))}" height="${ph}" data-line="${p.line}">` +
        `<title>${describePoint(p, t0).map(escapeHtml).join("\n")}</title></rect>`,
    );
  });
  out.push(`</g></svg>`);
  return out.join("");
}
