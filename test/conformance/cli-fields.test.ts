// Acceptance 3 through the built CLI: `strace-race parse` NDJSON of real captures against the
// independent oracle, and `stats --format json` counts against the conformance tally.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { displayPath, expectationsFor, withLineText } from "../../scripts/conformance-capture.js";
import { compareFields } from "../../scripts/conformance-oracle.js";
import { loadEventParser, runSource } from "../../scripts/conformance-run.js";
import { recordFlagMatrix, repoRoot } from "../../scripts/flag-matrix.js";
import type { Capture, FlagMatrix } from "../../scripts/flag-matrix.js";
import type { TraceEvent } from "../../src/syntax/events.js";

const LABELS = ["-f", "-ff -tt -T -yy", "-f -X raw -ttt -T -yy", "-f -e inject=write:error=EAGAIN:when=3+", "-f -Y 2>&1"];
const CLI = join(repoRoot(), "bin", "strace-race.js");

let matrix: FlagMatrix | null = null;

before(async () => {
  matrix = await recordFlagMatrix({ only: LABELS });
});
// CONFORMANCE_KEEP=1 keeps the captures for a look at a failure.
after(() => {
  if (process.env.CONFORMANCE_KEEP) console.log(`captures kept in ${matrix?.dir}`);
  else matrix?.cleanup();
});

/** The path the CLI is given: the file, or the directory of an -ff set. */
function inputPath(capture: Capture): string {
  return capture.mode === "ff" ? dirname(capture.files[0]!.path) : capture.files[0]!.path;
}

function cli(args: readonly string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  assert.equal(r.error, undefined, `${args.join(" ")}: ${r.error?.message}`);
  assert.notEqual(r.status, 2, `${args.join(" ")} exited 2: ${r.stderr}`);
  return r.stdout;
}

test("parse: every complete and joined call's pid, name, ret and errno as printed", () => {
  assert.ok(matrix);
  assert.deepEqual(matrix.captures.map((c) => c.label).sort(), [...LABELS].sort());
  const problems: string[] = [];
  let checked = 0;
  for (const capture of matrix.captures) {
    const events = cli(["parse", inputPath(capture)])
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as TraceEvent);
    assert.ok(events.length > 0, `${capture.label}: parse printed nothing`);
    for (const file of capture.files) {
      const mine = events.filter((ev) => resolve(ev.file) === resolve(file.path));
      const expected = expectationsFor(capture, file);
      checked += expected.complete.length + expected.joined.length;
      problems.push(...withLineText(compareFields(displayPath(capture, file), mine, expected), file.path));
    }
  }
  assert.ok(checked > 500, `only ${checked} calls checked`);
  assert.deepEqual(problems.slice(0, 40), [], `${problems.length} disagreements`);
});

test("stats --format json: lines and unrecognized agree with the parser run, foreign within it", async () => {
  assert.ok(matrix);
  const create = await loadEventParser();
  if (typeof create === "string") throw new Error(create);
  for (const capture of matrix.captures) {
    const stats = JSON.parse(cli(["stats", "--format", "json", inputPath(capture)])) as {
      lines: number;
      unrecognized: number;
      foreign: number;
      unrecognizedSamples: unknown[];
    };
    let lines = 0;
    let unrecognized = 0;
    let foreign = 0;
    for (const file of capture.files) {
      const s = await runSource(create, file.path, { pid: file.pid });
      lines += s.lines;
      unrecognized += s.unrecognized;
      foreign += s.foreign;
    }
    assert.deepEqual({ lines: stats.lines, unrecognized: stats.unrecognized }, { lines, unrecognized }, capture.label);
    // `stats` counts wholly foreign physical lines; the tally counts foreign events, which
    // also include program output spliced inside a strace line. Each foreign line is one.
    assert.ok(stats.foreign <= foreign, `${capture.label}: stats says ${stats.foreign} foreign lines, parser gave ${foreign} foreign events`);
    if (!capture.programOutput) assert.equal(stats.foreign, 0, `${capture.label}: foreign lines without program output`);
    assert.ok(Array.isArray(stats.unrecognizedSamples), `${capture.label}: unrecognizedSamples missing`);
  }
});
