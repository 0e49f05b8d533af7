// The chart data built from the stream model's events and the terminal chart drawn from it:
// totals after each call, thinning, markers, width, colour and escaping.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createAnalyzer } from "../../src/analysis.js";
import type { Finding } from "../../src/analysis.js";
import { readdirSync } from "node:fs";
import { ChartCollector, SeriesBuilder, chartAxis, chartPointOf, compactBytes, seriesFromSamples } from "../../src/report/chart-data.js";
import type { ChartSample, StreamSeries } from "../../src/report/chart-data.js";
import { renderTerminalChart } from "../../src/report/terminal-chart.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { buildReport } from "../browser/build-report.js";

/** Inline strace text through the real parser and analyzer, with a collector watching. */
function collect(text: string): { collector: ChartCollector; findings: Finding[] } {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const parser = createEventParser({ file: "trace.log" });
  const collector = new ChartCollector();
  const analyzer = createAnalyzer({ trace: "trace.log", onModelEvent: collector.onModelEvent });
  const out: TraceEvent[] = [];
  parser.push(lines, 1, out);
  parser.end(out);
  const findings = [...analyzer.push(out), ...analyzer.end()];
  return { collector, findings };
}

const EAGAIN_TRACE = `
  100 00:00:01.000000 socketpair(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0, [3, 4]) = 0
  100 00:00:01.000100 write(3, "AAAA"..., 65536) = 65536
  100 00:00:01.000200 write(3, "AAAA"..., 65536) = 8064
  100 00:00:01.000300 write(3, "AAAA"..., 57472) = -1 EAGAIN (Resource temporarily unavailable)
  100 00:00:01.000900 write(3, "AAAA"..., 57472) = 1000
  100 00:00:01.001000 shutdown(3, SHUT_WR) = 0
  100 00:00:01.002000 close(3) = 0
`;

const ESC = "\x1b";
const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");
const width = (line: string): number => [...strip(line)].length;

async function hyperSeries(file = "samples/hyper-short-write/f-tt-T.strace"): Promise<StreamSeries> {
  const r = await buildReport([file]);
  assert.equal(r.findings.length, 1);
  const s = r.collector.seriesFor(r.findings[0]!);
  assert.ok(s !== null, "the finding's stream has a series");
  return s;
}

describe("chart data", () => {
  test("after each call: intended high-water, accepted total and unsent, from the model", () => {
    const { collector, findings } = collect(EAGAIN_TRACE);
    assert.equal(findings.length, 1);
    const s = collector.seriesFor(findings[0]!);
    assert.ok(s !== null);
    assert.deepEqual(
      s.points.map((p) => [p.kind, p.call, p.intendedTotal, p.acceptedTotal, p.unsent]),
      [
        ["write", "write", 65536, 65536, 0],
        ["write", "write", 131072, 73600, 57472],
        ["write", "write", 131072, 73600, 57472],
        ["write", "write", 131072, 74600, 56472],
        ["shutdown", "shutdown WR", 131072, 74600, 56472],
        ["release", "close", 131072, 74600, 56472],
      ],
    );
    assert.deepEqual(
      s.points.map((p) => [p.eagain, p.short, p.endsWriteSide]),
      [
        [false, false, false],
        [false, true, false],
        [true, false, false],
        [false, true, false],
        [false, false, true],
        [false, false, true],
      ],
    );
    assert.equal(s.pointOfNoReturn, 4, "the shutdown, not the later close");
    assert.equal(findings[0]!.unsentBytes, s.points[4]!.unsent);
    const axis = chartAxis(s.points);
    assert.equal(axis.mode, "time");
    assert.ok(Math.abs(axis.max - 0.0019) < 1e-9, "from the first write to the close");
  });

  test("the bundled hyper sample: one short sendto of 14,896,226 bytes, 3,919,872 accepted", async () => {
    const s = await hyperSeries();
    assert.equal(s.fd, 6);
    assert.deepEqual(
      s.points.map((p) => [p.line, p.call, p.intendedTotal, p.acceptedTotal]),
      [
        [48, "sendto", 14896226, 3919872],
        [49, "shutdown WR", 14896226, 3919872],
        [59, "close", 14896226, 3919872],
      ],
    );
    assert.equal(s.points[s.pointOfNoReturn]?.line, 49);
  });

  test("streams the program only read or closed cleanly keep totals but no series", () => {
    const { collector } = collect(`
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 write(3, "hello", 5) = 5
      100 close(3) = 0
      100 close(4) = 0
    `);
    const { streams, omitted } = collector.streams();
    assert.equal(omitted, 0);
    assert.equal(streams.length, 1);
    assert.deepEqual([streams[0]!.fd, streams[0]!.writes, streams[0]!.acceptedBytes, streams[0]!.endedBy, streams[0]!.unsentAtEnd], [3, 1, 5, "close", 0]);
    assert.equal(collector.seriesFor({ file: "trace.log", line: 3, fd: 3 }), null);
  });

  test("a long stream is thinned in pairs: bounded points, every call and marker still counted", () => {
    const b = new SeriesBuilder(3, null, "socket", 16);
    const write = (i: number, eagain: boolean): ChartSample => ({
      kind: "write",
      time: i,
      file: "t",
      line: i,
      pid: 1,
      fd: 3,
      call: "write",
      summary: "write(3, …, 10) = 10",
      requested: 10,
      requestedExact: true,
      accepted: eagain ? 0 : 10,
      intendedTotal: i * 10,
      acceptedTotal: i * 10,
      unsent: 0,
      eagain,
      short: false,
      endsWriteSide: false,
      notLast: false,
    });
    for (let i = 1; i <= 100; i++) b.add(write(i, i % 10 === 0));
    b.add({ ...write(101, false), kind: "shutdown", call: "shutdown WR", requested: null, accepted: null, endsWriteSide: true });
    for (let i = 102; i <= 140; i++) b.add(write(i, false));
    const s = b.series();
    assert.ok(s.points.length <= 16, `${s.points.length} points`);
    assert.equal(s.calls, 140);
    assert.equal(s.points.reduce((n, p) => n + p.calls, 0), 140);
    assert.equal(s.points.reduce((n, p) => n + p.eagainCount, 0), 10);
    assert.equal(s.points[s.pointOfNoReturn]?.line, 101);
    assert.equal(s.points.at(-1)?.acceptedTotal, 1400, "the last totals survive");
    // Buckets stay even: old points do not swallow ever more calls than new ones.
    // (A bucket cut short by the shutdown, and the last one, may be smaller.)
    const sizes = s.points.filter((p, i) => p.kind === "write" && s.points[i + 1]?.kind === "write").map((p) => p.calls);
    assert.ok(Math.max(...sizes) <= 2 * Math.min(...sizes), `bucket sizes ${sizes.join(",")}`);
  });

  test("compact byte labels", () => {
    assert.deepEqual([0, 999, 1000, 14896226, 219264, 2.5e9].map(compactBytes), ["0 B", "999 B", "1.00 kB", "14.9 MB", "219 kB", "2.50 GB"]);
  });
});

describe("terminal chart", () => {
  test("80 columns: fits, draws both areas and every marker, no escape byte without colour", async () => {
    const out = renderTerminalChart(await hyperSeries(), { width: 80, color: false });
    const lines = out.trimEnd().split("\n");
    assert.ok(!out.includes(ESC));
    for (const l of lines) assert.ok(width(l) <= 80, `too wide (${width(l)}): ${l}`);
    const axis = lines.find((l) => l.includes("└"))!;
    assert.equal(width(axis), 80, "the plot uses the whole width");
    assert.match(lines[0]!, /fd 6 \(socket\)/);
    assert.equal(lines[1], "14,896,226 B intended, 3,919,872 accepted, 10,976,354 unsent at line 49");
    assert.match(lines[2]!, /^14\.9 MB ┤░/, "the top row is the intended high-water mark, unsent");
    const plot = lines.filter((l) => l.includes("┤"));
    assert.equal(plot.length, 10);
    assert.ok(plot.at(-1)!.includes("█"), "the bottom rows are accepted bytes");
    // Accepted is about a quarter of intended: 3 of 10 rows.
    assert.equal(plot.filter((l) => l.includes("█")).length, 3);
    const marks = lines[lines.indexOf(axis) + 1]!;
    // The short sendto at +0, the shutdown at +729 µs and the close at +2.9 ms, in that order.
    assert.match(marks, /^ +s +! +c$/);
    const col = (ch: string) => marks.indexOf(ch) - 9;
    assert.ok(Math.abs(col("!") / 70 - 729 / 2904) < 0.03, "markers sit where their time is");
    assert.match(lines[lines.indexOf(axis) + 2]!, /\+0 s +\+2\.90 ms$/);
    assert.ok(out.includes("! point of no return") && out.includes("e EAGAIN") && out.includes("c close"));
  });

  test("160 columns: the wide terminal's width is used, still within it", async () => {
    const out = renderTerminalChart(await hyperSeries(), { width: 160, color: false });
    const lines = out.trimEnd().split("\n");
    for (const l of lines) assert.ok(width(l) <= 160, `too wide (${width(l)}): ${l}`);
    assert.equal(width(lines.find((l) => l.includes("└"))!), 160);
    assert.ok(lines.filter((l) => l.includes("┤")).every((l) => width(l) > 150));
    // The legend fits on one line when there is room.
    assert.equal(lines.filter((l) => l.includes("accepted  ")).length, 1);
  });

  test("EAGAIN and short writes are marked; a narrow terminal is clamped to 40 columns", () => {
    const { collector, findings } = collect(EAGAIN_TRACE);
    const s = collector.seriesFor(findings[0]!)!;
    const out = renderTerminalChart(s, { width: 20, color: false });
    for (const l of out.trimEnd().split("\n")) assert.ok(width(l) <= 40, l);
    const wide = renderTerminalChart(s, { width: 100, color: false }).split("\n");
    const marks = wide[wide.findIndex((l) => l.includes("└")) + 1]!.trim();
    assert.deepEqual([...marks.replace(/ /g, "")], ["s", "e", "s", "!", "c"]);
  });

  test("colour on: the same chart with SGR codes", async () => {
    const s = await hyperSeries();
    const plain = renderTerminalChart(s, { width: 80, color: false });
    const painted = renderTerminalChart(s, { width: 80, color: true });
    assert.ok(painted.includes(`${ESC}[32m█`));
    assert.ok(painted.includes(`${ESC}[1;31m!`));
    assert.equal(strip(painted), plain);
  });

  test("without timestamps the x axis is the call index", async () => {
    const s = await hyperSeries("samples/hyper-short-write/f.strace");
    const out = renderTerminalChart(s, { width: 80, color: false });
    assert.match(out, /call 1 +call 3\n/);
    assert.ok(out.includes("x: call index (no timestamps)"));
    const lines = out.split("\n");
    const marks = lines[lines.findIndex((l) => l.includes("└")) + 1]!;
    // Three calls share the columns equally: each marker starts its third.
    assert.deepEqual([marks.indexOf("s"), marks.indexOf("!"), marks.indexOf("c")].map((c) => Math.round(((c - 9) * 3) / 71)), [0, 1, 2]);
  });

  test("a tiny gap still shows as unsent; a hostile stream name is escaped", () => {
    const s = seriesFromSamples({ fd: 9, name: "\x1b]0;pwned\x07", kind: "socket" }, [
      {
        kind: "write",
        time: null,
        file: "t",
        line: 1,
        pid: 1,
        fd: 9,
        call: "write",
        summary: "write(9, …, 1000001) = 1000000",
        requested: 1000001,
        requestedExact: true,
        accepted: 1000000,
        intendedTotal: 1000001,
        acceptedTotal: 1000000,
        unsent: 1,
        eagain: false,
        short: true,
        endsWriteSide: false,
        notLast: false,
      },
    ]);
    const out = renderTerminalChart(s, { width: 60, color: false });
    assert.ok(!out.includes(ESC) && !out.includes("\x07"));
    assert.ok(out.includes("\\x1b]0;pwned\\x07"));
    const top = out.split("\n")[2]!;
    assert.ok(top.includes("░") && !top.includes("█"), "one byte unsent of a million is one cell, not none");
  });

  test("the timeline wiring: one fd's samples via chartPointOf, then seriesFromSamples", () => {
    const samples: ChartSample[] = [];
    const parser = createEventParser({ file: "trace.log" });
    const analyzer = createAnalyzer({
      onModelEvent: (ev) => {
        if ((ev.kind === "attempt" ? ev.attempt.fd : ev.fd) === 3) samples.push(chartPointOf(ev));
      },
    });
    const out: TraceEvent[] = [];
    parser.push(EAGAIN_TRACE.split("\n").map((l) => l.trim()).filter((l) => l !== ""), 1, out);
    parser.end(out);
    analyzer.push(out);
    const chart = renderTerminalChart(seriesFromSamples({ fd: 3, name: null, kind: "socket" }, samples), { width: 80, color: false });
    assert.match(chart, /^bytes of fd 3 \(socket\) over 6 call\(s\)/);
    assert.ok(chart.includes("131,072 B intended, 74,600 accepted, 56,472 unsent at line 6"));
  });

  test("every sample with a finding: charts fit 80 and 160 columns", async () => {
    let charted = 0;
    for (const dir of readdirSync("samples", { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      for (const name of ["f-tt-T.strace", "f.strace"]) {
        const file = `samples/${dir.name}/${name}`;
        if (!readdirSync(`samples/${dir.name}`).includes(name)) continue;
        const r = await buildReport([file]);
        for (const f of r.findings) {
          const s = r.collector.seriesFor(f);
          assert.ok(s !== null, `${file}:${f.line} has a series`);
          assert.equal(s.points[s.pointOfNoReturn]?.line, f.line, `${file}: the chart's point of no return is the finding's`);
          for (const w of [80, 160]) {
            for (const l of renderTerminalChart(s, { width: w, color: false }).trimEnd().split("\n")) assert.ok(width(l) <= w, `${file} at ${w}: ${l}`);
          }
          charted++;
        }
      }
    }
    assert.ok(charted >= 10, `${charted} findings charted`);
  });
});
