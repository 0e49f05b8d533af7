// `analyze --html FILE`: one self-contained HTML page — summary (traces, strace flags in
// evidence, quality notes, totals), a card per finding with its explanation, evidence and the
// stream's chart, and an overview of every written stream. No script at all; the only style is
// one inline <style> allowed by its hash in a strict Content-Security-Policy, so the page makes
// no request of any kind and text from a hostile trace cannot run.
import { createHash } from "node:crypto";
import type { TraceNote } from "../model/trace-notes.js";
import type { Finding } from "../rules/finding.js";
import type { StreamSeries, StreamTotals } from "./chart-data.js";
import { compactBytes } from "./chart-data.js";
import { ownFrame } from "./explanation.js";
import { renderSvgChart } from "./html-chart.js";
import { escapeHtml as esc } from "./html-escape.js";
import type { ReportStats } from "./json-report.js";
import { formatCount } from "./numbers.js";

export interface HtmlFinding {
  readonly finding: Finding;
  /** The stream's chart (`ChartCollector.seriesFor(finding)`); null draws no chart. */
  readonly series: StreamSeries | null;
}

export interface HtmlReportInput {
  readonly tool: string;
  readonly version: string;
  /** Totals and per-trace counters, as in the JSON report. */
  readonly stats: ReportStats;
  /** strace flags the traces show evidence of (`-f`, `-tt`, `-yy`...: the parsers' `stats.flags`). */
  readonly flags: readonly string[];
  readonly notes: readonly TraceNote[];
  readonly findings: readonly HtmlFinding[];
  /** Every written stream (`ChartCollector.streams()`), over all traces. */
  readonly streams: readonly StreamTotals[];
  /** Streams written but left out of `streams` (a bound on the overview). */
  readonly streamsOmitted?: number;
  /** Shown in the footer when given (left out by default so reports are reproducible). */
  readonly generatedAt?: string;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f5f6f8;--card:#fff;--fg:#1b1e24;--muted:#5c6472;--border:#dde1e7;--code:#f0f2f5;
--intended:#d9480f;--accepted:#1971c2;--gap:rgba(224,49,49,.14);--ponr:#c92a2a;--close:#6c757d;--short:#e8590c;
--error:#c92a2a;--error-bg:#fff0f0;--warning:#b35c00;--warning-bg:#fff6e5;--ok:#2b8a3e;--hover:rgba(25,113,194,.10);--grid:#e9ecef}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--card:#181b21;--fg:#e4e7ec;--muted:#9aa3b2;--border:#2b303a;--code:#20242c;
--intended:#ff922b;--accepted:#4dabf7;--gap:rgba(255,107,107,.20);--ponr:#ff6b6b;--close:#adb5bd;--short:#ffa94d;
--error:#ff6b6b;--error-bg:#2a1618;--warning:#ffc078;--warning-bg:#2a2214;--ok:#69db7c;--hover:rgba(77,171,247,.16);--grid:#252a33}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 20px 48px}
h1{font-size:24px;margin:0 0 2px}h2{font-size:18px;margin:32px 0 12px}
.sub{color:var(--muted);margin:0;overflow-wrap:anywhere}
code,.mono{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(118px,1fr));gap:10px;margin:18px 0}
.tile{background:var(--card);border:1px solid var(--border);border-radius:10px;padding:10px 14px}
.tile b{display:block;font-size:22px}.tile span{color:var(--muted);font-size:13px}
.tile.bad b{color:var(--error)}.tile.good b{color:var(--ok)}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}
.chip{background:var(--code);border:1px solid var(--border);border-radius:999px;padding:1px 10px;font-size:13px}
.notes{list-style:none;padding:0;margin:8px 0}
.notes li{background:var(--card);border:1px solid var(--border);border-left:4px solid var(--warning);border-radius:8px;padding:8px 12px;margin:6px 0}
.notes .hint{color:var(--muted);font-size:13px}
.card{background:var(--card);border:1px solid var(--border);border-radius:12px;padding:18px 20px;margin:14px 0;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.card.error{border-left:5px solid var(--error)}.card.warning{border-left:5px solid var(--warning)}
.card header{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
.badge{border-radius:6px;padding:1px 8px;font-weight:600;font-size:13px;text-transform:uppercase;letter-spacing:.03em}
.badge.error{background:var(--error-bg);color:var(--error)}.badge.warning{background:var(--warning-bg);color:var(--warning)}
.loc{color:var(--muted);margin-left:auto;overflow-wrap:anywhere}
.message{font-size:16px;margin:10px 0 12px;overflow-wrap:anywhere}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:8px 16px;margin:0 0 14px}
.facts div{min-width:0}.facts dt{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%}
th{text-align:left;color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
th,td{padding:5px 8px;border-bottom:1px solid var(--border);vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.evidence{font-size:14px}.evidence td.call{overflow-wrap:anywhere}.evidence .note{color:var(--muted)}
.evidence tr.point-of-no-return td{background:var(--error-bg)}.evidence tr.point-of-no-return .note{color:var(--error);font-weight:600}
.evidence .frame{color:var(--muted);font-size:12px}
figure{margin:6px 0 14px}
svg.chart{width:100%;height:auto;display:block}
.grid line{stroke:var(--grid);stroke-width:1}.axis{stroke:var(--muted);stroke-width:1}
.tick{fill:var(--muted);font:11px ui-monospace,Menlo,Consolas,monospace}.axis-label{fill:var(--muted);font:12px system-ui,sans-serif}
.gap{fill:var(--gap);stroke:none}.gap-label{fill:var(--ponr);font:600 13px system-ui,sans-serif}
.series{fill:none;stroke-width:2.5;stroke-linejoin:round}
.series.intended{stroke:var(--intended);stroke-dasharray:7 4}.series.accepted{stroke:var(--accepted)}
.dot{fill:var(--accepted);stroke:var(--card);stroke-width:1.5}.dot.short{fill:var(--short)}
.dot.eagain{fill:var(--card);stroke:var(--ponr);stroke-width:2.5}
.dot-intended{fill:var(--intended)}
.rug{stroke-width:1.5}.rug.eagain{stroke:var(--ponr)}.rug.short{stroke:var(--short)}
.rule line{stroke-width:1.5;stroke-dasharray:3 3}.rule text{font:600 12px system-ui,sans-serif}
.rule.ponr line{stroke:var(--ponr);stroke-width:2;stroke-dasharray:none}.rule.ponr text{fill:var(--ponr)}
.rule.close line,.rule.shut line{stroke:var(--close)}.rule.close text,.rule.shut text{fill:var(--close)}
.hit{fill:transparent}.hit:hover{fill:var(--hover)}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;color:var(--muted);font-size:13px;margin-top:4px}
.key{display:inline-block;width:18px;height:0;border-top:3px solid;vertical-align:middle;margin-right:5px}
.key.intended{border-color:var(--intended);border-top-style:dashed}.key.accepted{border-color:var(--accepted)}
.key.gap{height:10px;border:none;background:var(--gap)}.key.ponr{width:0;height:12px;border-top:none;border-left:2px solid var(--ponr)}
.key.dot{width:10px;height:10px;border-radius:50%;border:none;background:var(--accepted)}.key.short{background:var(--short)}
.key.eagain{background:transparent;border:2px solid var(--ponr)}
.bar{display:block;width:120px;height:10px}.bar .i{fill:var(--gap)}.bar .a{fill:var(--accepted)}
tr.lost td{background:var(--error-bg)}
.muted{color:var(--muted)}
.scroll{overflow-x:auto}
table.streams{font-size:14px}table.streams td:nth-child(2){overflow-wrap:anywhere;min-width:12em}
details summary{cursor:pointer;color:var(--muted);margin:6px 0}
footer{color:var(--muted);font-size:13px;margin-top:36px}
a{color:var(--accepted)}
`;

const STYLE_HASH = createHash("sha256").update(STYLE).digest("base64");

/** No script, no fetch of any kind: only the one inline style, allowed by its hash. */
export const HTML_REPORT_CSP =
  `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; script-src 'none'; img-src 'none'; font-src 'none'; ` +
  `connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'`;

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  return i >= 0 ? path.slice(i + 1) : path;
}

function tile(value: string, label: string, cls = ""): string {
  return `<div class="tile${cls === "" ? "" : ` ${cls}`}"><b>${value}</b><span>${label}</span></div>`;
}

function renderSummary(input: HtmlReportInput): string {
  const s = input.stats;
  const errors = input.findings.filter((f) => f.finding.severity === "error").length;
  const warnings = input.findings.length - errors;
  const out: string[] = [];
  out.push(`<section class="summary" id="summary">`);
  out.push(`<div class="tiles">`);
  out.push(tile(formatCount(errors), errors === 1 ? "error" : "errors", errors > 0 ? "bad" : "good"));
  out.push(tile(formatCount(warnings), warnings === 1 ? "warning" : "warnings"));
  out.push(tile(formatCount(s.lines), "lines"));
  out.push(tile(formatCount(s.syscalls), "syscalls"));
  out.push(tile(formatCount(s.writeAttempts), "write attempts"));
  out.push(tile(formatCount(input.streams.length + (input.streamsOmitted ?? 0)), "streams written"));
  out.push(tile(formatCount(s.unrecognized), "unrecognised lines", s.unrecognized > 0 ? "bad" : ""));
  out.push(`</div>`);
  if (s.traces.length > 1) {
    out.push(`<div class="scroll"><table class="traces"><thead><tr><th>trace</th><th class="num">lines</th><th class="num">syscalls</th><th class="num">findings</th></tr></thead><tbody>`);
    for (const t of s.traces) {
      out.push(`<tr><td class="mono">${esc(t.name)}</td><td class="num">${formatCount(t.lines)}</td><td class="num">${formatCount(t.syscalls)}</td><td class="num">${formatCount(t.findings)}</td></tr>`);
    }
    out.push(`</tbody></table></div>`);
  }
  out.push(`<h2>strace flags in evidence</h2>`);
  out.push(
    input.flags.length === 0
      ? `<p class="muted">none recognised (a plain <code>strace</code> run)</p>`
      : `<div class="chips">${input.flags.map((f) => `<span class="chip mono">${esc(f)}</span>`).join("")}</div>`,
  );
  out.push(`<h2>Trace quality</h2>`);
  if (input.notes.length === 0) out.push(`<p class="muted">nothing the trace is missing for this analysis</p>`);
  else {
    out.push(`<ul class="notes">`);
    for (const n of input.notes) {
      const trace = s.traces.length > 1 ? ` <span class="mono muted">${esc(n.trace)}</span>` : "";
      out.push(`<li><code>${esc(n.code)}</code>${trace} ${esc(n.message)}<div class="hint">hint: ${esc(n.hint)}</div></li>`);
    }
    out.push(`</ul>`);
  }
  out.push(`</section>`);
  return out.join("\n");
}

const LEGEND =
  `<div class="legend"><span><i class="key intended"></i>intended (high-water)</span><span><i class="key accepted"></i>accepted by the kernel</span>` +
  `<span><i class="key gap"></i>unsent</span><span><i class="key dot"></i>write</span><span><i class="key dot short"></i>short write</span>` +
  `<span><i class="key dot eagain"></i>EAGAIN</span><span><i class="key ponr"></i>point of no return</span><span>hover a call for its exact values</span></div>`;

function renderFinding(hf: HtmlFinding, n: number): string {
  const f = hf.finding;
  const out: string[] = [];
  out.push(`<article class="card finding ${f.severity === "error" ? "error" : "warning"}" id="finding-${n}" data-rule="${esc(f.rule)}">`);
  out.push(
    `<header><span class="badge ${f.severity === "error" ? "error" : "warning"}">${f.severity === "error" ? "error" : "warning"}</span>` +
      `<code>${esc(f.rule)}</code><span class="muted">${esc(f.code)}</span><span class="loc mono">${esc(f.file)}:${f.line}</span></header>`,
  );
  out.push(`<p class="message">${esc(f.message)}</p>`);
  const facts: [string, string][] = [
    ["unsent", `${f.unsentExact ? "" : "≥ "}${formatCount(f.unsentBytes)} B`],
    ["accepted before it", `${formatCount(f.acceptedBytes)} B`],
    ["stream", f.stream !== null ? esc(f.stream) : `${esc(f.streamKind)}, no -y name`],
    ["fd / pids", `${f.fd} / ${f.pids.length === 0 ? "?" : f.pids.map(String).join(", ")}`],
  ];
  if (f.lastWrite !== null) {
    facts.push(["last write", `${esc(f.lastWrite.syscall)} = ${esc(f.lastWrite.result)} (line ${f.lastWrite.line})`]);
  }
  if (f.elapsedUs !== null) facts.push(["last write → end", `${formatUs(f.elapsedUs)}${f.fromOtherTask !== null ? `, another ${f.fromOtherTask}` : ""}`]);
  else if (f.fromOtherTask !== null) facts.push(["ended by", `another ${f.fromOtherTask}`]);
  out.push(`<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join("")}</dl>`);
  if (hf.series !== null) {
    const label = `Bytes of fd ${f.fd}${f.stream !== null ? ` (${f.stream})` : ""}: intended and accepted over ${hf.series.points.length} call(s)`;
    out.push(`<figure>${renderSvgChart(hf.series, { label })}<figcaption>${LEGEND}</figcaption></figure>`);
  } else {
    out.push(`<p class="muted">no chart: the stream's calls were not kept</p>`);
  }
  out.push(`<table class="evidence"><thead><tr><th>where</th><th>call</th><th>what it means</th></tr></thead><tbody>`);
  const manyPids = new Set(f.evidence.map((e) => e.pid)).size > 1;
  for (const e of f.evidence) {
    const frame = e.role === "point-of-no-return" ? ownFrame(e.stack) : null;
    const pid = manyPids && e.pid !== null ? `<span class="muted">[${e.pid}]</span> ` : "";
    out.push(
      `<tr class="${e.role}"><td class="mono">${esc(baseName(e.file))}:${e.line}</td>` +
        `<td class="call mono">${pid}${esc(e.call)}${frame !== null ? `<div class="frame">in ${esc(frame)}</div>` : ""}</td>` +
        `<td class="note">${esc(e.note)}</td></tr>`,
    );
  }
  out.push(`</tbody></table>`);
  out.push(`</article>`);
  return out.join("\n");
}

function miniBar(t: StreamTotals): string {
  if (t.intendedBytes <= 0) return "";
  const w = 120;
  const a = Math.max(t.acceptedBytes > 0 ? 1 : 0, Math.round((t.acceptedBytes / t.intendedBytes) * w));
  return `<svg class="bar" viewBox="0 0 ${w} 10" aria-hidden="true"><rect class="i" width="${w}" height="10" rx="2"/><rect class="a" width="${a}" height="10" rx="2"/></svg>`;
}

function renderStreams(input: HtmlReportInput): string {
  const out: string[] = [];
  out.push(`<section id="streams"><h2>Every written stream (${formatCount(input.streams.length + (input.streamsOmitted ?? 0))})</h2>`);
  if (input.streams.length === 0) {
    out.push(`<p class="muted">the trace shows no write attempt</p></section>`);
    return out.join("\n");
  }
  out.push(
    `<div class="scroll"><table class="streams"><thead><tr><th class="num">fd</th><th>stream</th><th>pids</th><th class="num">writes</th><th class="num">EAGAIN</th>` +
      `<th class="num">short</th><th class="num">intended</th><th class="num">accepted</th><th>accepted share</th><th>ended by</th><th class="num">unsent at end</th></tr></thead><tbody>`,
  );
  for (const t of input.streams) {
    const lost = t.unsentAtEnd !== null && t.unsentAtEnd > 0 && (t.kind === "socket" || t.kind === "pipe");
    const name = t.name !== null ? `<span class="mono">${esc(t.name)}</span> <span class="muted">${esc(t.kind)}</span>` : `<span class="muted">${esc(t.kind)}</span>`;
    const ended = t.endedBy === null ? `<span class="muted">still open</span>` : `${esc(t.endedBy)} <span class="muted mono">:${t.endedAt?.line ?? ""}</span>`;
    const unsent = t.unsentAtEnd === null ? `<span class="muted">${formatCount(t.unsentBytes)}</span>` : `${t.exact ? "" : "≥"}${formatCount(t.unsentAtEnd)}`;
    out.push(
      `<tr class="${lost ? "lost" : ""}"><td class="num">${t.fd}</td><td>${name}</td><td class="mono">${t.pids.map(String).join(", ")}</td>` +
        `<td class="num">${formatCount(t.writes)}</td><td class="num">${formatCount(t.eagain)}</td><td class="num">${formatCount(t.short)}</td>` +
        `<td class="num" title="${formatCount(t.intendedBytes)} B">${compactBytes(t.intendedBytes)}</td>` +
        `<td class="num" title="${formatCount(t.acceptedBytes)} B">${compactBytes(t.acceptedBytes)}</td>` +
        `<td>${miniBar(t)}</td><td>${ended}</td><td class="num">${unsent}</td></tr>`,
    );
  }
  out.push(`</tbody></table></div>`);
  if ((input.streamsOmitted ?? 0) > 0) out.push(`<p class="muted">${plural(input.streamsOmitted ?? 0, "more stream")} not listed</p>`);
  out.push(`</section>`);
  return out.join("\n");
}

/** The whole report as one HTML document. Pure: everything from the trace is escaped. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const traces = input.stats.traces.map((t) => t.name);
  const title = traces.length === 1 ? (traces[0] as string) : `${traces.length} traces`;
  const n = input.findings.length;
  const out: string[] = [];
  out.push(`<!doctype html>`);
  out.push(`<html lang="en"><head><meta charset="utf-8">`);
  out.push(`<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`);
  out.push(`<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><meta name="referrer" content="no-referrer">`);
  out.push(`<title>${esc(input.tool)}: ${esc(title)}</title>`);
  out.push(`<style>${STYLE}</style></head><body><main>`);
  out.push(`<header><h1>${esc(input.tool)} report</h1><p class="sub mono">${traces.map(esc).join("<br>")}</p>`);
  out.push(`<p class="muted">${n === 0 ? "no stream was shut down, closed or abandoned with bytes unsent" : `${plural(n, "stream")} ended with bytes the program meant to send still unsent`}</p></header>`);
  out.push(renderSummary(input));
  out.push(`<section id="findings"><h2>Findings (${formatCount(n)})</h2>`);
  if (n === 0) out.push(`<p class="muted">none</p>`);
  input.findings.forEach((hf, i) => out.push(renderFinding(hf, i + 1)));
  out.push(`</section>`);
  out.push(renderStreams(input));
  out.push(
    `<footer>${esc(input.tool)} ${esc(input.version)}${input.generatedAt !== undefined ? ` · ${esc(input.generatedAt)}` : ""} · ` +
      `a self-contained page: no script, nothing loaded from anywhere</footer>`,
  );
  out.push(`</main></body></html>`);
  return `${out.join("\n")}\n`;
}
