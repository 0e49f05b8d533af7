// The cap on live streams (MAX_LIVE_STREAMS): past it the model drops streams quietly, the
// least recently used without unsent bytes first, and says so in an SR211 note. Run with a small
// cap so the flood is quick; the built CLI at the real cap is in test/hostile/floods.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { ModelEvent } from "../../src/model/model-events.js";
import { MAX_LIVE_STREAMS, StreamModel } from "../../src/model/stream-model.js";
import { traceNotes } from "../../src/model/trace-notes.js";
import { createEventParser } from "../../src/syntax/event-parser.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Run `lines` through a parser and a model capped at `cap`, checking the cap after every event.
 *  Model events are kept only when asked: they hold their streams. */
function run(lines: readonly string[], cap: number, keepEvents = false) {
  const parser = createEventParser({ file: "cap.strace" });
  const events: ModelEvent[] = [];
  let releases = 0;
  const model = new StreamModel((ev) => {
    if (ev.kind === "release") releases++;
    if (keepEvents) events.push(ev);
  }, cap);
  let maxLive = 0;
  const feed = (batch: readonly string[], first: number, end: boolean) => {
    const out: Parameters<typeof parser.push>[2] = [];
    parser.push(batch, first, out);
    if (end) parser.end(out);
    for (const ev of out) {
      model.process(ev);
      maxLive = Math.max(maxLive, model.liveStreams);
    }
  };
  for (let i = 0; i < lines.length; i += 1000) feed(lines.slice(i, i + 1000), i + 1, false);
  feed([], lines.length + 1, true);
  model.finish();
  return { model, events, releases, maxLive };
}

/** `n` sockets opened, each written with bytes left unsent, none closed. */
function flood(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = ${3 + i}`, `100 write(${3 + i}, "abc", 100) = 3`);
  return lines;
}

test("the real cap is 50,000 streams", () => {
  assert.equal(MAX_LIVE_STREAMS, 50_000);
});

test("a flood of open streams stays within the cap, in bounded heap and linear time, and is noted once", () => {
  const cap = 1_000;
  run(flood(2_000), cap); // warm up
  gc();
  const base = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const small = run(flood(5_000), cap);
  const t1 = performance.now();
  gc();
  const smallHeap = process.memoryUsage().heapUsed - base;
  const t2 = performance.now();
  const large = run(flood(20_000), cap);
  const t3 = performance.now();
  gc();
  const largeHeap = process.memoryUsage().heapUsed - base;
  const report = `5,000 streams: ${(t1 - t0).toFixed(0)} ms, heap +${(smallHeap / 1e6).toFixed(1)} MB; 20,000: ${(t3 - t2).toFixed(0)} ms, heap +${(largeHeap / 1e6).toFixed(1)} MB`;
  console.log(report);
  for (const r of [small, large]) {
    assert.ok(r.maxLive <= cap, `${r.maxLive} live streams with a cap of ${cap}`);
    assert.ok(r.model.liveStreams > cap / 2, "dropping stops well short of emptying the model");
  }
  // Heap measured while `large` is still referenced: it holds at most `cap` streams, like `small`.
  assert.ok(largeHeap - smallHeap < 6e6, `heap grows with the flood: ${report}`);
  assert.ok(t3 - t2 < 6 * Math.max(t1 - t0, 100), `time is not linear: ${report}`);
  // Nothing was closed: dropping a stream tells the rules nothing.
  assert.equal(large.releases, 0);
  const facts = large.model.facts;
  assert.equal(facts.streamsDropped, 20_000 - large.model.liveStreams);
  assert.equal(facts.droppedWithUnsent, facts.streamsDropped);
  const notes = traceNotes("cap.strace", facts, 0).filter((n) => n.code === "SR211");
  assert.equal(notes.length, 1);
  assert.equal(
    notes[0]?.message,
    `more than 1,000 streams were open at once: ${facts.streamsDropped.toLocaleString("en-US")} were dropped from the model to bound its memory (first at cap.strace:2001; ${facts.droppedWithUnsent.toLocaleString("en-US")} of them with bytes unsent), so findings on those streams may be missed`,
  );
});

test("streams without unsent bytes go first, least recently used first; a stream just opened stays", () => {
  const cap = 10; // passing it drops 2 (a tenth of the cap, and the one over it)
  const lines: string[] = [];
  // fds 3..12: 3 and 4 written in full early, the rest left with bytes unsent.
  for (let fd = 3; fd <= 12; fd++) lines.push(`100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = ${fd}`);
  for (let fd = 3; fd <= 12; fd++) lines.push(`100 write(${fd}, "abc", ${fd <= 4 ? 3 : 100}) = 3`);
  // fd 4 is used again (a read): it is now recently used.
  lines.push('100 read(4, "x", 1) = 1');
  // The 11th stream passes the cap (line 22); its write comes right after.
  lines.push("100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 13", '100 write(13, "abc", 100) = 3', "100 close(13) = 0");
  lines.push("100 close(3) = 0", "100 close(4) = 0", "100 close(5) = 0", "100 close(6) = 0");
  const { model, events, maxLive } = run(lines, cap, true);
  assert.ok(maxLive <= cap);
  // Dropped: fd 3 (no bytes unsent, least recently used), then fd 5 (the least recently used
  // with bytes unsent). Kept: fd 4 (no bytes unsent, but read lately) and the new fd 13.
  assert.equal(model.facts.streamsDropped, 2);
  assert.equal(model.facts.droppedWithUnsent, 1);
  const released = events.filter((e) => e.kind === "release").map((e) => (e.kind === "release" ? `${e.fd}:${e.at.line}` : ""));
  // The closes of fds 3 and 5 find no stream they knew (no release, no finding invented).
  assert.deepEqual(released, ["13:24", "4:26", "6:28"]);
  const close13 = events.find((e) => e.kind === "release" && e.fd === 13);
  assert.equal(close13?.kind === "release" && close13.stream.unsentBytes, 97);
});
