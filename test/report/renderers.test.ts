// The pure renderers: the explanation block, the 80-column table, the JSON/NDJSON contract,
// colour rules and escaping of everything that came from a trace.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Finding } from "../../src/rules/finding.js";
import { escapeText, stringifyJson } from "../../src/report/escape.js";
import { ownFrame, renderExplanation } from "../../src/report/explanation.js";
import { renderFindingsTable } from "../../src/report/findings-table.js";
import { renderJsonReport, renderNdjsonFinding, renderNdjsonSummary } from "../../src/report/json-report.js";
import type { Report } from "../../src/report/json-report.js";
import { PLAIN, shouldColor } from "../../src/report/style.js";
import { renderTimeline } from "../../src/report/timeline-table.js";

function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: "shutdown-with-unsent",
    code: "SR101",
    severity: "error",
    file: "trace.log",
    line: 162,
    pid: 23458,
    pids: [23457, 23458],
    fd: 8,
    stream: "UNIX-STREAM:[158659->158658]",
    streamKind: "socket",
    unsentBytes: 3975121,
    unsentExact: true,
    acceptedBytes: 219264,
    lastWrite: { file: "trace.log", line: 160, pid: 23457, syscall: "writev", requested: 3975121, result: "-1 EAGAIN", accepted: 0 },
    elapsedUs: 360,
    fromOtherTask: "thread",
    message: "pid 23458 shut down fd 8 (UNIX-STREAM:[158659->158658]) while 3,975,121 bytes were never sent",
    evidence: [
      { file: "trace.log", line: 159, pid: 23457, time: 1, call: "writev(8, …, 2) = 219264", note: "4,194,385 requested (partial)", role: "write" },
      { file: "trace.log", line: 160, pid: 23457, time: 1, call: "writev(8, …, 1) = -1 EAGAIN", note: "3,975,121 requested, nothing accepted", role: "write" },
      { file: "trace.log", line: 162, pid: 23458, time: 1, call: "shutdown(8, SHUT_WR) = 0", note: "360 µs later, from another thread", role: "point-of-no-return" },
    ],
    ...over,
  };
}

const visibleWidth = (line: string): number => [...line.replace(/\x1b\[[0-9;]*m/g, "")].length;

const report = (findings: Finding[]): Report => ({
  tool: "strace-race",
  version: "0.1.0",
  findings,
  stats: { lines: 200, syscalls: 150, unrecognized: 0, foreign: 2, signals: 0, exits: 1, writeAttempts: 3, traces: [{ name: "trace.log", lines: 200, syscalls: 150, findings: findings.length }] },
  notes: [{ code: "SR205", trace: "trace.log", message: "no timestamps", hint: "record with -tt -T" }],
});

describe("explanation", () => {
  test("headline, the clause, and one evidence line per call with its meaning", () => {
    const text = renderExplanation(finding(), PLAIN, 100);
    const lines = text.trimEnd().split("\n");
    assert.equal(lines[0], "error[shutdown-with-unsent] trace.log:162: pid 23458 shut down fd 8 (UNIX-STREAM:[158659->158658])");
    assert.equal(lines[1], "  while 3,975,121 bytes were never sent");
    assert.match(lines[2]!, /^  trace\.log:159 +\[23457\] writev\(8, …, 2\) = 219264 +← 4,194,385 requested \(partial\)$/);
    assert.match(lines[4]!, /^  trace\.log:162 +\[23458\] shutdown\(8, SHUT_WR\) = 0 +← 360 µs later, from another thread$/);
    assert.equal(lines.length, 5);
  });

  test("-k: the program's own frame of the point of no return is shown under it", () => {
    const stack = [
      "/usr/lib/x86_64-linux-gnu/libc.so.6(shutdown+0x7) [0x10ad97]",
      "/tmp/srv(closer+0x71) [0x1670]",
      "/usr/lib/x86_64-linux-gnu/libc.so.6(start_thread+0x515) [0x891f5]",
    ];
    assert.equal(ownFrame(stack), "closer+0x71 (/tmp/srv)");
    assert.equal(ownFrame(stack.slice(0, 1)), null);
    assert.equal(ownFrame(["/opt/app/bin/server() [0x1234]"]), "/opt/app/bin/server");
    const f = finding();
    const evidence = f.evidence.map((e) => (e.role === "point-of-no-return" ? { ...e, stack } : e));
    const lines = renderExplanation({ ...f, evidence }, PLAIN, 120).trimEnd().split("\n");
    assert.match(lines.at(-1)!, /^ +in closer\+0x71 \(\/tmp\/srv\)$/);
  });

  test("a long call is shortened in its arguments, never in its result", () => {
    const f = finding();
    const long = "sendto(6, …, 14896226, MSG_NOSIGNAL|MSG_DONTWAIT|MSG_MORE, NULL, 0) = 219264";
    const evidence = f.evidence.map((e, i) => (i === 0 ? { ...e, call: long } : e));
    const text = renderExplanation({ ...f, evidence }, PLAIN, 200);
    assert.match(text, /\[23457\] sendto\(6, …, 14896226, MSG_NO[^\n]*…\) = 219264 /);
  });

  test("evidence notes move to their own line on a narrow terminal", () => {
    for (const line of renderExplanation(finding(), PLAIN, 60).split("\n").slice(2)) assert.ok(visibleWidth(line) <= 60, line);
  });

  test("control bytes from the trace are escaped", () => {
    const text = renderExplanation(finding({ file: "evil\x1b]0;owned\x07.log", stream: null, message: "pid 1 shut down\x1b[2J fd 8 while 1 byte was never sent" }), PLAIN);
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(text), JSON.stringify(text));
    assert.match(text, /evil\\x1b\]0;owned\\x07\.log:162/);
    assert.equal(escapeText("a\tb\nc\u009b"), "a\tb\\x0ac\\x9b");
  });
});

describe("table", () => {
  test("fits 80 columns, one sentence per finding, no escape codes without colour", () => {
    const text = renderFindingsTable(
      [finding(), finding({ rule: "exit-with-unsent", code: "SR103", severity: "warning", file: "/very/long/path/to/a/trace-file-name.strace", stream: null })],
      { style: PLAIN, columns: 80 },
    );
    for (const line of text.trimEnd().split("\n")) assert.ok(visibleWidth(line) <= 80, `${visibleWidth(line)}: ${line}`);
    assert.ok(!text.includes("\x1b"));
    // The "what happened" column, cell lines joined back into sentences.
    const flat = text
      .split("\n")
      .map((l) => l.split("│")[3]?.trim() ?? "|")
      .join(" ");
    assert.match(flat, /pid 23458 shut down fd 8 \(UNIX-STREAM:\[158659->158658\]\) with 3,975,121 bytes never sent/);
    assert.match(flat, /exited holding fd 8 with 3,975,121 bytes never sent/);
  });

  test("colour codes only when colour is on", () => {
    assert.ok(renderFindingsTable([finding()], { style: { color: true }, columns: 80 }).includes("\x1b["));
    assert.ok(renderExplanation(finding(), { color: true }).includes("\x1b[1;31m"));
  });
});

describe("colour decision", () => {
  test("--color / --no-color / NO_COLOR / TTY", () => {
    assert.equal(shouldColor(undefined, true, {}), true);
    assert.equal(shouldColor(undefined, false, {}), false);
    assert.equal(shouldColor(undefined, true, { NO_COLOR: "1" }), false);
    assert.equal(shouldColor(undefined, true, { NO_COLOR: "" }), true);
    assert.equal(shouldColor(true, false, { NO_COLOR: "1" }), true);
    assert.equal(shouldColor(false, true, {}), false);
  });
});

describe("JSON contract", () => {
  test("--format json: tool, version, findings with the documented fields, stats, notes", () => {
    const obj = JSON.parse(renderJsonReport(report([finding()])));
    assert.deepEqual(Object.keys(obj), ["tool", "version", "findings", "stats", "notes"]);
    const f = obj.findings[0];
    for (const k of ["rule", "severity", "file", "line", "pid", "fd", "stream", "unsentBytes", "unsentExact", "lastWrite", "message", "evidence"]) {
      assert.ok(k in f, k);
    }
    assert.deepEqual(Object.keys(f.lastWrite).slice(0, 1), ["file"]);
    for (const k of ["file", "line", "syscall", "requested", "result"]) assert.ok(k in f.lastWrite, k);
    for (const k of ["lines", "syscalls", "unrecognized", "foreign"]) assert.equal(typeof obj.stats[k], "number", k);
  });

  test("--format json printed piece by piece is byte for byte the whole report stringified", () => {
    const odd = finding({ file: "a\u0085b\u2028c\u202ed\x1be\n", pids: [], evidence: [] });
    const cases: Report[] = [
      report([]),
      report([finding()]),
      report([finding(), odd, finding({ lastWrite: null, stream: null })]),
      { ...report([odd]), notes: [] },
    ];
    for (const r of cases) {
      const text = renderJsonReport(r);
      assert.equal(text, `${stringifyJson(r, 2)}\n`);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(r)));
      assert.ok(!/[\u0085\u2028\u202e\x1b]/.test(text), "unsafe characters are escaped");
    }
  });

  test("--format ndjson: one finding object per line, then a summary", () => {
    const line = renderNdjsonFinding(finding({ file: "a\x1bb" }));
    assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"));
    assert.ok(!line.includes("\x1b"), "JSON escapes control bytes");
    const parsed = JSON.parse(line);
    assert.equal(parsed.type, "finding");
    assert.equal(parsed.unsentBytes, 3975121);
    const summary = JSON.parse(renderNdjsonSummary(report([]), 1, 1));
    assert.equal(summary.type, "summary");
    assert.equal(summary.findings, 2);
    assert.equal(summary.errors, 1);
    assert.equal(summary.warnings, 1);
    assert.equal(summary.stats.syscalls, 150);
  });
});

describe("timeline", () => {
  test("one row per event with requested, accepted and unsent after", () => {
    const text = renderTimeline(
      {
        fd: 4,
        name: "UNIX-STREAM:[1->2]",
        kind: "socket",
        rows: [
          { time: 10, file: "t", line: 41, pid: 1, fd: 4, syscall: "writev", requested: 1048639, requestedExact: true, accepted: 219264, result: "219264", unsentAfter: 829375 },
          { time: 10.000122, file: "t", line: 42, pid: 1, fd: 4, syscall: "writev", requested: 829375, requestedExact: true, accepted: 0, result: "-1 EAGAIN", unsentAfter: 829375 },
          { time: 10.000184, file: "t", line: 43, pid: 1, fd: 4, syscall: "shutdown WR", requested: null, requestedExact: true, accepted: null, result: "= 0", unsentAfter: 829375 },
        ],
      },
      PLAIN,
    );
    assert.match(text, /^fd 4 \(UNIX-STREAM:\[1->2\]\): 3 event\(s\), 829,375 bytes unsent at the end\n/);
    assert.match(text, /\+0\.000122 │ *42 │writev +│ *829,375 │ *0 │-1 EAGAIN/);
    for (const line of text.trimEnd().split("\n")) assert.ok(visibleWidth(line) <= 80, line);
  });
});
