// `timeline` as a user runs it: the table and the chart under it fit an 80-column terminal,
// and a wide terminal gets a wide chart. COLUMNS stands for the terminal width when piped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");

function timeline(columns: number, ...more: string[]): string[] {
  const r = spawnSync(process.execPath, [bin, "timeline", "samples/eagain-give-up/f-tt-T.strace", "--fd", "4", ...more], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, COLUMNS: String(columns), NO_COLOR: "1" },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b/, "no escape byte without colour");
  return r.stdout.split("\n");
}

const width = (s: string) => [...s].length;

test("timeline's table and chart fit 80 columns", () => {
  const lines = timeline(80);
  const over = lines.filter((l) => width(l) > 80);
  assert.deepEqual(over, []);
  assert.ok(lines.some((l) => l.includes("█")), "the chart is drawn");
  assert.ok(lines.some((l) => /\be\b/.test(l) && /!/.test(l)), "EAGAIN and point-of-no-return markers");
});

test("a wide terminal gets a wide chart", () => {
  const lines = timeline(160);
  assert.ok(lines.every((l) => width(l) <= 160));
  const chartWidth = Math.max(...lines.filter((l) => l.includes("█")).map(width));
  assert.ok(chartWidth > 120, `chart uses the width (${chartWidth} columns)`);
});

test("timeline prints the same with the fast path and with --full", () => {
  const fast = timeline(100);
  assert.ok(fast.some((l) => /\bwrite\b/.test(l)), "rows were printed");
  assert.deepEqual(fast, timeline(100, "--full"));
});

test("a --pid that is not a whole number is a usage error, not an empty timeline", () => {
  for (const bad of ["abc", "-2", "1.5"]) {
    const r = spawnSync(process.execPath, [bin, "timeline", "samples/eagain-give-up/f-tt-T.strace", "--fd", "4", "--pid", bad], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 2, bad);
    assert.equal(r.stdout, "", `${bad}: nothing printed`);
    assert.match(r.stderr, /--pid needs a whole number, 0 or more/);
  }
});
