// The fast paths (calls whose arguments the model never reads skip the grammar; calls in plain
// form are read by a hand scan) must not change a single finding, statistic or parsed event:
// every sample recording is analysed, parsed and counted both ways and compared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createAnalyzer, type ModelEvent } from "../../src/analysis.js";
import { ARGS_NEEDED, ARGS_PROJECTED, needsArgs, RETURN_ONLY } from "../../src/model/args-needed.js";
import { poolSize } from "../../src/pipeline/parse-pool.js";
import { readTraceEvents, resolveTraces, type ReadOptions } from "../../src/pipeline/trace-input.js";
import { lightCall } from "../../src/syntax/light-call.js";
import { stringifyJson } from "../../src/report/escape.js";
import { quietIo } from "../helpers/quiet-io.js";
import { sampleTraces } from "../helpers/sample-traces.js";
import { STAT_TRACE } from "../helpers/stat-trace.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");


/** The fast path on this thread, or on the parse workers (segments of a few KB) with the
 *  arguments the model never reads left out, as `analyze` reads a large file. */
const FAST: ReadOptions = { argsNeeded: ARGS_NEEDED, plainScan: true };
const WORKERS: ReadOptions = { ...FAST, argsProjected: ARGS_PROJECTED, parallel: { minBytes: 0, segmentBytes: 4096 } };

async function analyze(path: string, opts: ReadOptions) {
  const { groups } = await resolveTraces([path]);
  const out: unknown[] = [];
  // Apart: the findings come out at the end of a batch, and the workers' batches are others.
  const modelEvents: unknown[] = [];
  let light = 0;
  let omitted = 0;
  for (const group of groups) {
    // Every model event too: `timeline` shows them, and they are what the rules read.
    const analyzer = createAnalyzer({ trace: group.name, onModelEvent: (ev) => modelEvents.push(modelEvent(ev)) });
    const reading = readTraceEvents(group, quietIo(), opts);
    for await (const batch of reading.batches) {
      for (const ev of batch) {
        if (ev.type !== "syscall") continue;
        if (ev.argsOmitted) light++;
        if (ev.args.some((a) => a.kind === "omitted")) omitted++;
      }
      out.push(...analyzer.push(batch));
    }
    out.push(...analyzer.end(), analyzer.stats, analyzer.notes);
  }
  out.push(modelEvents);
  return { out, light, omitted };
}

/** A model event as data (its stream by name and counts, not the object graph). */
function modelEvent(ev: ModelEvent): unknown {
  const { stream, ...rest } = ev;
  return { ...rest, stream: { name: stream.name, kind: stream.kind, identity: stream.identity, unsent: stream.unsentBytes } };
}

const traces = sampleTraces(true);

test("every sample recording gives the same findings, stats, notes and model events with and without the fast path", async () => {
  assert.ok(traces.length >= 100, `found ${traces.length} recordings`);
  let skipped = 0;
  let projected = 0;
  for (const t of traces) {
    const full = await analyze(t, {});
    const fast = await analyze(t, FAST);
    assert.equal(full.light, 0);
    assert.equal(full.omitted, 0);
    assert.deepEqual(fast.out, full.out, t);
    skipped += fast.light;
    if (poolSize() === 0) continue;
    const workers = await analyze(t, WORKERS);
    assert.deepEqual(workers.out, full.out, `${t} (parse workers, arguments left out)`);
    projected += workers.omitted;
  }
  assert.ok(skipped > 1000, `the fast path was taken (${skipped} calls)`);
  if (poolSize() > 0) assert.ok(projected > 500, `the workers left arguments out (${projected} calls)`);
});

test("the parts of an argument the workers leave out are ones the model never reads: a stat's mode and clone3's flags are kept", { skip: poolSize() === 0 && "a single core: no workers" }, async () => {
  // Each finding here hangs on the kept part: the mode says what fd 1 is (no -y), and
  // CLONE_FILES says the thread's close releases the stream's last reference.
  const dir = mkdtempSync(join(tmpdir(), "sr-proj-"));
  try {
    const file = join(dir, "t.strace");
    writeFileSync(
      file,
      [
        STAT_TRACE,
        '100 execve("./srv", ["./srv", "--port", "80"], 0x7ffd /* 3 vars */) = 0',
        "100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3",
        "100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, exit_signal=0, stack=0x7f, stack_size=0x7fff80, tls=0x7f} => {parent_tid=[101]}, 88) = 101",
        '101 write(3, "AAAA"..., 100000) = 65536',
        '101 write(3, "AAAA"..., 34464) = -1 EAGAIN (Resource temporarily unavailable)',
        "101 close(3) = 0",
      ].join("\n"),
    );
    const full = await analyze(file, {});
    const workers = await analyze(file, WORKERS);
    assert.deepEqual(workers.out, full.out);
    assert.equal(workers.omitted, 1, "read on a worker: execve's path and argv left out");
    const findings = (full.out as { rule?: string; fd?: number; unsentBytes?: number }[]).filter((f) => f.rule !== undefined);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.fd, f.unsentBytes]),
      [
        ["exit-with-unsent", 1, 934464],
        ["exit-with-unsent", 1, 990],
        ["close-with-unsent", 3, 34464],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** What `parse` prints (every event as NDJSON) and `stats` counts, read with or without the
 *  plain-line scan. */
async function parseOutput(path: string, plainScan: boolean) {
  const { groups } = await resolveTraces([path]);
  let ndjson = "";
  const stats: unknown[] = [];
  for (const group of groups) {
    const reading = readTraceEvents(group, quietIo(), { plainScan });
    for await (const batch of reading.batches) for (const ev of batch) ndjson += stringifyJson(ev) + "\n";
    for (const p of reading.parsers()) stats.push(p.stats);
  }
  return { ndjson, stats };
}

test("parse and stats print the same with and without the plain-line scan, on every sample recording", async () => {
  assert.ok(traces.length >= 100, `found ${traces.length} recordings`);
  let events = 0;
  for (const t of traces) {
    const grammar = await parseOutput(t, false);
    const scanned = await parseOutput(t, true);
    assert.equal(scanned.ndjson, grammar.ndjson, t);
    assert.deepEqual(scanned.stats, grammar.stats, t);
    events += grammar.ndjson.split("\n").length - 1;
  }
  assert.ok(events > 25_000, `${events} events compared`);
});

test("the scan takes plain calls, unfinished and resumed halves and exits of unneeded syscalls", () => {
  const no = (_: string) => false;
  assert.deepEqual(lightCall("9724  12:00:00.000001 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f5e4b2a1000 <0.000010>", no), {
    form: "complete",
    pid: 9724,
    time: 43200.000001,
    name: "mmap",
    ret: 0x7f5e4b2a1000,
    errno: null,
    durationUs: 10,
  });
  assert.equal(lightCall("[pid  9642] futex(0x1, FUTEX_WAIT, 2, NULL) = -1 EAGAIN (Resource temporarily unavailable)", no)?.errno, "EAGAIN");
  assert.deepEqual(lightCall("9642  futex(0x1, FUTEX_WAIT, 2, NULL <unfinished ...>", no), { form: "unfinished", pid: 9642, time: null, name: "futex", ret: 0, errno: null });
  assert.deepEqual(lightCall("<... futex resumed>) = 0 <0.5>", no), { form: "resumed", pid: null, time: null, name: "futex", ret: 0, errno: null, durationUs: 500000 });
  assert.deepEqual(lightCall("9642  1700000000.123456 +++ exited with 3 +++", no), { form: "exit", pid: 9642, time: 1700000000.123456, name: "", ret: 0, errno: null, exit: "exited with 3" });
  assert.equal(lightCall("<... restart_syscall resumed>) = 0", no), null, "restart_syscall may resume a call whose arguments are needed");
  assert.equal(lightCall("<... futex resumed>, 1 <unfinished ...>", no), null, "a resumed half cut again goes to the grammar");
  assert.equal(lightCall("futex(0x1, FUTEX_WAIT <unfinished ...>) = ?", no), null);
  assert.equal(lightCall("openat(AT_FDCWD, \"/x\", O_RDONLY) = 3</x>", no), null, "decorated returns go to the grammar");
  assert.equal(lightCall("fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)", no), null, "aux text goes to the grammar");
  assert.equal(lightCall("write(3, \"x\", 1) = 1 (INJECTED)", no), null);
  assert.equal(lightCall("exit_group(0) = ?", no), null);
  assert.equal(lightCall("mmap(NULL, 1) = 0", (n) => n === "mmap"), null, "wanted names are parsed in full");
  assert.equal(lightCall("<... mmap resumed>) = 0", (n) => n === "mmap"), null);
});

test("every syscall the stream model switches on has its arguments parsed, unless it reads only the return", () => {
  // The model's dispatch, read from its source: a case added there without adding the name to
  // ARGS_NEEDED would silently get argument-less events on the fast path.
  const source = readFileSync(join(root, "src", "model", "stream-model.ts"), "utf8");
  const body = source.slice(source.indexOf("private onSyscall("), source.indexOf("private createPair("));
  const cases = [...body.matchAll(/case "([a-z_0-9]+)":/g)].map((m) => m[1]);
  assert.ok(cases.length > 40, `found ${cases.length} cases`);
  for (const name of cases) assert.ok(needsArgs(name) || RETURN_ONLY.has(name), `${name} is switched on but neither in ARGS_NEEDED nor RETURN_ONLY`);
  for (const name of ["write", "sendto", "sendmsg", "writev", "sendfile", "splice", "openat", "accept4", "epoll_create1"]) assert.ok(needsArgs(name), name);
  for (const name of ["mmap", "futex", "getpid", "epoll_wait", "clock_nanosleep", "pread64", "connect"]) assert.ok(!needsArgs(name), name);
});
