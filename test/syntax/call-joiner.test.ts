// The joiner keeps one call in flight per thread, and at most MAX_IN_FLIGHT of them: a trace of
// a million threads that each start a call and never come back must not hold a million.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { CallJoiner, MAX_IN_FLIGHT, type PendingCall } from "../../src/syntax/call-joiner.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";

const call = (pid: number, line: number): PendingCall => ({ pid, name: "read", line, time: null, slots: [] });

test("past the bound the oldest call still in flight is given up, never one that resumed", () => {
  const given: number[] = [];
  const j = new CallJoiner((c) => given.push(c.line), 3);
  for (let i = 1; i <= 3; i++) j.start(call(100 + i, i));
  assert.deepEqual(given, []);
  assert.equal(j.resume(101, "read")?.line, 1, "the first call resumes");
  j.start(call(104, 4));
  assert.deepEqual(given, [], "three in flight: nothing to give up");
  j.start(call(105, 5));
  assert.deepEqual(given, [2], "the oldest still in flight goes, not the one that resumed");
  j.start(call(106, 6));
  assert.deepEqual(given, [2, 3]);
  assert.equal(j.resume(102, "read"), null, "a given-up call no longer resumes");
  assert.deepEqual(j.drain().map((c) => c.line), [4, 5, 6]);
});

test("a million calls that never resume: the parser gives up all but the bound, with its count", () => {
  const parser = createEventParser({ file: "t" });
  let neverResumed = 0;
  const n = 4 * MAX_IN_FLIGHT;
  for (let b = 0; b < n; b += 4096) {
    const lines: string[] = [];
    for (let i = b; i < b + 4096; i++) lines.push(`${100000 + i} read(3, <unfinished ...>`);
    const out: TraceEvent[] = [];
    parser.push(lines, b + 1, out);
    neverResumed += out.filter((e) => e.type === "syscall" && e.form === "never-resumed").length;
  }
  // The last call stays held until the parser knows no -k frames follow it.
  assert.ok(neverResumed >= n - MAX_IN_FLIGHT - 1 && neverResumed <= n - MAX_IN_FLIGHT, `${neverResumed} given up during the input`);
  assert.equal(parser.stats.callsGivenUp, n - MAX_IN_FLIGHT);
  assert.equal(parser.stats.firstGivenUp, 1);
  const out: TraceEvent[] = [];
  parser.end(out);
  assert.equal(neverResumed + out.length, n, "every call is reported once");
});

test("the joiner's bookkeeping stays bounded while it gives calls up (memory, in a long flood)", () => {
  const j = new CallJoiner(() => {}, 1000);
  for (let i = 0; i < 200_000; i++) j.start(call(i, i + 1));
  const order = (j as unknown as { order: unknown[] }).order;
  assert.ok(order.length <= 4 * 1000 + 2048, `start-order list holds ${order.length} entries`);
  const slots = (j as unknown as { slots: Map<unknown, unknown> }).slots;
  assert.ok(slots.size <= 2 * 1000 + 1025, `threads given a slot: ${slots.size}`);
});

test("a thread's calls, one after another, take one slot; a thread that ends gives it back", () => {
  const j = new CallJoiner();
  const slots = (j as unknown as { slots: Map<unknown, unknown> }).slots;
  for (let i = 0; i < 10_000; i++) {
    const pid = 100 + (i % 4);
    j.start(call(pid, i + 1));
    assert.equal(j.resume(pid, "read")?.line, i + 1);
  }
  assert.equal(slots.size, 4, "one slot per thread, kept between its calls");
  j.start(call(100, 10_001));
  assert.equal(j.finish(100)?.line, 10_001, "the call of a thread that ends is handed back");
  assert.equal(j.finish(101), null, "a thread between calls has none");
  assert.equal(slots.size, 2, "threads that ended have no slot");
  j.start(call(102, 10_002));
  assert.equal(j.migrate(102, 103), null, "thread 103 had no call in flight to displace");
  assert.equal(j.resume(103, "read")?.line, 10_002, "the migrated call resumes under its new pid");
  assert.equal(j.resume(102, "read"), null);
});

test("at the end of its file the joiner keeps none of the calls it joined (an -ff set keeps every file's parser)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const j = new CallJoiner();
  const refs: WeakRef<PendingCall>[] = [];
  const startAndResume = () => {
    for (let i = 0; i < 100; i++) {
      const c = call(100 + i, i + 1);
      refs.push(new WeakRef(c));
      j.start(c);
      j.resume(100 + i, "read");
    }
    const open = call(999, 200);
    refs.push(new WeakRef(open));
    j.start(open);
  };
  startAndResume();
  assert.equal(j.drain().length, 1);
  // A WeakRef keeps its target through the job that made it.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  assert.equal(refs.filter((r) => r.deref() !== undefined).length, 0, "every call is free to collect");
  assert.equal(j.lastStarted(), null);
});
