// `timeline` end to end on real samples: the chosen stream is shown whole, including the
// writes made through another fd (a dup) or by another process (a fork), in trace order.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { CliIo } from "../../src/cli/command.js";
import { runTimeline } from "../../src/cli/commands/timeline.js";
import { quietIo } from "../helpers/quiet-io.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

async function timeline(path: string, fd: number, pid?: number): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (b: Buffer) => (out += b.toString()));
  const io: CliIo = quietIo(stdout);
  const code = await runTimeline({ path: join(ROOT, "samples", path), fd, ...(pid !== undefined ? { pid } : {}) }, io);
  return { code, out };
}

const rowsOf = (out: string): string[][] =>
  out
    .split("\n")
    .filter((l) => /^│\+/.test(l))
    .map((l) => l.split("│").slice(1, -1).map((c) => c.trim()));

test("a dup: the original fd's writes and close, then the dup draining to zero", async () => {
  const { code, out } = await timeline("dup-keeps-alive/f-tt-T.strace", 6);
  assert.equal(code, 0);
  const rows = rowsOf(out);
  assert.deepEqual(rows.map((r) => r[2]), ["write (fd 4)", "write (fd 4)", "close (fd 4)", "write", "write", "write", "write", "shutdown WR", "close"]);
  assert.equal(rows[2]![5], "= 0, not last");
  assert.equal(rows.at(-1)![6], "0");
  // Each row's unsent count follows from the previous one and what the kernel accepted.
  for (const r of rows) assert.match(r[6]!, /^[\d,]+( █+)?$/);
});

test("--pid picks the fd in one process's table and shows that stream's whole life", async () => {
  // The sample is re-recorded from time to time: take the pids from the trace itself.
  const path = "fork-child-close/f-tt-T.strace";
  const text = readFileSync(join(ROOT, "samples", path), "latin1");
  const pidOf = (re: RegExp): number[] => [...text.matchAll(re)].map((m) => Number(m[1]));
  const writer = pidOf(/^(\d+) .*\bwrite\(6, /gm)[0]!;
  const closers = pidOf(/^(\d+) .*\bclose\(6\)/gm);
  const other = closers.find((p) => p !== writer)!;
  const { out } = await timeline(path, 6, other);
  const rows = rowsOf(out);
  assert.deepEqual(rows.map((r) => r[2]), [`${writer} write`, `${writer} write`, ...closers.map((p) => `${p} close`)]);
  assert.match(out, /305,024 bytes unsent at the end/);
});

test("a write after shutdown: its EPIPE and SIGPIPE are a row of the timeline, counting nothing", async () => {
  // The program's own first connection: head, four body writes, shutdown, the late write, close.
  const { code, out } = await timeline("http-short-body/f-s256.strace", 5);
  assert.equal(code, 0);
  const rows = rowsOf(out);
  const late = rows.findIndex((r) => r[5] === "-1 EPIPE, then SIGPIPE");
  assert.ok(late > 0, out);
  assert.equal(rows[late - 1]![2], "shutdown WR");
  assert.equal(rows[late]![4], "0");
  assert.equal(rows[late]![6], "0");
  assert.equal(rows[late + 1]![2], "close");
});
