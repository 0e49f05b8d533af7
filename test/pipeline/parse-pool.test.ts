// The parse pool posts each segment to a worker and takes in the words each record brings as it
// arrives: records read on a worker replay with their words, on the fast path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ParsePool } from "../../src/pipeline/parse-pool.js";
import { ARGS_NEEDED } from "../../src/model/args-needed.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";

const LINES = ['1 00:00:01.000001 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f0000000000 <0.000010>', '1 00:00:01.000002 close(3) = 0 <0.000003>'];

test("records read on a worker replay with their words in any order, on the fast path", async () => {
  const pool = new ParsePool(1);
  try {
    const argsNeeded = [...ARGS_NEEDED];
    const bytes = [Buffer.from(`${LINES.join("\n")}\n`, "latin1")];
    const submit = () => pool.submit({ bytes, final: false, file: "t", pid: null, argsNeeded, plainScan: true });
    // Four segments in flight at once: the later records use the words the first brought.
    const outcomes = await Promise.all([submit(), submit(), submit(), pool.submit({ bytes, final: false, file: "t", pid: null, argsNeeded: [...argsNeeded], plainScan: true })]);
    // Replayed last first: the words of the first came with it, before the others were replayed.
    for (const o of outcomes.reverse()) {
      assert.ok(!("failed" in o), "failed" in o ? o.failed : "");
      const out: TraceEvent[] = [];
      const parser = createEventParser({ file: "t", pid: null, plainScan: true, needsArgs: (n) => ARGS_NEEDED.has(n) });
      parser.replay(o.record, o.stats, 0, out);
      parser.end(out);
      const calls = out.filter((e) => e.type === "syscall");
      assert.deepEqual(
        calls.map((e) => [e.name, e.argsOmitted === true, e.args.length]),
        [
          ["mmap", true, 0],
          ["close", false, 1],
        ],
        "mmap taken by the light scan (no arguments), close with its fd",
      );
    }
  } finally {
    pool.close();
  }
});
