// The parse workers' share of `analyze`, alone on one thread: the file read in segments of the
// size analyze hands its workers, each read into its op record as a worker does (light scan,
// plain scan, the string path for the rest), nothing replayed. With one worker beside the main
// thread (two cores), analyze cannot go faster than this, however light the rest becomes.
import { closeSync, openSync, readSync } from "node:fs";
import { ARGS_NEEDED, ARGS_PROJECTED } from "../src/model/args-needed.js";
import { readSegment, recycleRecord } from "../src/pipeline/parse-worker.js";
import { PARALLEL_DEFAULTS } from "../src/pipeline/trace-input.js";

function main(): void {
  const path = process.argv[2];
  if (!path) throw new Error("usage: bench-scan FILE");
  const argsNeeded = [...ARGS_NEEDED];
  const argsProjected = [...ARGS_PROJECTED];
  const fd = openSync(path, "r");
  const chunk = Buffer.alloc(1 << 20);
  let held = Buffer.alloc(0);
  let lines = 0;
  let id = 0;
  const scan = (bytes: Buffer, final: boolean) => {
    const reply = readSegment({ id: id++, bytes, final, file: path, pid: null, argsNeeded, argsProjected, plainScan: true });
    lines += reply.lines;
    // As the main thread gives a replayed record's buffers back.
    recycleRecord(reply.record);
  };
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    held = held.length === 0 ? Buffer.from(chunk.subarray(0, n)) : Buffer.concat([held, chunk.subarray(0, n)]);
    // Whole lines, in segments of about segmentBytes (as segmented-read.ts cuts them).
    let from = 0;
    for (;;) {
      if (held.length - from < PARALLEL_DEFAULTS.segmentBytes) break;
      const nl = held.indexOf(10, from + PARALLEL_DEFAULTS.segmentBytes - 1);
      if (nl < 0) break;
      scan(held.subarray(from, nl + 1), false);
      from = nl + 1;
    }
    held = held.subarray(from);
  }
  closeSync(fd);
  scan(held, true);
  process.stdout.write(JSON.stringify({ lines }) + "\n");
}

main();
