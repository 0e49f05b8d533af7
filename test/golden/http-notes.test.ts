// At strace's default -s 32 the HTTP samples' heads are cut: no http-short-body finding, and the
// trace-quality note SR210 says so once, naming the first cut head. At -s 64 the heads show and
// the note is gone.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createAnalyzer } from "../../src/analysis.js";
import type { Finding, TraceNote } from "../../src/analysis.js";
import { readTraceEvents, resolveTraces } from "../../src/pipeline/trace-input.js";
import { quietIo } from "../helpers/quiet-io.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

async function analyze(path: string): Promise<{ findings: Finding[]; notes: readonly TraceNote[] }> {
  const { groups } = await resolveTraces([join(ROOT, "samples", path)]);
  const group = groups[0]!;
  const io = quietIo();
  const analyzer = createAnalyzer({ trace: group.name });
  const findings: Finding[] = [];
  for await (const batch of readTraceEvents(group, io).batches) findings.push(...analyzer.push(batch));
  findings.push(...analyzer.end());
  return { findings, notes: analyzer.notes };
}

test("-s 32 cuts the heads: no http-short-body, one SR210 note", async () => {
  const { findings, notes } = await analyze("http-short-body/f-tt-T.strace");
  assert.deepEqual(findings, []);
  const cut = notes.filter((n) => n.code === "SR210");
  assert.equal(cut.length, 1);
  assert.match(cut[0]!.message, /^3 HTTP\/1\.x head\(s\) were cut by strace's string limit \(first: .*f-tt-T\.strace:\d+, 32 bytes shown\)/);
});

test("-s 64 shows them: three findings with declared vs delivered, no SR210", async () => {
  const { findings, notes } = await analyze("http-short-body/f-s64.strace");
  assert.deepEqual(
    findings.map((f) => [f.rule, f.http?.declaredBytes ?? null, f.http?.deliveredBytes, f.http?.message]),
    [
      ["http-short-body", 100043, 65579, 1],
      ["http-short-body", null, 49223, 1],
      ["http-short-body", 50042, 20042, 2],
    ],
  );
  assert.deepEqual(notes.filter((n) => n.code === "SR210"), []);
});
