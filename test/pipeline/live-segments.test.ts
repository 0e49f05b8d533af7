// A live input (a pipe: strace still writing) is read in segments too: its first bytes on this
// thread, the rest by the parse workers once they have started. Whatever the pieces the pipe
// delivers, the events, stats and findings are those one thread reads; and a quiet pipe still
// gets its held call out within the idle time while the workers read its segments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ARGS_NEEDED } from "../../src/model/args-needed.js";
import { acquirePool, poolSize, releasePool, type ParsePool } from "../../src/pipeline/parse-pool.js";
import { LIVE_SEGMENT_MS } from "../../src/pipeline/segmented-read.js";
import { IDLE_FLUSH_MS, PARALLEL_DEFAULTS, readTraceEvents, type ReadOptions } from "../../src/pipeline/trace-input.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { quietIo } from "../helpers/quiet-io.js";
import { readAll } from "../helpers/read-all.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const sample = (p: string) => readFileSync(join(root, "samples", p), "utf8");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noWorkers = poolSize() === 0 && "a single core: no workers";
const LIVE = { name: "<stdin>", files: ["-"], ff: false, bytes: null };

/** The shared pool, started and ready (the reader then hands its segments to it at once). */
async function readyPool(): Promise<ParsePool> {
  const pool = acquirePool()!;
  for (let waited = 0; !pool.ready; waited += 10) {
    assert.ok(waited < 20_000, "the parse worker started");
    await sleep(10);
  }
  return pool;
}

/** Everything a live reading of `pieces` gives (readAll). */
function readLive(pieces: Iterable<string>, opts: ReadOptions) {
  return readAll([LIVE], opts, { ...quietIo(), stdin: Readable.from(pieces, { objectMode: false }) });
}

/** `text` in pieces of the sizes a pipe delivers: a few bytes up to 64 KiB, cut anywhere. */
function* pieces(text: string, seed: number): Generator<string> {
  let x = seed;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let at = 0; at < text.length; ) {
    const n = Math.max(1, Math.floor(rand() < 0.3 ? rand() * 200 : rand() * 65536));
    yield text.slice(at, at + n);
    at += n;
  }
}

test("a live pipe read in segments by the workers gives what one thread gives, in any pieces", { skip: noWorkers }, async () => {
  const pool = await readyPool();
  try {
    // Calls cut by <unfinished ...> across pieces and segments, -k frames, 2>&1 interleaving,
    // program output, an unterminated last line.
    const texts = [
      sample("hyper-short-write/f-tt-T.strace").repeat(40),
      sample("thread-shutdown/f-tt-T.strace").repeat(20) + sample("hyper-short-write/f-tt-T.strace"),
      sample("node-slow-reader/f-tt-T.strace").repeat(10) + "1234  write(3, \"ab\", 2",
    ];
    let compared = 0;
    for (const [i, text] of texts.entries()) {
      for (const fast of [true, false]) {
        const opts: ReadOptions = fast ? { argsNeeded: ARGS_NEEDED, plainScan: true } : { plainScan: true };
        const one = await readLive(pieces(text, i + 1), opts);
        for (const segmentBytes of [300, 4096]) {
          const before = pool.submitted;
          const many = await readLive(pieces(text, i + 7), { ...opts, parallel: { minBytes: 0, segmentBytes } });
          const what = `text ${i} (fast path ${fast}, segments of ${segmentBytes} bytes)`;
          assert.ok(pool.submitted - before > 10, `${what}: the workers read its segments (${pool.submitted - before})`);
          assert.equal(many.ndjson, one.ndjson, what);
          assert.deepEqual(many.analysis, one.analysis, what);
          assert.deepEqual(many.stats, one.stats, what);
          assert.deepEqual(many.problems, one.problems, what);
          compared += many.ndjson.length;
        }
      }
    }
    assert.ok(compared > 1e6, `${compared} bytes of events compared`);
  } finally {
    releasePool(pool);
  }
});

test("a quiet live pipe gets its held call out within the idle time while the workers read it", { skip: noWorkers }, async () => {
  const pool = await readyPool();
  try {
    const stdin = new PassThrough();
    const io = { ...quietIo(), stdin };
    const reading = readTraceEvents(LIVE, io, { argsNeeded: ARGS_NEEDED, plainScan: true, parallel: { minBytes: 0, segmentBytes: 4096 } });
    const arrived: { ev: TraceEvent; at: number }[] = [];
    const done = (async () => {
      for await (const batch of reading.batches) for (const ev of batch) arrived.push({ ev, at: performance.now() });
    })();
    const before = pool.submitted;
    // A busy stretch first (many segments), then the loss, then nothing: strace still running.
    stdin.write(sample("hyper-short-write/f-tt-T.strace").repeat(30));
    await sleep(300);
    const writtenAt = performance.now();
    stdin.write('9501  write(3, "abc", 3) = 3\n9501  shutdown(3, SHUT_WR) = 0\n');
    await sleep(IDLE_FLUSH_MS + LIVE_SEGMENT_MS + 300);
    const shutdown = arrived.find((a) => a.ev.type === "syscall" && a.ev.name === "shutdown" && a.ev.pid === 9501);
    assert.ok(pool.submitted - before > 10, `the workers read the busy stretch (${pool.submitted - before} segments)`);
    assert.ok(shutdown !== undefined, "the held call came out while the pipe stayed open");
    const after = shutdown.at - writtenAt;
    assert.ok(after < IDLE_FLUSH_MS + LIVE_SEGMENT_MS + 200, `after ${after.toFixed(0)} ms`);
    stdin.end("9501  close(3) = 0\n");
    await done;
    assert.ok(arrived.some((a) => a.ev.type === "syscall" && a.ev.name === "close" && a.ev.pid === 9501), "the last line read at the end");
  } finally {
    releasePool(pool);
  }
});

test("a long live pipe read on the workers keeps no batch alive (memory flat however long it runs)", { skip: noWorkers }, async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const text = sample("hyper-short-write/f-tt-T.strace");
  // 60 MB of a live pipe, its pids shifted each round, read as `analyze` reads stdin.
  const stdin = Readable.from(
    (function* () {
      for (let r = 1; r <= 10_000; r++) yield text.replace(/^(\d+)/gm, (pid) => String(Number(pid) + r * 10));
    })(),
  );
  const stop = new AbortController();
  const io = { ...quietIo(), stdin, terminate: stop.signal };
  const pool = acquirePool()!;
  const before = pool.submitted;
  try {
    const reading = readTraceEvents(LIVE, io, { argsNeeded: ARGS_NEEDED, plainScan: true, parallel: PARALLEL_DEFAULTS });
    let batches = 0;
    let early = 0;
    let events = 0;
    for await (const batch of reading.batches) {
      events += batch.length;
      if (batch.length > 0 && ++batches === 100) {
        gc();
        early = process.memoryUsage().heapUsed;
      }
    }
    gc();
    const grown = process.memoryUsage().heapUsed - early;
    assert.ok(pool.submitted - before > 100, `the workers read most of it (${pool.submitted - before} segments)`);
    assert.ok(events > 500_000, `${events} events`);
    assert.ok(grown < 15e6, `the heap grew ${(grown / 1e6).toFixed(1)} MB over 60 MB of input`);
  } finally {
    releasePool(pool);
  }
});
