// Bounded state under floods: generated traces of calls that never resume, of open streams, of
// one giant line, of a cut call followed by endless program output. The built CLI runs each at
// two sizes; peak RSS may not grow with the input (bounded state) and time may grow at most about
// in proportion (no quadratic step). Sizes scale with STRACE_RACE_FLOOD_SCALE (default 1; the
// issue's figures, millions of calls, are reached with 10 or more).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, BIN, assertNoCrash, plainEnv, sampleText, tempDir } from "./cli-run.js";
import { MAX_LIVE_STREAMS } from "../../src/model/stream-model.js";
import { MAX_IN_FLIGHT } from "../../src/syntax/call-joiner.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { runPipeline } from "../property/pipeline.js";

const SCALE = Math.max(0.1, Number(process.env.STRACE_RACE_FLOOD_SCALE ?? 1) || 1);
const dir = tempDir("flood");
const preload = join(ROOT, "dist", "test", "hostile", "rss-preload.js");
const MB = 1024 * 1024;

interface Measured {
  readonly ms: number;
  readonly rssBytes: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Write `lines(i)` for i < n to a file (in 1 MB pieces, never one giant string). */
function generate(name: string, n: number, line: (i: number) => string, tail = ""): string {
  const path = join(dir, name);
  writeFileSync(path, "");
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += line(i);
    if (buf.length > MB) {
      writeFileSync(path, buf, { flag: "a" });
      buf = "";
    }
  }
  writeFileSync(path, buf + tail, { flag: "a" });
  return path;
}

function measure(args: readonly string[]): Measured {
  const rssFile = join(dir, `rss-${process.hrtime.bigint()}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", preload, BIN, ...args], {
    cwd: ROOT,
    env: plainEnv({ STRACE_RACE_TEST_RSS_FILE: rssFile }),
    maxBuffer: 1024 * MB,
    timeout: 300_000,
  });
  const ms = performance.now() - t0;
  const res = { status: r.status, signal: r.signal, stdout: r.stdout.toString(), stderr: r.stderr.toString(), stdoutBytes: r.stdout, stderrBytes: r.stderr };
  assertNoCrash(res, args.join(" "));
  const rssBytes = Number(readFileSync(rssFile, "utf8"));
  rmSync(rssFile);
  return { ms, rssBytes, status: r.status, stdout: res.stdout, stderr: res.stderr };
}

function figures(what: string, n: number, m: Measured): string {
  return `${what} ×${n.toLocaleString("en-US")}: ${m.ms.toFixed(0)} ms, peak RSS ${(m.rssBytes / MB).toFixed(0)} MB`;
}

/** Run the flood at n and 4n; RSS may grow by at most `maxGrowthMb`, time by at most 6×. */
function assertBounded(what: string, n: number, path: (n: number) => string, args: readonly string[], maxGrowthMb: number): void {
  const small = measure([...args, path(n)]);
  const large = measure([...args, path(4 * n)]);
  const report = `${figures(what, n, small)}; ${figures(what, 4 * n, large)}`;
  console.log(report);
  assert.ok(large.rssBytes - small.rssBytes <= maxGrowthMb * MB, `memory grows with the input: ${report}`);
  // 4× the input: linear is ~4× the time (minus start-up); 6× leaves room for a busy machine.
  assert.ok(large.ms <= 6 * Math.max(small.ms, 300), `time is not linear: ${report}`);
}

test("calls that never resume, 64 threads: bounded memory, linear time", () => {
  // Both sizes above the 8 MiB from which a file is read on a worker thread (300,000 lines: 9.9
  // MB), so the comparison is like for like: at 100,000 the small file was read on one thread,
  // and the worker's own memory (36-70 MB) counted as growth.
  const n = Math.round(300_000 * SCALE);
  const file = (k: number) => generate(`unfinished-64-${k}.strace`, k, (i) => `${1000 + (i % 64)} read(${i % 1000},  <unfinished ...>\n`);
  assertBounded("never-resumed calls on 64 threads", n, file, ["analyze", "--format", "ndjson", "--fail-on", "never"], 64);
});

test("calls that never resume, each on its own thread: linear time", async () => {
  // In process (no start-up time to hide the curve): 15,000 then 30,000 pids.
  const n = Math.round(15_000 * SCALE);
  const lines = (k: number) => Buffer.from(Array.from({ length: k }, (_, i) => `${100000 + i} read(0,  <unfinished ...>\n`).join(""));
  await runPipeline(lines(1000), Infinity); // warm up
  const t0 = performance.now();
  await runPipeline(lines(n), Infinity);
  const t1 = performance.now();
  const r = await runPipeline(lines(2 * n), Infinity);
  const t2 = performance.now();
  const report = `${n} pids: ${(t1 - t0).toFixed(0)} ms; ${2 * n} pids: ${(t2 - t1).toFixed(0)} ms`;
  console.log(report);
  assert.equal(r.events.filter((e) => e.type === "syscall" && e.form === "never-resumed").length, 2 * n);
  assert.ok(t2 - t1 <= 3 * Math.max(t1 - t0, 50), `doubling the pids more than triples the time: ${report}`);
});

test("more threads with a call in flight than the joiner keeps: capped, with a diagnostic", () => {
  const n = MAX_IN_FLIGHT + 34_464;
  const path = generate(`in-flight-${n}.strace`, n, (i) => `${100000 + i} read(3, <unfinished ...>\n`);
  const m = measure(["analyze", "--format", "ndjson", "--fail-on", "never", path]);
  assert.equal(m.status, 0, m.stderr);
  const given = (n - MAX_IN_FLIGHT).toLocaleString("en-US");
  assert.ok(
    m.stderr.includes(`${path}:1:1: warning[SR016]: more than ${MAX_IN_FLIGHT.toLocaleString("en-US")} threads had a call in flight at once: ${given} call(s), the first on this line, were given up as never resumed to bound memory`),
    m.stderr,
  );
  assert.equal(m.stderr.match(/SR016/g)?.length, 1, "said once");
});

test("more streams open at once than the model follows: capped, with a diagnostic", () => {
  // Past MAX_LIVE_STREAMS the model drops streams; the bound on memory itself (a model that
  // never holds more than its cap, in bounded heap and linear time) is in test/model/stream-cap.
  const n = MAX_LIVE_STREAMS + Math.round(10_000 * SCALE);
  const path = generate(`streams-${n}.strace`, n, (i) => `100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = ${3 + i}\n100 write(${3 + i}, "abc", 100) = 3\n`);
  const m = measure(["analyze", "--no-color", path]);
  console.log(figures("open streams with unsent bytes", n, m));
  assert.equal(m.status, 0, m.stderr);
  const note = new RegExp(
    `^note\\[SR211\\] .*streams-${n}\\.strace: more than 50,000 streams were open at once: ([\\d,]+) were dropped from the model to bound its memory \\(first at .*streams-${n}\\.strace:100001; ([\\d,]+) of them with bytes unsent\\), so findings on those streams may be missed\n  hint: analyse a shorter stretch of the trace, or trace fewer processes \\(strace -p PID\\); a program that keeps this many streams open may be leaking them$`,
    "m",
  );
  const match = note.exec(m.stdout);
  assert.ok(match !== null, m.stdout);
  assert.equal(m.stdout.match(/SR211/g)?.length, 1, "the note is given once");
  const dropped = Number(match[1]!.replace(/,/g, ""));
  assert.ok(n - dropped <= MAX_LIVE_STREAMS, `${n} streams, ${dropped} dropped: more than the cap still followed`);
  assert.equal(match[2], match[1], "every dropped stream had bytes unsent");
});

test("one line of 40 MB, in the middle and cut at the end: cut to 16 MiB, bounded memory, the race still found", () => {
  const lines = sampleText("hyper-short-write", "f-tt-T").split("\n");
  const giant = `9349  12:00:00.000000 write(1, "${"A".repeat(40_000_000)}", 40000000) = 40000000`;
  const middle = join(dir, "giant-middle.strace");
  writeFileSync(middle, [...lines.slice(0, 10), giant, ...lines.slice(10)].join("\n"));
  const end = join(dir, "giant-end.strace");
  writeFileSync(end, lines.join("\n") + giant.slice(0, 40_000_000)); // no newline: strace killed mid-line
  for (const [path, lineNo] of [[middle, 11], [end, lines.length]] as const) {
    const m = measure(["analyze", "--format", "json", path]);
    console.log(figures("40 MB line", 1, m));
    assert.equal(m.status, 1, m.stderr);
    assert.equal(JSON.parse(m.stdout).findings[0].rule, "shutdown-with-unsent");
    assert.match(m.stderr, new RegExp(`:${lineNo}:1: warning\\[SR003\\]: line is 40,000,\\d{3} characters long; only its first 16 MiB were read`));
    assert.ok(m.rssBytes < 200 * MB, figures("40 MB line", 1, m));
  }
});

/** A call cut inside a string, then lines of program output (no quote in them). */
function cutThenOutput(n: number): string[] {
  return ['9501  write(1, "abc', ...Array.from({ length: n }, (_, i) => `program output line ${i} xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`), "9501  close(3) = 0"];
}

function parseTimed(lines: readonly string[]): { ms: number; events: TraceEvent[] } {
  const parser = createEventParser({ file: "cut.strace" });
  const events: TraceEvent[] = [];
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i += 1000) parser.push(lines.slice(i, i + 1000), i + 1, events);
  parser.end(events);
  return { ms: performance.now() - t0, events };
}

test("a call cut inside a string, then endless program output: bounded, linear, and later calls kept", () => {
  const small = parseTimed(cutThenOutput(500));
  const large = parseTimed(cutThenOutput(1000));
  assert.ok(large.ms <= 4 * Math.max(small.ms, 25), `500 lines: ${small.ms.toFixed(0)} ms, 1000 lines: ${large.ms.toFixed(0)} ms`);
  const close = large.events.find((e) => e.type === "syscall" && e.name === "close");
  assert.ok(close !== undefined, "the complete close(3) line after the output is an event of its own");
  const biggest = Math.max(...large.events.map((e) => ("text" in e ? e.text.length : 0)));
  assert.ok(biggest < 64 * 1024, `an event holds ${biggest} characters of text`);
});
