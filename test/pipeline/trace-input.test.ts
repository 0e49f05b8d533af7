// The reader over a live pipe: the parser holds the last call for its `-k` frames, and the reader
// hands it out once the pipe has been quiet for IDLE_FLUSH_MS, so a live finding is not delayed
// until the next line; frames written together with their call still reach it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { IDLE_FLUSH_MS, LANE_LINES, LANE_READ_BYTES, PARALLEL_DEFAULTS, readTraceEvents, type ReadOptions, type TraceGroup } from "../../src/pipeline/trace-input.js";
import { ARGS_NEEDED } from "../../src/model/args-needed.js";
import { acquirePool, poolSize, releasePool } from "../../src/pipeline/parse-pool.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { quietIo } from "../helpers/quiet-io.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
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

test("a live input read with a stop signal keeps no batch alive (memory flat however long it runs)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"), "utf8");
  // 30 MB of a live pipe, its pids shifted each round.
  const stdin = Readable.from(
    (function* () {
      for (let r = 1; r <= 5000; r++) yield sample.replace(/^(\d+)/gm, (pid) => String(Number(pid) + r * 10));
    })(),
  );
  const stop = new AbortController();
  const io = { ...quietIo(), stdin, terminate: stop.signal };
  const reading = readTraceEvents({ name: "<stdin>", files: ["-"], ff: false, bytes: null }, io, {});
  let batches = 0;
  let early = 0;
  for await (const batch of reading.batches) {
    if (batch.length > 0 && ++batches === 50) {
      gc();
      early = process.memoryUsage().heapUsed;
    }
  }
  gc();
  const grown = process.memoryUsage().heapUsed - early;
  assert.ok(batches > 500, `read in ${batches} batches`);
  assert.ok(grown < 15e6, `the heap grew ${(grown / 1e6).toFixed(1)} MB over 30 MB of input`);
});

/** A pid, line and what an event is, to compare readings by. */
const keyOf = (ev: TraceEvent, pid = ev.pid): string => `${pid}:${ev.line}:${ev.type === "syscall" ? `${ev.name}=${ev.ret}` : ev.type}`;

/** An -ff set of threads taking turns, a line each 1 µs apart, `lines` lines each: writes, but
 *  where `cut(k)` a read cut by a signal (three lines: unfinished, signal, resumed). */
function writeSet(prefix: string, pids: readonly number[], lines: number, cut: (k: number) => boolean): TraceGroup {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const clock = (us: number) => `10:00:${String(Math.floor(us / 1e6)).padStart(2, "0")}.${String(us % 1e6).padStart(6, "0")}`;
  const files = pids.map((pid, i) => {
    const fd = `3<TCP:[1.2.3.4:80->5.6.7.8:${pid}]>`;
    let text = "";
    for (let k = 0; k < lines; k++) {
      const t = clock(i + pids.length * k);
      if (cut(k)) text += `${t} read(${fd},  <unfinished ...>\n${t} --- SIGCHLD {si_signo=SIGCHLD} ---\n${t} <... read resumed>"GET / HTTP/1.1\\r\\n", 4096) = 16\n`;
      else text += `${t} write(${fd}, "ok", 2) = 2\n`;
    }
    writeFileSync(join(dir, `trace.${pid}`), text);
    return join(dir, `trace.${pid}`);
  });
  return { name: join(dir, "trace"), files, ff: true, bytes: files.reduce((n, f) => n + readFileSync(f).length, 0) };
}

/** The events of a reading (keyOf), and its largest batch. */
async function eventsOf(group: TraceGroup, opts: ReadOptions = {}, pid?: number) {
  const reading = readTraceEvents(group, quietIo(), opts);
  const seen: string[] = [];
  let largest = 0;
  for await (const batch of reading.batches) {
    largest = Math.max(largest, batch.length);
    for (const ev of batch) seen.push(keyOf(ev, pid));
  }
  return { seen, largest };
}

test("the files of an -ff set are parsed as the merge reaches them, a few lines at a time, with the same events", async () => {
  // Two threads taking turns: each read of a file holds many lines, but the merge needs only
  // the next few of each, so only those are parsed (their events wait for the merge; the
  // rest waits as text). A call cut by a signal straddles the lines parsed together.
  const group = writeSet("sr-fflanes-", [7001, 7002], 200, (k) => k === LANE_LINES - 1);
  const perRead = Math.floor(LANE_READ_BYTES / (readFileSync(group.files[0]!, "latin1").indexOf("\n") + 1));
  assert.ok(perRead > 3 * LANE_LINES, `a read holds several parses' lines: ${perRead}`);
  const reading = readTraceEvents(group, quietIo());
  let parsed: number[] = [];
  for await (const batch of reading.batches) {
    if (batch.length === 0) continue;
    parsed = reading.parsers().map((p) => p.stats.totalLines);
    break;
  }
  assert.ok(parsed.length === 2 && Math.max(...parsed) <= 2 * LANE_LINES + 2, `lines parsed before the merge's first events: ${parsed.join(", ")}`);
  // The whole set, against each file read alone.
  const merged = (await eventsOf(group)).seen;
  for (const [i, pid] of [7001, 7002].entries()) {
    const own = await eventsOf({ name: "x", files: [group.files[i]!], ff: false, bytes: 0 }, {}, pid);
    assert.deepEqual(merged.filter((e) => e.startsWith(`${pid}:`)), own.seen);
  }
  assert.ok(merged.includes(`7001:${LANE_LINES}:read=16`), "the cut call joined across the lines parsed together");
  assert.equal(merged.length, 2 * 201);
});

test("big files of an -ff set are read on the workers, their segments replayed a few lines at a time", { skip: poolSize() === 0 && "a single core: no workers" }, async () => {
  // Two threads of 300 KB each, taking turns: each file's segments are read by a worker, and a
  // segment (thousands of lines) is made into events only a few lines ahead of the merge.
  const group = writeSet("sr-ffworkers-", [7101, 7102], 4000, (k) => k % 1000 === 500);
  assert.ok(group.bytes! / 2 >= 256 * 1024 && group.bytes! < PARALLEL_DEFAULTS.minBytes, `${group.bytes} bytes: a set the workers read only as a set`);
  const fast: ReadOptions = { argsNeeded: ARGS_NEEDED, plainScan: true };
  const here = await eventsOf(group, fast);
  // The workers' pool, held for the test: the reading shares it.
  const pool = acquirePool()!;
  const before = pool.submitted;
  const workers = await eventsOf(group, { ...fast, parallel: PARALLEL_DEFAULTS });
  const segments = pool.submitted - before;
  releasePool(pool);
  assert.ok(segments >= 4, `${segments} segments read on the workers`);
  assert.equal(here.seen.length, 2 * (4000 + 4), "each cut call and its signal in place of a write");
  assert.deepEqual(workers.seen, here.seen, "the same events in the same order");
  // The merge hands on a batch whenever one file's events run out: a step's worth from each.
  assert.ok(workers.largest <= 2 * (LANE_LINES + 2), `largest batch ${workers.largest} events`);
});
