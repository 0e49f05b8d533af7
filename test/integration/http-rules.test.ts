// The HTTP and reset rules on fresh runs of their sample programs under the real strace, analysed
// by the built CLI: each rule fires exactly where its program says (its truth file, located by
// the recorder, never by the analyzer) at -s 64/128/256, with -yy and without, and the correct
// twins stay silent with exit code 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { analyzeJson, findingKey, recorder } from "./recorder.js";

const canTrace = recorder.straceWorks();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sr-http-"));
const workDir = path.join(scratch, "work");
const built = new Set<string>();
process.on("exit", () => fs.rmSync(scratch, { recursive: true, force: true }));

async function check(caseName: string, recordingName: string, expectRule: string | null): Promise<void> {
  const c = recorder.caseByName(caseName);
  const rec = recorder.recordingByName(recordingName);
  if (!built.has(caseName)) {
    recorder.buildCase(c, workDir);
    built.add(caseName);
  }
  const outPath = path.join(scratch, `${caseName}.${recordingName}.strace`);
  const { truth, expected } = await recorder.recordCase(c, rec, { workDir, outPath });
  const run = analyzeJson(outPath);
  const got = run.findings.map((f) => findingKey(f, false)).sort();
  const want = expected.map((f) => findingKey(f, false)).sort();
  assert.deepEqual(got, want, `${caseName}/${recordingName}\n${run.stderr}`);
  if (expectRule === null) {
    assert.equal(expected.length, 0);
    assert.equal(run.exitCode, 0);
    return;
  }
  // Every loss the program recorded is visible at these -s values.
  assert.equal(expected.length, truth.filter((t) => t.kind === "loss").length);
  assert.ok(expected.length > 0 && expected.every((e) => e.rule === expectRule));
  const severity = run.findings[0]?.severity;
  assert.equal(run.exitCode, severity === "error" ? 1 : 0);
}

const CASES: readonly [string, string | null][] = [
  ["http-short-body", "http-short-body"],
  ["http-full-body", null],
  ["linger-abort", "abortive-close"],
  ["linger-after-ack", null],
  ["unread-close", "close-with-unread-input"],
  ["unread-drain", null],
];

for (const [caseName, rule] of CASES) {
  for (const recording of ["f-s64", "f-s128-yy", "f-s256"]) {
    test(`${caseName} under ${recording}: ${rule ?? "no finding"}`, { skip: !canTrace && "strace cannot ptrace here" }, async () => {
      await check(caseName, recording, rule);
    });
  }
}
