// Real programs under the real strace, analysed by the built CLI. The oracle is each program's
// own truth file (bytes intended vs accepted at its point of no return) and an independent
// locator for the line; nothing here is taken from the analyzer.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { analyzeJson, findingKey, recorder } from "./recorder.js";
import type { CliRun, ExpectedFinding, Recording, TruthRecord } from "./recorder.js";

const canTrace = recorder.straceWorks();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sr-it-"));
const workDir = path.join(scratch, "work");
const built = new Set<string>();

/** Not one of the committed recordings: an -ff set WITH timestamps, the form whose cross-file
 * order the analyzer promises to merge (the committed `ff` has none, as the samples' contract
 * fixes its command). */
const FF_TTT: Recording = { name: "ff-ttt", flags: ["-ff", "-ttt"], output: "ff" };

process.on("exit", () => fs.rmSync(scratch, { recursive: true, force: true }));

interface Recorded {
  readonly outPath: string;
  readonly perFile: boolean;
  readonly truth: TruthRecord[];
  readonly expected: ExpectedFinding[];
  readonly run: CliRun;
}

/** Build (once), record under one flag set, analyze the result with the CLI. */
async function recordAndAnalyze(caseName: string, recordingName: string): Promise<Recorded> {
  const c = recorder.caseByName(caseName);
  const rec = recordingName === FF_TTT.name ? FF_TTT : recorder.recordingByName(recordingName);
  if (!built.has(caseName)) {
    recorder.buildCase(c, workDir);
    built.add(caseName);
  }
  const outPath = path.join(scratch, `${caseName}.${recordingName}${rec.output === "ff" ? "" : ".strace"}`);
  const { truth, expected } = await recorder.recordCase(c, rec, { workDir, outPath });
  return { outPath, perFile: rec.output === "ff", truth, expected, run: analyzeJson(outPath) };
}

function assertFindings(r: Recorded): void {
  const got = r.run.findings.map((f) => findingKey(f, r.perFile)).sort();
  const want = r.expected.map((f) => findingKey(f, r.perFile)).sort();
  assert.deepEqual(got, want, `findings of ${r.outPath}\n${r.run.stderr}`);
}

/** A lossy program: exactly its truth, as an error finding and exit code 1 (or, for an exit, a
 * warning that leaves the default exit code at 0). */
async function expectLoss(caseName: string, recordingName: string, t: { skip(msg: string): void }): Promise<void> {
  if (!canTrace) return t.skip("strace cannot ptrace here");
  const r = await recordAndAnalyze(caseName, recordingName);
  const losses = r.truth.filter((x) => x.kind === "loss");
  assert.equal(losses.length, 1, "the program recorded one loss");
  assert.equal(r.expected.length, 1, "the locator found its point of no return");
  assertFindings(r);
  const [finding] = r.run.findings;
  const [truth] = losses;
  const isWarning = truth.rule === "exit-with-unsent";
  assert.equal(finding.severity, isWarning ? "warning" : "error");
  assert.equal(finding.unsentBytes, truth.unsentBytes);
  assert.equal(finding.unsentExact, true);
  assert.equal(finding.fd, truth.fd);
  if (recordingName !== "f-2to1") assert.equal(finding.pid, truth.tid, "pid of the point of no return");
  assert.equal(r.run.exitCode, isWarning ? 0 : 1, "exit code (--fail-on error is the default)");
}

/** A correct program that stalled for real: no finding, exit code 0. */
async function expectClean(caseName: string, recordingName: string, t: { skip(msg: string): void }): Promise<void> {
  if (!canTrace) return t.skip("strace cannot ptrace here");
  const r = await recordAndAnalyze(caseName, recordingName);
  assert.equal(r.truth.filter((x) => x.kind === "loss").length, 0);
  assert.deepEqual(r.run.findings, [], `no finding in ${r.outPath}`);
  assert.equal(r.run.exitCode, 0, "exit code without findings");
}

test("EAGAIN then shutdown(SHUT_WR) is found (-f -tt -T)", (t) => expectLoss("eagain-give-up", "f-tt-T", t));
test("EAGAIN then shutdown(SHUT_WR) is found (-f -xx -yy)", (t) => expectLoss("eagain-give-up", "f-xx-yy", t));
test("one short sendto then shutdown, no EAGAIN, is found (-f -X raw)", (t) =>
  expectLoss("hyper-short-write", "f-Xraw", t));
test("one short sendto then shutdown is found in a 2>&1 capture", (t) => expectLoss("hyper-short-write", "f-2to1", t));
test("shutdown by another thread is found (-f)", (t) => expectLoss("thread-shutdown", "f", t));
test("shutdown by another thread is found in a timestamped -ff directory", (t) =>
  expectLoss("thread-shutdown", "ff-ttt", t));
test("EAGAIN then shutdown(SHUT_WR) is found in an -ff directory", (t) => expectLoss("eagain-give-up", "ff", t));
test("close with the tail unsent is found once despite fd reuse (-f -i -n)", (t) => expectLoss("fd-reuse", "f-i-n", t));
test("the last holder after fork closing with unsent bytes is found (-f -r -x)", (t) =>
  expectLoss("fork-child-close", "f-r-x", t));
test("the last holder after fork is found with a filtered -e trace= set", (t) =>
  expectLoss("fork-child-close", "f-filtered", t));
test("a forked worker, the last holder, closing with the tail unsent is found (-ff)", (t) =>
  expectLoss("prefork-child-loss", "ff", t));
test("exit with a pipe's tail unsent is a warning (-f -k)", (t) => expectLoss("exit-pipe-unsent", "f-k", t));

test("POLLOUT drain stays clean (-f)", (t) => expectClean("pollout-drain", "f", t));
test("POLLOUT drain stays clean in a 2>&1 capture", (t) => expectClean("pollout-drain", "f-2to1", t));
test("a dup keeping the stream alive stays clean (-f -ttt -yy -s 32)", (t) =>
  expectClean("dup-keeps-alive", "f-ttt-yy-s32", t));
test("Node.js HTTP server to a slow reader stays clean (-f -tt -T)", (t) => expectClean("node-slow-reader", "f-tt-T", t));
test("Node.js HTTP server to a slow reader stays clean (-ff directory)", (t) => expectClean("node-slow-reader", "ff", t));
