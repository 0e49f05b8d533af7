// Property: any text, real sample lines mutated every way a damaged or crafted log can be, goes
// through the line reader, the event parser and the analyzer without a throw and without the
// analyzer catching an internal error of its own. Fixed seed: a failure here is reproducible.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { arbitraryBytes, hostileTrace, mutatedTrace, shuffledLines } from "./strace-text.js";
import { internalErrorNotes, runPipeline } from "./pipeline.js";

export const SEED = 20261125;

async function neverThrows(bytes: Buffer): Promise<void> {
  const r = await runPipeline(bytes, Infinity);
  assert.deepEqual(internalErrorNotes(r.notes), [], "the analyzer caught an internal error");
  for (const ev of r.events) {
    assert.ok(Number.isInteger(ev.line) && ev.line >= 1 && ev.line <= r.lines, `event line ${ev.line} within 1..${r.lines}`);
  }
  for (const f of r.findings) {
    // The reset rules (abortive-close, close-with-unread-input) are not about unsent bytes: 0.
    const reset = f.rule === "abortive-close" || f.rule === "close-with-unread-input";
    assert.ok(Number.isSafeInteger(f.unsentBytes) && (reset ? f.unsentBytes >= 0 : f.unsentBytes > 0), `${f.rule}: unsentBytes ${f.unsentBytes}`);
  }
}

test("mutated real traces never make the pipeline throw", async () => {
  await fc.assert(fc.asyncProperty(mutatedTrace, neverThrows), { seed: SEED, numRuns: 150 });
});

test("shuffled real lines never make the pipeline throw", async () => {
  await fc.assert(fc.asyncProperty(shuffledLines, neverThrows), { seed: SEED, numRuns: 60 });
});

test("arbitrary bytes never make the pipeline throw", async () => {
  await fc.assert(fc.asyncProperty(arbitraryBytes, neverThrows), { seed: SEED, numRuns: 60 });
});

test("the mix never makes the pipeline throw (a second seed)", async () => {
  await fc.assert(fc.asyncProperty(hostileTrace, neverThrows), { seed: SEED + 1, numRuns: 80 });
});
