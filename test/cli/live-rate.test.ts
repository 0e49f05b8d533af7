// A live `strace -f ... 2>&1 | strace-race analyze` must never hold strace back: when the pipe
// fills, strace blocks and the traced program's timing (the very thing that makes the race)
// changes. Here a feeder offers trace text on a fixed schedule to the real CLI reading stdin,
// and must never fall behind it. Rates: short lines at 3 MB/s (strace -f of a syscall loop
// printed 2.5 MB/s with one thread, 5.2 MB/s at most with four, on these machines), long lines
// (-s 65536 bulk writes, which strace prints at hundreds of MB/s) at 30 MB/s: well below what
// the analyzer reads even when the machine runs at half speed, so a failure means a real
// slowdown (a per-line await, a quadratic step), not a busy neighbour. The benchmark's live
// stage measures the same at 8 and 50 MB/s and prints its figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { liveRun, longLineSource, shortLineSource } from "../../scripts/trace-feed.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");

for (const [label, source, mbps] of [
  ["short lines of real captures", () => shortLineSource(root), 3],
  ["long -s 65536 writes", () => longLineSource(), 30],
] as const) {
  test(`analyze keeps up with a live pipe: ${label} at ${mbps} MB/s`, { timeout: 60_000 }, async () => {
    const r = await liveRun(bin, source(), mbps, 4);
    const figures = JSON.stringify(r);
    assert.ok(r.mb >= mbps * 4 * 0.99, `the whole schedule was fed: ${figures}`);
    assert.ok(r.maxBehindSeconds < 1, `the feeder never fell a second behind: ${figures}`);
    assert.ok(r.lateSeconds < 0.5, `the feed ended on time: ${figures}`);
    assert.ok(r.lagSeconds < 2, `the analyzer finished soon after the input ended: ${figures}`);
    assert.ok(r.findings > 0, `the races in the stream were reported: ${figures}`);
  });
}
