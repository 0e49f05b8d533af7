// `analyze --format json` prints each finding once it can no longer change and forgets it, so
// memory stays flat on long traces. The document must still be exactly the one the whole
// report renders to: every sample recording is compared byte for byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PassThrough } from "node:stream";
import { createAnalyzer } from "../../src/analysis.js";
import type { Finding } from "../../src/analysis.js";
import { runAnalyze } from "../../src/cli/commands/analyze.js";
import { readTraceEvents, resolveTraces } from "../../src/pipeline/trace-input.js";
import { ARGS_NEEDED } from "../../src/model/args-needed.js";
import { stringifyJson } from "../../src/report/escape.js";
import { renderJsonReport } from "../../src/report/json-report.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { TOOL_NAME, TOOL_VERSION } from "../../src/version.js";
import { quietIo } from "../helpers/quiet-io.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const samples = join(root, "samples");

async function printed(path: string): Promise<string> {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString("utf8")));
  await runAnalyze({ paths: [path], format: "json", "fail-on": "never" } as never, quietIo(out));
  return text;
}

/** The whole report, built the simple way: every finding kept until the end. */
async function whole(path: string): Promise<string> {
  const { groups } = await resolveTraces([path]);
  const findings: Finding[] = [];
  const notes = [];
  const totals = { lines: 0, syscalls: 0, unrecognized: 0, foreign: 0, signals: 0, exits: 0, writeAttempts: 0 };
  const traces = [];
  for (const group of groups) {
    const analyzer = createAnalyzer({ trace: group.name });
    const reading = readTraceEvents(group, quietIo(), { argsNeeded: ARGS_NEEDED });
    for await (const batch of reading.batches) findings.push(...analyzer.push(batch));
    findings.push(...analyzer.end());
    const st = analyzer.stats;
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += st[k];
    traces.push({ name: group.name, lines: st.lines, syscalls: st.syscalls, findings: st.findings });
    notes.push(...analyzer.notes);
  }
  // The document as JSON.stringify makes it (escaped as the tool escapes JSON), independent of
  // the writer, and as renderJsonReport makes it.
  const doc = { tool: TOOL_NAME, version: TOOL_VERSION, findings, stats: { ...totals, traces }, notes };
  const text = `${stringifyJson(doc, 2)}\n`;
  assert.equal(renderJsonReport(doc), text);
  return text;
}

const traces: string[] = [];
for (const c of existsSync(samples) ? readdirSync(samples).sort() : []) {
  const dir = join(samples, c);
  if (!statSync(dir).isDirectory()) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith(".strace")) traces.push(join(dir, f));
}

test("the streamed JSON document is byte for byte the whole report, on every sample recording", async () => {
  assert.ok(traces.length >= 100, `found ${traces.length} recordings`);
  let withFindings = 0;
  for (const t of traces) {
    const a = await printed(t);
    assert.equal(a, await whole(t), t);
    if (JSON.parse(a).findings.length > 0) withFindings++;
  }
  assert.ok(withFindings > 50, `${withFindings} recordings have findings`);
});

function feed(lines: string[]) {
  const parser = createEventParser({ file: "t" });
  const out: TraceEvent[] = [];
  parser.push(lines, 1, out);
  parser.end(out);
  return out;
}

test("a finding is final once its stream is gone and a held failed write can no longer join it", () => {
  const analyzer = createAnalyzer({ trace: "t" });
  const head = feed([
    '1 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5',
    '1 connect(5, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
    '1 write(5, "xxxxxxxxxx", 10) = 4',
    "1 shutdown(5, SHUT_WR) = 0",
  ]);
  const [f] = analyzer.push(head);
  assert.ok(f !== undefined, "shutdown with unsent bytes is found");
  assert.equal(analyzer.isFinal(f), false, "the stream is still open: a later close or reset may add evidence");
  analyzer.push(feed(["1 close(5) = 0"]));
  assert.equal(analyzer.isFinal(f), false, "a failed write held for its SIGPIPE may still join it");
  analyzer.push(feed(Array.from({ length: 40 }, () => "2 getpid() = 2")));
  assert.equal(analyzer.isFinal(f), true);
  const other = createAnalyzer({ trace: "t" });
  const [g] = other.push(head);
  assert.equal(other.isFinal(g), false);
  other.end();
  assert.equal(other.isFinal(g), true, "everything is final at the end of the trace");
});

test("a finding whose stream stays open holds back at most a thousand later ones", async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "sr-json-wait-"));
  try {
    const trace = (later: number) => {
      const lines = ["1 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3", '1 write(3, "xxxxxxxxxx", 10) = 4', "1 shutdown(3, SHUT_WR) = 0"];
      for (let i = 0; i < later; i++) {
        const fd = 4 + (i % 500);
        lines.push(`1 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = ${fd}`, `1 write(${fd}, "xxxxxxxxxx", 10) = 4`, `1 close(${fd}) = 0`);
      }
      lines.push("1 close(3) = 0");
      const path = join(dir, `t${later}.strace`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      return path;
    };
    const laterClose = (doc: { findings: { evidence: { note: string }[] }[] }) => doc.findings[0]!.evidence.some((e) => /later close/.test(e.note));
    const few = JSON.parse(await printed(trace(10)));
    assert.equal(few.findings.length, 11);
    assert.ok(laterClose(few), "held back until its stream is gone, the first finding has its later close");
    const many = JSON.parse(await printed(trace(1500)));
    assert.equal(many.findings.length, 1501, "every finding is in the document");
    assert.equal(many.findings[0].fd, 3, "in the order found");
    assert.ok(!laterClose(many), "a thousand findings later, the first one went out with what was known then");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
