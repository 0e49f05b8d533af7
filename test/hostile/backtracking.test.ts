// No pathological backtracking: adversarial lines through the event parser must cost time in
// proportion to their length. Each case is timed at two sizes: the larger may not take more than
// a few times the smaller (linear: 2×; quadratic: 4×), and no line may take long in absolute
// terms (an ordinary line parses in microseconds).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";

function parseMs(lines: readonly string[]): number {
  const parser = createEventParser({ file: "adversarial.strace" });
  const out: TraceEvent[] = [];
  const t0 = performance.now();
  parser.push(lines, 1, out);
  parser.end(out);
  return performance.now() - t0;
}

/** Best of five of each size, the sizes alternating so that a busy moment of the machine (the
 *  suite runs files side by side) falls on both alike rather than on the larger only. */
function bestPairMs(small: readonly string[], large: readonly string[]): [number, number] {
  let s = Infinity;
  let l = Infinity;
  for (let i = 0; i < 5; i++) {
    s = Math.min(s, parseMs(small));
    l = Math.min(l, parseMs(large));
  }
  return [s, l];
}

parseMs(['9501  read(5, "x", 1) = 1']); // build the lexer and parser once, outside the timings

interface Case {
  readonly name: string;
  readonly line: (n: number) => string;
  /** Sizes timed; the line at `sizes[1]` is about twice (or four times) as long as at `sizes[0]`. */
  readonly sizes: readonly [number, number];
  /** Longest acceptable time for the larger line. */
  readonly maxMs: number;
  readonly todo?: string;
}

const CASES: readonly Case[] = [
  { name: "a 1 MB string argument", line: (n) => `9501  write(1, "${"A".repeat(n)}", ${n}) = ${n}`, sizes: [500_000, 1_000_000], maxMs: 300 },
  { name: "a 200,000-digit number", line: (n) => `9501  write(1, "a", ${"9".repeat(n)}) = ${"9".repeat(n)}`, sizes: [100_000, 200_000], maxMs: 300 },
  // Timed from 80,000: below about 40,000 the time grows faster than the line (the collector
  // and compiler settle; 20,000 -> 40,000 measured 2.5-4.5x, 40,000 -> 80,000 up to 3.6x and,
  // from 20,000, 80,000 took 9x), from 80,000 it doubles with the line (2.0-2.2x).
  { name: "160,000 arguments", line: (n) => `9501  write(1, ${'"a", '.repeat(n)}1) = 1`, sizes: [80_000, 160_000], maxMs: 2000 },
  { name: "160,000 flags", line: (n) => `9501  openat(AT_FDCWD, "a", ${"O_A|".repeat(n)}O_B) = 3`, sizes: [80_000, 160_000], maxMs: 2000 },
  { name: "brackets nested 16,000 deep, closed", line: (n) => `9501  ioctl(5, ${"[".repeat(n)}1${"]".repeat(n)}) = 0`, sizes: [8_000, 16_000], maxMs: 300 },
  { name: "structs nested 16,000 deep, closed", line: (n) => `9501  ioctl(5, ${"{a=".repeat(n)}1${"}".repeat(n)}) = 0`, sizes: [8_000, 16_000], maxMs: 300 },
  { name: "16,000 open brackets after an argument", line: (n) => `9501  read(5, ${"(".repeat(n)}`, sizes: [8_000, 16_000], maxMs: 300 },
  { name: "8,000 <unfinished ...> markers", line: (n) => `9501  write(1, ${"<unfinished ...> ".repeat(n)}`, sizes: [4_000, 8_000], maxMs: 300 },
  {
    name: "an unterminated string of 4,000 escaped quotes",
    line: (n) => `9501  write(1, "${'\\"'.repeat(n)}`,
    sizes: [2_000, 4_000],
    maxMs: 60,
  },
  {
    name: "4,000 '<\\\"' after an fd (unclosed decoration with quotes)",
    line: (n) => `9501  read(5<"${'<\\"'.repeat(n)}`,
    sizes: [2_000, 4_000],
    maxMs: 60,
  },
  {
    name: "8,000 'a<' after an fd (unclosed nested decorations)",
    line: (n) => `9501  read(5<${"a<".repeat(n)}`,
    sizes: [4_000, 8_000],
    maxMs: 60,
  },
  {
    name: "900 '<' after an fd (program output guess)",
    line: (n) => `9501  read(5${"<".repeat(n)}`,
    sizes: [450, 900],
    maxMs: 100,
  },
  {
    name: "300 '[' after the return value (program output guess)",
    line: (n) => `9516  read(5, "VW"..., 65536) = 6${"[".repeat(n)}`,
    sizes: [150, 300],
    maxMs: 100,
  },
  {
    name: "300 '{' after the return value (program output guess)",
    line: (n) => `9516  read(5, "VW"..., 65536) = 6${"{".repeat(n)}`,
    sizes: [150, 300],
    maxMs: 100,
  },
];

for (const c of CASES) {
  test(`parse time stays linear: ${c.name}`, c.todo !== undefined ? { todo: c.todo } : {}, () => {
    // A known-slow case is timed once: it is reported, not allowed to slow the suite down.
    const lines: [string[], string[]] = [[c.line(c.sizes[0])], [c.line(c.sizes[1])]];
    const [small, large] = c.todo !== undefined ? [parseMs(lines[0]), parseMs(lines[1])] : bestPairMs(...lines);
    assert.ok(large <= c.maxMs, `${large.toFixed(1)} ms for one line (limit ${c.maxMs} ms)`);
    // Ratio only when the times are large enough to measure: under 1.75 times the growth of
    // the line (3.5 for a doubling), where a quadratic parse takes its square (4 for a doubling).
    const growth = c.sizes[1] / c.sizes[0];
    const ratio = large / Math.max(small, 1);
    if (large > 20) assert.ok(ratio < 1.75 * growth, `${growth}× the line took ${ratio.toFixed(1)}× longer (${small.toFixed(1)} → ${large.toFixed(1)} ms)`);
  });
}
