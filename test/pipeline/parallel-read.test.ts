// Files read on the parse workers (segments replayed on this thread) must give exactly what one
// thread reading every line gives: the same events in the same order, the same stats, findings
// and notes. Segments are made tiny here so that every sample is cut at many places: between
// the halves of unfinished calls, between a call and its -k frames, inside cut calls and -c
// summaries (segments the main thread must read again), and at the end of unterminated files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARGS_NEEDED } from "../../src/model/args-needed.js";
import { poolSize } from "../../src/pipeline/parse-pool.js";
import { readSegment } from "../../src/pipeline/parse-worker.js";
import { MAX_SEGMENT_LINE } from "../../src/pipeline/segmented-read.js";
import { resolveTraces, type ParallelOptions, type ReadOptions } from "../../src/pipeline/trace-input.js";
import { stringifyJson } from "../../src/report/escape.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { readAll } from "../helpers/read-all.js";
import { sampleTraces } from "../helpers/sample-traces.js";
import { runSegmented } from "../property/pipeline.js";

const traces = sampleTraces();

/** Everything a reading of the trace at `path` gives (readAll). */
async function read(path: string, opts: ReadOptions) {
  return readAll((await resolveTraces([path])).groups, opts);
}

const tiny = (segmentBytes: number): ParallelOptions => ({ minBytes: 0, segmentBytes });

test("every sample reads the same on the parse workers as on one thread, cut into segments anywhere", { skip: poolSize() === 0 && "a single core: no workers" }, async () => {
  assert.ok(traces.length >= 100, `found ${traces.length} recordings`);
  let events = 0;
  for (const t of traces) {
    for (const fast of [true, false]) {
      const opts: ReadOptions = fast ? { argsNeeded: ARGS_NEEDED, plainScan: true } : { plainScan: true };
      const one = await read(t, opts);
      for (const segmentBytes of fast ? [1, 700] : [700]) {
        const many = await read(t, { ...opts, parallel: tiny(segmentBytes) });
        const what = `${t} (fast path ${fast}, segments of ${segmentBytes} bytes)`;
        assert.equal(many.ndjson, one.ndjson, what);
        assert.deepEqual(many.analysis, one.analysis, what);
        assert.deepEqual(many.stats, one.stats, what);
        assert.deepEqual(many.problems, one.problems, what);
      }
      events += one.ndjson.split("\n").length - 1;
    }
  }
  assert.ok(events > 50_000, `${events} events compared`);
});

test("a file cut mid-line, with a call cut across a segment and a line with no end, reads the same", { skip: poolSize() === 0 && "a single core: no workers" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-par-"));
  try {
    const file = join(dir, "t.strace");
    writeFileSync(
      file,
      [
        "100 12:00:00.000001 write(1, \"hello\\n\", 6hello",
        ") = 6",
        "100 12:00:00.000002 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3<TCP:[1]>",
        "100 12:00:00.000003 write(3<TCP:[1]>, \"abc\", 3 <unfinished ...>",
        "200 12:00:00.000004 futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>",
        "100 12:00:00.000005 <... write resumed>) = -1 EAGAIN (Resource temporarily unavailable)",
        " > /usr/lib/libc.so.6(write+0x14) [0x10e2a4]",
        "% time     seconds  usecs/call     calls    errors syscall",
        "------ ----------- ----------- --------- --------- ----------------",
        "100 12:00:00.000006 shutdown(3<TCP:[1]>, SHUT_WR) = 0",
        "100 12:00:00.000007 close(3<TCP:[1]>",
      ].join("\n"),
    );
    const one = await read(file, { argsNeeded: ARGS_NEEDED, plainScan: true });
    assert.ok(one.problems.some((p) => p.code === "SR015"), "the unterminated line is reported");
    for (const segmentBytes of [1, 10, 64, 100]) {
      const many = await read(file, { argsNeeded: ARGS_NEEDED, plainScan: true, parallel: tiny(segmentBytes) });
      assert.equal(many.ndjson, one.ndjson, `segments of ${segmentBytes}`);
      assert.deepEqual(many.analysis, one.analysis);
      assert.deepEqual(many.problems, one.problems);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A segment read by a worker and replayed here, against the same lines read on this thread:
 *  the same events (keys, order, marker constants) and stats. */
function replaysAsRead(lines: readonly string[], fast: boolean): void {
  const text = lines.join("\n") + "\n";
  const needsArgs = fast ? (n: string) => ARGS_NEEDED.has(n) : undefined;
  const reply = readSegment({ id: 1, bytes: Buffer.from(text), final: true, file: "t", pid: null, argsNeeded: fast ? [...ARGS_NEEDED] : null, plainScan: true });
  assert.equal(reply.dirty, false);
  assert.equal(reply.lines, lines.length);
  const replayed = createEventParser({ file: "t", plainScan: true, needsArgs });
  const viaRecord: TraceEvent[] = [];
  replayed.replay(reply.record, reply.stats, 0, viaRecord);
  replayed.end(viaRecord);
  const direct = createEventParser({ file: "t", plainScan: true, needsArgs });
  const inThread: TraceEvent[] = [];
  direct.push([...lines], 1, inThread);
  direct.end(inThread);
  assert.equal(viaRecord.map((e) => stringifyJson(e)).join("\n"), inThread.map((e) => stringifyJson(e)).join("\n"));
  assert.deepEqual(viaRecord, inThread);
  assert.deepEqual(replayed.stats, direct.stats);
  // A few lines at a time (an -ff set's file, as the merge reaches it): the same events, each
  // step giving those of about as many lines.
  for (const step of [1, 2, 3]) {
    const stepped = createEventParser({ file: "t", plainScan: true, needsArgs });
    const next = stepped.replaySteps(reply.record, reply.stats, 0);
    const viaSteps: TraceEvent[] = [];
    let steps = 0;
    for (let done = false; !done; steps++) {
      const out: TraceEvent[] = [];
      done = next(out, step);
      assert.ok(out.length <= step + 1, `a step of ${step} gave ${out.length} events`);
      viaSteps.push(...out);
    }
    stepped.end(viaSteps);
    assert.deepEqual(viaSteps, inThread, `in steps of ${step}`);
    assert.deepEqual(stepped.stats, direct.stats);
    assert.ok(steps >= Math.ceil(lines.length / step), `${steps} steps for ${lines.length} lines`);
  }
  // Line numbers are the segment's own until the replay adds those before it.
  const later: TraceEvent[] = [];
  createEventParser({ file: "t", plainScan: true, needsArgs }).replay(reply.record, reply.stats, 1000, later);
  assert.deepEqual(later.map((e) => e.line), inThread.slice(0, later.length).map((e) => e.line + 1000));
}

test("a segment's record replays to the events one reader makes, marker constants and all", () => {
  replaysAsRead(
    [
      "5 getsockopt(3, SOL_SOCKET, SO_ERROR <unfinished ...>",
      "5 <... getsockopt resumed>, [0], [4]) = 0",
      "5 recvmsg(3, {msg_name=NULL, msg_iov=[{iov_base=\"x\", iov_len=1}], msg_iovlen=1}, 0 <unfinished ...>",
      "5 <... recvmsg resumed>) = 1",
      "5 accept4(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"1.2.3.4\")}, [16 => 16], SOCK_CLOEXEC) = 4",
      "5 +++ exited with 0 +++",
    ],
    false,
  );
});

test("on the fast path too: light calls cut and resumed, threads that exit in the middle of one", () => {
  replaysAsRead(
    [
      "5  12:00:00.000001 futex(0x1, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>",
      "6  12:00:00.000002 epoll_wait(4, <unfinished ...>",
      "7  12:00:00.000003 write(3, \"x\", 1 <unfinished ...>",
      "6  12:00:00.000004 <... epoll_wait resumed>[], 8, 0) = 0 <0.000002>",
      "5  12:00:00.000005 +++ exited with 0 +++", // its futex never resumes
      "7  12:00:00.000006 +++ exited with 255 +++", // nor its write
      "8  12:00:00.000007 +++ exited with 007 +++", // the string path's
      "9  12:00:00.000008 +++ killed by SIGKILL +++",
      "6  12:00:00.000009 getpid() = 6",
      "6  12:00:00.000010 +++ exited with -1 +++",
    ],
    true,
  );
});

test("a line too long for a segment is read here, and the workers take the segments after it", { skip: poolSize() === 0 && "a single core: no workers" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-par-"));
  try {
    const racing = (pid: number) => [
      `${pid} socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 3`,
      `${pid} write(3, "GET / HTTP/1.1\\r\\n", 4096) = 16`,
      `${pid} shutdown(3, SHUT_WR) = 0`,
    ];
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `77 getpid() = ${i}`);
    const write = (chars: number) => `77 write(1, "${"A".repeat(chars)}", ${chars}) = ${chars}`;
    const text = [
      ...filler(2000),
      write(3 * MAX_SEGMENT_LINE), // read here whole
      ...racing(100),
      ...filler(2000),
      write(20_000_000), // cut to 16 MiB and reported
      "77 getpid() = 424242",
      ...racing(200),
      ...filler(2000),
      write(2 * MAX_SEGMENT_LINE).slice(0, -10), // the last line, with no end
    ].join("\n");
    const file = join(dir, "long.strace");
    writeFileSync(file, text);
    const opts: ReadOptions = { argsNeeded: ARGS_NEEDED, plainScan: true };
    const one = await read(file, opts);
    const many = await read(file, { ...opts, parallel: tiny(4096) });
    assert.equal(many.ndjson, one.ndjson);
    assert.deepEqual(many.analysis, one.analysis);
    assert.deepEqual(many.problems, one.problems);
    assert.deepEqual(
      one.problems.map((p) => `${p.line} ${p.code}`),
      ["4005 SR003", `${text.split("\n").length} SR015`],
      "the cut line and the unterminated one, where they are",
    );
    assert.equal(one.analysis.filter((a) => (a as { rule?: string }).rule === "shutdown-with-unsent").length, 2, "both races found");

    // What went to the workers: the lines around the long ones, none of the long ones.
    const submitted: string[] = [];
    const segmented = await runSegmented(readFileSync(file), 4096, file, (bytes) => submitted.push(Buffer.from(bytes).toString("latin1")));
    const worked = submitted.join("");
    assert.ok(worked.includes("77 getpid() = 424242\n200 socket("), "the lines after the 20 MB one went to the workers");
    assert.ok(worked.includes("77 getpid() = 1999\n"), "so did the last whole lines");
    assert.ok(Math.max(...submitted.map((s) => s.length)) < MAX_SEGMENT_LINE, "no long line in a segment");
    assert.equal(segmented.lines, text.split("\n").length);
    assert.ok(segmented.events.length > 6000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
