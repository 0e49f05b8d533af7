// Property: the plain-call scan changes nothing. Hostile strace text (sample lines cut,
// duplicated, shuffled, with bytes flipped and control bytes inserted, program output spliced
// in) gives the same events, findings and notes whether plain calls are read by the scan or
// every line by the grammar: the scan's lines also meet the parser's cut-line, splice and -k
// handling the same way.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { hostileTrace, mutatedTrace } from "./strace-text.js";
import { runPipeline, runSegmented } from "./pipeline.js";
import type { PipelineResult } from "./pipeline.js";

function comparable(r: PipelineResult): string {
  return JSON.stringify({ events: r.events, findings: r.findings, notes: r.notes });
}

test("hostile traces give the same events, findings and notes with and without the plain-call scan", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(hostileTrace, mutatedTrace), async (bytes) => {
      const grammar = comparable(await runPipeline(bytes, Infinity));
      assert.equal(comparable(await runPipeline(bytes, 64 * 1024, "fuzz.strace", true)), grammar);
    }),
    { seed: 20261125, numRuns: 60 },
  );
});

test("hostile traces give the same events, findings and notes read by the parse workers' code in segments", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(hostileTrace, mutatedTrace), fc.constantFrom(1, 700, 64 * 1024), fc.constantFrom(13, 997, 64 * 1024), async (bytes, segment, chunk) => {
      const oneThread = comparable(await runPipeline(bytes, Infinity, "fuzz.strace", true, true));
      // Segments cut across many chunks are handed on as pieces of them: the workers get the
      // same bytes as from one chunk.
      const seen: Buffer[] = [];
      assert.equal(comparable(await runSegmented(bytes, segment, "fuzz.strace", (b) => seen.push(Buffer.from(b)), chunk)), oneThread);
      assert.ok(Buffer.concat(seen).equals(bytes), "the segments are the input's bytes, in order");
    }),
    { seed: 20261205, numRuns: 60 },
  );
});
