// The committed samples agree with themselves: every recording listed exists, and locating each
// recording's points of no return again (from its committed truth records and committed trace)
// gives exactly its expected.json entry. Catches a trace edited or regenerated without its
// expected findings. Does not need strace or the analyzer.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { recorder } from "./recorder.js";
import type { ExpectedFinding, TruthRecord } from "./recorder.js";

interface ExpectedFile {
  readonly description: string;
  readonly recordings: Record<string, ExpectedFinding[]>;
  readonly truth: Record<string, TruthRecord[]>;
}

for (const c of recorder.CASES) {
  test(`samples/${c.name}: every recording is present and its expected findings re-locate`, () => {
    const dir = path.join(recorder.SAMPLES_DIR, c.name);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as ExpectedFile;
    assert.ok(expected.description.length > 20, "a description");
    const recordings = recorder.recordingsFor(c);
    assert.deepEqual(Object.keys(expected.recordings), recordings.map((r) => r.name));
    for (const rec of recordings) {
      const outPath = path.join(dir, rec.output === "ff" ? "ff" : `${rec.name}.strace`);
      const texts = recorder.traceTexts(rec, outPath);
      assert.ok(texts.length > 0 && texts.every((t) => t.text.length > 0), `${outPath} exists`);
      const truth = expected.truth[rec.name];
      // A loss the recording's -s hides (an HTTP head cut) has no finding there.
      const losses = truth.filter((t) => t.kind === "loss" && (t.minStrsize === undefined || t.minStrsize <= recorder.strsizeOf(rec)));
      assert.equal(expected.recordings[rec.name].length, losses.length, `${rec.name}: one finding per loss`);
      assert.deepEqual(recorder.locate(rec, truth, texts), expected.recordings[rec.name], `${c.name}/${rec.name}`);
      for (const [i, f] of expected.recordings[rec.name].entries()) {
        assert.equal(f.unsentBytes, losses[i].unsentBytes);
        const text = texts.find((t) => rec.output !== "ff" || t.file === f.file)?.text ?? "";
        const line = text.split("\n")[f.line - 1] ?? "";
        const call = losses[i].call !== undefined ? `${losses[i].call}(` : ({ "shutdown-with-unsent": "shutdown(", "close-with-unsent": "close(" }[f.rule] ?? "exit");
        assert.ok(line.includes(call), `${c.name}/${rec.name}:${f.line} is a ${call}…) line: ${line}`);
      }
    }
  });
}
