// The reader over a live pipe: the parser holds the last call for its `-k` frames, and the reader
// hands it out once the pipe has been quiet for IDLE_FLUSH_MS, so a live finding is not delayed
// until the next line; frames written together with their call still reach it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { IDLE_FLUSH_MS, readTraceEvents } from "../../src/pipeline/trace-input.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { quietIo } from "../helpers/quiet-io.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Read stdin through the reader, recording when each event arrived. */
function liveReading(stdin: PassThrough) {
  const io = { ...quietIo(), stdin };
  const reading = readTraceEvents({ name: "<stdin>", files: ["-"], ff: false, bytes: null }, io);
  const arrived: { ev: TraceEvent; at: number }[] = [];
  const done = (async () => {
    for await (const batch of reading.batches) for (const ev of batch) arrived.push({ ev, at: performance.now() });
  })();
  return { arrived, done };
}

test("a live pipe that goes quiet gets its last call out within the idle time", async () => {
  const stdin = new PassThrough();
  const { arrived, done } = liveReading(stdin);
  const writtenAt = performance.now();
  stdin.write('9501  write(3, "abc", 3) = 3\n9501  shutdown(3, SHUT_WR) = 0\n');
  await sleep(IDLE_FLUSH_MS + 200);
  const shutdown = arrived.find((a) => a.ev.type === "syscall" && a.ev.name === "shutdown");
  assert.ok(shutdown !== undefined, `the held call came out while the pipe stayed open: ${JSON.stringify(arrived.map((a) => a.ev.type))}`);
  assert.ok(shutdown.at - writtenAt < IDLE_FLUSH_MS + 150, `after ${(shutdown.at - writtenAt).toFixed(0)} ms`);
  stdin.end("9501  close(3) = 0\n");
  await done;
  assert.deepEqual(
    arrived.map((a) => (a.ev.type === "syscall" ? a.ev.name : a.ev.type)),
    ["write", "shutdown", "close"],
  );
});

test("on a live pipe, frames written in a separate piece right after their call still reach it", async () => {
  const stdin = new PassThrough();
  const { arrived, done } = liveReading(stdin);
  const call = 'execve("./a", ["./a"], 0x7fff /* 3 vars */) = 0\n';
  stdin.write(call);
  stdin.write(call);
  await sleep(1);
  stdin.write(" > /tmp/x(main+0x147) [0x154d]\n");
  await sleep(IDLE_FLUSH_MS + 100);
  stdin.end();
  await done;
  const calls = arrived.map((a) => a.ev).filter((e) => e.type === "syscall");
  assert.equal(calls.length, 2);
  assert.equal(calls[0]?.type === "syscall" && calls[0].stack, undefined);
  assert.deepEqual(calls[1]?.type === "syscall" && calls[1].stack, ["/tmp/x(main+0x147) [0x154d]"]);
});
