// The op recorder hands a segment's record over in its own buffers (the worker transfers them,
// the main thread gives them back once replayed), or as an exact copy when the record is small
// or too many pairs are out. A record handed over must never be written to by later segments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OpRecorder, opSteps, type OpRecord } from "../../src/syntax/assembler-codec.js";
import { EventAssembler } from "../../src/syntax/event-assembler.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { ParserStats } from "../../src/syntax/parser-stats.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import { readSegment } from "../../src/pipeline/parse-worker.js";
import { ARGS_NEEDED } from "../../src/model/args-needed.js";

/** A record of `n` thread exits, pids and lines from `pid0` (an exit is a few ints and nums). */
function exits(rec: OpRecorder, n: number, pid0: number): OpRecord {
  for (let i = 0; i < n; i++) rec.exited(pid0 + i, 1 + i / 1000, pid0 + i + 1, i % 256);
  return rec.take();
}

function events(record: OpRecord): TraceEvent[] {
  const asm = new EventAssembler("t", new ParserStats("t"));
  asm.out = [];
  opSteps(record, 0, "t")(asm, Infinity);
  asm.end();
  return asm.out;
}

const BIG = 4000; // exits: well over an eighth of the recorder's first buffers
const SMALL = 10;

test("a big record is handed over in the recorder's buffers, a small one copied out exactly", () => {
  const rec = new OpRecorder();
  const big = exits(rec, BIG, 100);
  assert.equal(big.recyclable, true);
  assert.ok(big.ints.length > big.intCount, "handed over: the buffer is longer than the record");
  const small = exits(rec, SMALL, 100);
  assert.equal(small.recyclable, false);
  assert.equal(small.ints.length, small.intCount);
  assert.equal(small.nums.length, small.numCount);
  assert.equal(events(small).length, SMALL);
});

test("records handed over stay intact while later segments are recorded, recycled or not", () => {
  const rec = new OpRecorder();
  const kept: { record: OpRecord; ints: Int32Array; nums: Float64Array; pid0: number }[] = [];
  for (let k = 0; k < 30; k++) {
    const pid0 = 1000 * k;
    const record = exits(rec, BIG, pid0);
    kept.push({ record, ints: record.ints.slice(0, record.intCount), nums: record.nums.slice(0, record.numCount), pid0 });
    // Every third record is given back at once (replayed), as the main thread would.
    if (k % 3 === 0) {
      const evs = events(record);
      assert.equal(evs[0]!.pid, pid0);
      rec.recycle(record.ints, record.nums);
      kept.pop();
    }
  }
  for (const { record, ints, nums, pid0 } of kept) {
    assert.deepEqual(record.ints.slice(0, record.intCount), ints);
    assert.deepEqual(record.nums.slice(0, record.numCount), nums);
    const evs = events(record);
    assert.equal(evs.length, BIG);
    assert.equal(evs[BIG - 1]!.pid, pid0 + BIG - 1);
    assert.equal(evs[BIG - 1]!.line, pid0 + BIG);
  }
});

test("a pair given back is the one the next record is handed over in; without them, copies after a dozen", () => {
  const rec = new OpRecorder();
  const first = exits(rec, BIG, 1);
  rec.recycle(first.ints, first.nums);
  exits(rec, BIG, 1); // handed over in the buffers the recorder held; it now holds `first`'s
  const third = exits(rec, BIG, 1);
  assert.equal(third.ints.buffer, first.ints.buffer);
  assert.equal(third.nums.buffer, first.nums.buffer);

  const fresh = new OpRecorder();
  const out = Array.from({ length: 20 }, () => exits(fresh, BIG, 1));
  const handed = out.filter((r) => r.recyclable === true).length;
  assert.equal(handed, 12, "at most a dozen pairs out at once");
  for (const r of out.filter((r) => r.recyclable !== true)) assert.equal(r.ints.length, r.intCount);
  // Giving some back lets the recorder hand records over again.
  for (const r of out.slice(0, 3)) fresh.recycle(r.ints, r.nums);
  assert.equal(exits(fresh, BIG, 1).recyclable, true);
});

test("short strings the recorder keeps across segments replay as the grammar reads them, also past its table's size", () => {
  // 12,000 distinct paths in three segments: the table of words (4,096 at most) fills and starts
  // over several times, while AT_FDCWD and O_RDONLY are met again in every segment.
  const lines = Array.from({ length: 12_000 }, (_, i) => `openat(AT_FDCWD, "/w/${i}", O_RDONLY) = ${i % 1000}`);
  for (const part of [lines.slice(0, 4000), lines.slice(4000, 8000), lines.slice(8000)]) {
    const bytes = Buffer.from(part.join("\n") + "\n", "latin1");
    const reply = readSegment({ id: 1, bytes, final: false, file: "t", pid: null, argsNeeded: [...ARGS_NEEDED], plainScan: true });
    const got = events(reply.record);
    const want: TraceEvent[] = [];
    const grammar = createEventParser({ file: "t" });
    grammar.push(part, 1, want);
    grammar.end(want);
    assert.equal(got.length, part.length);
    assert.deepEqual(got, want);
  }
});

test("a plain call's name, kept by its id in the worker's name table, reads right in every epoch", () => {
  // 3,000 new words (paths) to a segment: the fourth segment starts an epoch, whose words are
  // new; the names of openat and close must be found again, not the last epoch's ids.
  const epochs: number[] = [];
  for (let k = 0; k < 4; k++) {
    const part = Array.from({ length: 3000 }, (_, i) => `openat(AT_FDCWD, "/e/${k}_${i}", O_RDONLY) = 3\nclose(3) = 0`).join("\n").split("\n");
    const bytes = Buffer.from(part.join("\n") + "\n", "latin1");
    const reply = readSegment({ id: 1, bytes, final: false, file: "t", pid: null, argsNeeded: [...ARGS_NEEDED], plainScan: true });
    epochs.push(reply.record.epoch);
    const want: TraceEvent[] = [];
    const grammar = createEventParser({ file: "t" });
    grammar.push(part, 1, want);
    grammar.end(want);
    assert.deepEqual(events(reply.record), want);
  }
  assert.ok(epochs[3]! > epochs[0]!, `epochs ${epochs}`);
});

/** A record of calls cut by `<unfinished ...>` named `names` (each name is a word). */
function starts(rec: OpRecorder, names: readonly string[]): OpRecord {
  names.forEach((name, i) => rec.lightStart(100 + i, name, i + 1, 1 + i / 1000));
  return rec.take();
}

const namesOf = (record: OpRecord): string[] => events(record).map((e) => (e.type === "syscall" ? e.name : "?"));

test("a word goes to the replaying thread once: later records that use it bring no string", () => {
  const rec = new OpRecorder();
  const names = ["futex", "epoll_wait", "read", "futex"];
  const first = starts(rec, names);
  assert.deepEqual(first.newWords, ["futex", "epoll_wait", "read"]);
  assert.deepEqual(first.strings, []);
  const second = starts(rec, [...names, "nanosleep"]);
  assert.deepEqual(second.newWords, ["nanosleep"]);
  assert.equal(second.firstWord, 3);
  assert.equal(second.epoch, first.epoch);
  assert.deepEqual(namesOf(first), names);
  assert.deepEqual(namesOf(second), [...names, "nanosleep"]);
  // The same records replayed again read the same.
  assert.deepEqual(namesOf(second), [...names, "nanosleep"]);
});

test("past an epoch's words the recorder starts over: new ids from 0, and records of both epochs replay", () => {
  const rec = new OpRecorder();
  const records = Array.from({ length: 5 }, (_, k) => starts(rec, Array.from({ length: 3000 }, (_, i) => `w${k}_${i}`)));
  assert.deepEqual(
    records.map((r) => r.epoch - records[0]!.epoch),
    [0, 0, 0, 1, 1],
    "8,192 words to an epoch: the fourth record starts the next",
  );
  assert.equal(records[3]!.firstWord, 0);
  assert.equal(records[4]!.firstWord, 3000);
  // Learned in order as they arrive; replayed later, the first epoch's records included.
  records.forEach((r, k) => assert.deepEqual(namesOf(r), Array.from({ length: 3000 }, (_, i) => `w${k}_${i}`)));
});

test("a record lost on the way leaves the next unreadable; a recorder that abandoned one starts a new epoch", () => {
  const rec = new OpRecorder();
  starts(rec, ["futex"]); // never taken in: lost
  const next = starts(rec, ["futex", "read"]);
  assert.equal(next.firstWord, 1);
  assert.throws(() => events(next), /out of step/);

  const other = new OpRecorder();
  const kept = starts(other, ["futex"]);
  assert.deepEqual(namesOf(kept), ["futex"]);
  other.lightStart(1, "clock_nanosleep", 1, null);
  other.abandon(); // its segment failed: the words it met never left
  const after = starts(other, ["clock_nanosleep", "futex"]);
  assert.equal(after.epoch, kept.epoch + 1);
  assert.equal(after.firstWord, 0);
  assert.deepEqual(namesOf(after), ["clock_nanosleep", "futex"]);
});
