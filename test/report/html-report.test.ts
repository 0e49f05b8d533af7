// The HTML report as text: self-contained (no script, nothing fetched, the one style allowed by
// its hash), the summary, a card per finding with its chart, the stream overview, and escaping
// of everything that came from the trace.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import type { Finding } from "../../src/analysis.js";
import { seriesFromSamples } from "../../src/report/chart-data.js";
import type { ChartSample } from "../../src/report/chart-data.js";
import { renderSvgChart } from "../../src/report/html-chart.js";
import { escapeHtml } from "../../src/report/html-escape.js";
import { HTML_REPORT_CSP, renderHtmlReport } from "../../src/report/html-report.js";
import type { HtmlReportInput } from "../../src/report/html-report.js";
import { buildReport } from "../browser/build-report.js";

/** The tags and attributes the report itself writes: anything else came from a trace. */
const TAGS = new Set(
  "html head meta title style body main header h1 h2 p br section div b span table thead tbody tr th td code ul li article dl dt dd figure figcaption svg g line text path polygon circle rect i details summary footer".split(" "),
);
const ATTRS = new Set(
  "lang charset http-equiv content name class id role aria-label aria-hidden viewbox data-points data-series data-marker data-rule data-line x y x1 x2 y1 y2 dx d points cx cy r rx width height text-anchor dominant-baseline pointer-events title".split(" "),
);

/** Every tag name and attribute name in the document (a tokenizer's view, not a DOM's). */
function markup(html: string): { tags: Set<string>; attrs: Set<string> } {
  const tags = new Set<string>();
  const attrs = new Set<string>();
  const body = html.replace(/<style>[\s\S]*?<\/style>/, "<style></style>");
  for (const m of body.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    tags.add(m[1]!.toLowerCase());
    for (const a of m[2]!.matchAll(/([^\s"'=<>/]+)(?:="[^"]*")?/g)) attrs.add(a[1]!.toLowerCase());
  }
  return { tags, attrs };
}

const EVIL = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'"</style>&amp;\x1b[31m\x07\u2028`;

function sample(over: Partial<ChartSample>): ChartSample {
  return {
    kind: "write",
    time: 1,
    file: EVIL,
    line: 1,
    pid: 7,
    fd: 5,
    call: "write",
    summary: `write(5, ${EVIL}) = 10`,
    requested: 100,
    requestedExact: true,
    accepted: 10,
    intendedTotal: 100,
    acceptedTotal: 10,
    unsent: 90,
    eagain: false,
    short: true,
    endsWriteSide: false,
    notLast: false,
    ...over,
  };
}

function hostileInput(): HtmlReportInput {
  const finding: Finding = {
    rule: "shutdown-with-unsent",
    code: "SR101",
    severity: "error",
    file: EVIL,
    line: 3,
    pid: 7,
    pids: [7],
    fd: 5,
    stream: EVIL,
    streamKind: "socket",
    unsentBytes: 90,
    unsentExact: true,
    acceptedBytes: 10,
    lastWrite: { file: EVIL, line: 1, pid: 7, syscall: EVIL, requested: 100, result: EVIL, accepted: 10 },
    elapsedUs: 100,
    fromOtherTask: null,
    message: `pid 7 shut down fd 5 (${EVIL}) while 90 bytes were never sent`,
    evidence: [
      { file: EVIL, line: 1, pid: 7, time: 1, call: EVIL, note: EVIL, role: "write" },
      { file: EVIL, line: 3, pid: 7, time: 1.0001, call: EVIL, note: EVIL, role: "point-of-no-return", stack: [`/tmp/${EVIL}(closer+0x1) [0x1]`] },
    ],
  };
  const series = seriesFromSamples({ fd: 5, name: EVIL, kind: "socket" }, [
    sample({}),
    sample({ kind: "shutdown", call: EVIL, time: 1.0001, line: 3, requested: null, accepted: null, short: false, endsWriteSide: true }),
  ]);
  return {
    tool: "strace-race",
    version: "0.1.0",
    stats: { lines: 3, syscalls: 3, unrecognized: 1, foreign: 0, signals: 0, exits: 0, writeAttempts: 1, traces: [{ name: EVIL, lines: 3, syscalls: 3, findings: 1 }, { name: `${EVIL}2`, lines: 0, syscalls: 0, findings: 0 }] },
    flags: [EVIL],
    notes: [{ code: EVIL, trace: EVIL, message: EVIL, hint: EVIL }],
    findings: [{ finding, series }],
    streams: [
      {
        order: 1,
        fd: 5,
        name: EVIL,
        kind: EVIL,
        pids: [7],
        writes: 1,
        eagain: 0,
        short: 1,
        intendedBytes: 100,
        acceptedBytes: 10,
        unsentBytes: 90,
        exact: true,
        endedBy: EVIL,
        endedAt: { file: EVIL, line: 3 },
        unsentAtEnd: 90,
        firstTime: 1,
        lastTime: 1.0001,
      },
    ],
    generatedAt: EVIL,
  };
}

describe("html escaping", () => {
  test("the five specials become entities, control bytes visible escapes", () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    assert.equal(escapeHtml("\x1b[31m\x00\u2028"), "\\x1b[31m\\x00\\u2028");
    assert.equal(escapeHtml("ok \ud800 é 🙂"), "ok \ufffd é 🙂");
  });
});

describe("html report", () => {
  test("a hostile trace: its text appears only escaped, no tag or attribute of its own", () => {
    const html = renderHtmlReport(hostileInput());
    const { tags, attrs } = markup(html);
    assert.deepEqual([...tags].filter((t) => !TAGS.has(t)), []);
    assert.deepEqual([...attrs].filter((a) => !ATTRS.has(a)), []);
    assert.ok(!/<script|<img|onerror=/i.test(html.replace(/&lt;script|&lt;img|onerror=&quot;/g, "")));
    assert.equal(html.split("</style>").length, 2, "only the report's own </style>");
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f\u2028]/.test(html), "no raw control byte");
    const escaped = escapeHtml(EVIL);
    assert.ok(escaped.includes("&lt;script&gt;") && escaped.includes("\\x1b"));
    // Every place it was put shows it, as text: trace names, flag, note, message, stream, calls, chart.
    assert.ok(html.split(escaped).length - 1 >= 12, `${html.split(escaped).length - 1} escaped copies`);
  });

  test("self-contained: strict CSP whose hash is the inline style's, no script, nothing to fetch", () => {
    const html = renderHtmlReport(hostileInput());
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash("sha256").update(style).digest("base64");
    assert.ok(HTML_REPORT_CSP.includes(`style-src 'sha256-${hash}'`));
    assert.ok(HTML_REPORT_CSP.startsWith("default-src 'none';") && HTML_REPORT_CSP.includes("script-src 'none'"));
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`));
    assert.ok(html.indexOf("Content-Security-Policy") < html.indexOf("<style>"), "the policy comes before the style");
    assert.ok(!/https?:|\burl\(|@import/i.test(html));
    const { attrs } = markup(html);
    assert.ok(!attrs.has("src") && !attrs.has("href") && !attrs.has("style"), "nothing to load, no inline style attribute");
  });

  test("the bundled hyper sample: summary, the finding with evidence and chart, every stream", async () => {
    const { html, input } = await buildReport(["samples/hyper-short-write/f-tt-T.strace"]);
    assert.ok(html.includes("<title>strace-race: samples/hyper-short-write/f-tt-T.strace</title>"));
    for (const flag of ["-f", "-tt", "-T"]) assert.ok(input.flags.includes(flag), flag);
    assert.ok(html.includes(`<span class="chip mono">-tt</span>`));
    assert.match(html, /<b>1<\/b><span>error<\/span>/);
    assert.match(html, /<b>63<\/b><span>lines<\/span>/);
    assert.equal(html.match(/<article class="card finding error"/g)?.length, 1);
    assert.ok(html.includes("pid 9349 shut down socket fd 6 while 10,976,354 bytes were never sent"));
    assert.ok(html.includes("sendto(6, …, 14896226, MSG_NOSIGNAL, NULL, 0) = 3919872"));
    assert.match(html, /<tr class="point-of-no-return"><td class="mono">f-tt-T\.strace:49<\/td>/);
    // The chart: both series, the gap, three calls, the point of no return at the shutdown.
    assert.match(html, /<path class="series intended" data-series="intended" d="M[^"]+"/);
    assert.match(html, /<path class="series accepted" data-series="accepted" d="M[^"]+"/);
    assert.ok(html.includes(`data-marker="point-of-no-return"`));
    assert.ok(html.includes(">shutdown: point of no return</text>"));
    assert.equal(html.match(/<rect class="hit"/g)?.length, 3);
    assert.match(html, /<text class="gap-label" data-marker="unsent"[^>]*>10,976,354 B never sent<\/text>/);
    assert.ok(html.includes("requested 14,896,226 · accepted 3,919,872 (short write)"));
    assert.ok(html.includes("intended so far 14,896,226 · accepted so far 3,919,872 · unsent 10,976,354"));
    // Every written stream, the lost one marked.
    assert.match(html, /Every written stream \(5\)/);
    assert.equal(html.match(/<tr class="lost">/g)?.length, 1);
    assert.ok(html.includes("time since the first call on this stream"));
  });

  test("the shutdown's x sits at its time between the sendto and the close", async () => {
    const { html } = await buildReport(["samples/hyper-short-write/f-tt-T.strace"]);
    const xs = [...html.matchAll(/<g class="rule [a-z]+" data-marker="([a-z-]+)"><line x1="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    assert.deepEqual(xs.map(([m]) => m), ["point-of-no-return", "close"]);
    const dot = Number(/<circle class="dot short" data-marker="short" cx="([\d.]+)"/.exec(html)![1]);
    const [ponr, close] = [xs[0]![1], xs[1]![1]];
    assert.ok(Math.abs((ponr - dot) / (close - dot) - 729 / 2904) < 0.01);
  });

  test("no timestamps: the chart runs over the call index; no findings: says so", async () => {
    const { html } = await buildReport(["samples/hyper-short-write/f.strace"]);
    assert.ok(html.includes("call on this stream (the trace has no timestamps)"));
    // Its expected.json: no finding (a dup kept the stream alive until it was drained).
    const clean = await buildReport(["samples/dup-keeps-alive/f-tt-T.strace"]);
    assert.equal(clean.findings.length, 0);
    assert.ok(clean.html.includes("Findings (0)"));
    assert.ok(!clean.html.includes(`<svg class="chart"`));
    assert.ok(clean.html.includes("no stream was shut down, closed or abandoned with bytes unsent"));
  });

  test("a dense series: no smear of dots, a rug of EAGAIN and short-write ticks, hover bands per point", () => {
    const samples: ChartSample[] = [];
    for (let i = 1; i <= 600; i++) {
      const eagain = i % 50 === 0;
      samples.push(sample({ file: "t", summary: "w", time: i, line: i, eagain, short: i % 75 === 0, intendedTotal: i * 10, acceptedTotal: i * 10 - (eagain ? 10 : 0) }));
    }
    const svg = renderSvgChart(seriesFromSamples({ fd: 3, name: null, kind: "socket" }, samples), { label: "dense" });
    assert.equal(svg.match(/<circle /g), null);
    assert.equal(svg.match(/class="rug eagain"/g)?.length, 12);
    assert.equal(svg.match(/class="rug short"/g)?.length, 8);
    assert.equal(svg.match(/<rect class="hit"/g)?.length, 600);
  });
});
