// Every syscall event has one shape (newSyscallEvent: every field there, in one order), whichever
// reader made it: the grammar, the light scan, the plain scan, a worker's record replayed, the
// joiner (joined, resumed-only, never-resumed) or the -k frames after it. Events of several
// shapes made the main thread's reads of their fields megamorphic, 5% of its instructions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARGS_NEEDED } from "../../src/model/args-needed.js";
import { poolSize } from "../../src/pipeline/parse-pool.js";
import { readTraceEvents, resolveTraces, type ReadOptions } from "../../src/pipeline/trace-input.js";
import { newSyscallEvent, type SyscallEvent } from "../../src/syntax/events.js";
import { quietIo } from "../helpers/quiet-io.js";
import { sampleTraces } from "../helpers/sample-traces.js";

const traces = sampleTraces();

const fast: ReadOptions = { argsNeeded: ARGS_NEEDED, plainScan: true };
const readings: readonly (readonly [string, ReadOptions])[] = [
  ["the grammar", {}],
  ["the fast paths", fast],
  ...(poolSize() > 0 ? [["the fast paths on the workers", { ...fast, parallel: { minBytes: 0, segmentBytes: 700 } }] as const] : []),
];

/** What no sample holds: calls strace's fault injection changed (`-e inject=`), the second half
 *  of a call that began before strace attached, and a call its thread's end cut short. */
const EXTRA = `4321  10:00:00.000000 <... read resumed>"x", 10) = 1 <0.000002>
4321  10:00:00.000001 <... epoll_wait resumed>[], 8, 0) = 0
4321  10:00:00.000002 write(3, "abc", 3) = -1 EAGAIN (Resource temporarily unavailable) (INJECTED)
4321  10:00:00.000003 write(3, "abc", 3) = 1 (INJECTED) <0.000007>
4321  10:00:00.000004 write(3<TCP:[1.2.3.4:5->6.7.8.9:10]>, "a\\nb"..., 300) = 2 (INJECTED)
4322  10:00:00.000005 futex(0x7f00, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>
4322  10:00:00.000006 +++ exited with 0 +++
`;

test("every syscall event has every field in one order, however its line was read", async (t) => {
  assert.ok(traces.length >= 100, `found ${traces.length} recordings`);
  const dir = mkdtempSync(join(tmpdir(), "event-shape-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "extra.strace"), EXTRA);
  traces.push(join(dir, "extra.strace"));
  const keys = Object.keys(newSyscallEvent("f", 1, null, null, "x", [], 0, null, "complete"));
  /** The optional fields, and the forms, seen set: the samples cover every way of making one. */
  const set = new Set<string>();
  let events = 0;
  for (const [how, opts] of readings) {
    for (const t of traces) {
      const { groups } = await resolveTraces([t]);
      for (const group of groups) {
        for await (const batch of readTraceEvents(group, quietIo(), opts).batches) {
          for (const ev of batch) {
            if (ev.type !== "syscall") continue;
            events++;
            assert.deepEqual(Object.keys(ev), keys, `${t}:${ev.line}, read by ${how}`);
            set.add(ev.form);
            for (const k of keys) if (ev[k as keyof SyscallEvent] !== undefined) set.add(k);
          }
        }
      }
    }
  }
  assert.ok(events > 50_000, `${events} events`);
  for (const k of [...keys, "joined", "resumed-only", "never-resumed"]) assert.ok(set.has(k), `no sample event has ${k}`);
});
