// The -ff merge: files that start later are opened when the merge reaches them, so a set of
// more files than a process may hold open (a thread per connection, a file per thread) is read
// whole, in the same order as when every file is opened at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { firstStamp, mergeLanes, OPEN_AHEAD } from "../../src/pipeline/ff-merge.js";
import type { TraceEvent } from "../../src/syntax/events.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");

test("a file's start is its first line's clock or epoch; anything else is unknown", () => {
  assert.equal(firstStamp("12:00:01.250000 write(3, \"x\", 1) = 1\n"), 43201.25);
  assert.equal(firstStamp("12:00:01 close(3) = 0\n"), 43201);
  assert.equal(firstStamp("4242  12:00:01.5 close(3) = 0\n"), 43201.5);
  assert.equal(firstStamp("1733400000.123456 close(3) = 0\n"), 1733400000.123456);
  assert.equal(firstStamp("     0.000123 close(3) = 0\n"), null, "-r relative times");
  assert.equal(firstStamp("close(3) = 0\n"), null);
  assert.equal(firstStamp(null), null);
});

/** Lanes of events at the given times; counts how many lanes are being read at once. */
function lanes(times: number[][]) {
  const state = { open: 0, most: 0 };
  const gens = times.map((ts, i) =>
    (async function* () {
      state.open++;
      state.most = Math.max(state.most, state.open);
      try {
        for (let k = 0; k < ts.length; k += 2) {
          yield ts.slice(k, k + 2).map((t, j) => ({ type: "signal", pid: 100 + i, time: t, file: `f.${100 + i}`, line: k + j + 1 }) as unknown as TraceEvent);
          await Promise.resolve();
        }
      } finally {
        state.open--;
      }
    })(),
  );
  return { gens, state, pids: times.map((_, i) => 100 + i) };
}

async function merged(times: number[][], withStarts: boolean) {
  const l = lanes(times);
  const out: string[] = [];
  const starts = withStarts ? async (i: number) => ({ start: times[i]![0] ?? null, untimed: false }) : undefined;
  for await (const batch of mergeLanes(l.gens, l.pids, "set", () => {}, starts)) {
    for (const ev of batch) out.push(`${ev.pid}@${ev.time}:${ev.line}`);
  }
  return { out, most: l.state.most };
}

test("lanes that start later are opened when the merge reaches them, in the same order", async () => {
  // 300 threads one after another, each overlapping the next; ties on every boundary, and a
  // few that start at the very same time as another.
  const times = Array.from({ length: 300 }, (_, i) => {
    const s = i * 10 - (i % 7 === 0 ? 10 : 0);
    return [s, s + 3, s + 10, s + 12, s + 15];
  });
  const eager = await merged(times, false);
  const lazy = await merged(times, true);
  assert.equal(eager.out.length, 300 * 5);
  assert.deepEqual(lazy.out, eager.out, "the same events in the same order");
  assert.equal(eager.most, 300, "without starts every file is open at once");
  assert.ok(lazy.most <= 4 + OPEN_AHEAD, `with starts only the overlapping ones are, and the next few: ${lazy.most}`);
});

test("an -ff set of more files than may be open at once is read whole", () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-ffmany-"));
  const files = 1200;
  for (let i = 0; i < files; i++) {
    const t = (k: number) => `10:00:${String(1 + Math.floor((i * 4 + k) / 1000)).padStart(2, "0")}.${String(((i * 4 + k) % 1000) * 1000).padStart(6, "0")}`;
    const fd = `3<TCP:[10.0.0.1:80->10.0.0.2:${10000 + i}]>`;
    writeFileSync(
      join(dir, `trace.${20000 + i}`),
      `${t(0)} write(${fd}, "HTTP/1.1 200 OK\\r\\n"..., 100000) = 65536\n` +
        `${t(1)} shutdown(${fd}, SHUT_WR) = 0\n${t(2)} exit(0) = ?\n${t(3)} +++ exited with 0 +++\n`,
    );
  }
  const r = spawnSync("sh", ["-c", `ulimit -n 256 && exec "${process.execPath}" "${bin}" analyze --format json "${dir}"`], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.doesNotMatch(r.stderr, /EMFILE|too many open files/i);
  assert.equal(r.status, 1, r.stderr);
  const findings = JSON.parse(r.stdout).findings as { pid: number; unsentBytes: number }[];
  assert.equal(findings.length, files, "one finding per file");
  assert.ok(findings.every((f) => f.unsentBytes === 100000 - 65536));
});

test("interrupted, the merge ends where it is: one note for the set, its open files closed", async () => {
  const times = Array.from({ length: 300 }, (_, i) => [i * 10, i * 10 + 3, i * 10 + 10, i * 10 + 12]);
  const l = lanes(times);
  const problems: { code: string; file: string; line?: number }[] = [];
  let seen = 0;
  for await (const batch of mergeLanes(l.gens, l.pids, "set", (p) => problems.push(p), async (i) => ({ start: times[i]![0]!, untimed: false }), () => seen >= 40)) {
    seen += batch.length;
  }
  await new Promise((r) => setImmediate(r));
  assert.ok(seen >= 40 && seen < 100, `stopped soon after the signal: ${seen} events of 1,200`);
  assert.deepEqual(problems.map((p) => p.code), ["SR012"], "one note, for the whole set");
  assert.match(problems[0]!.file, /^f\.\d+$/, "at the last event merged");
  assert.equal(l.state.open, 0, "every file opened was closed");
  assert.ok(l.state.most <= 4 + OPEN_AHEAD);
});

test("without timestamps, a file is opened when its process starts, in the same causal order", async () => {
  // 300 processes, each forked by the one before it: writes, a fork, a read, an exit. The first
  // 30 wait in their read (all alive at once); the others read without waiting, and exit.
  const n = 300;
  const merge = async (lazy: boolean) => {
    const state = { open: 0, most: 0 };
    const gens = Array.from({ length: n }, (_, i) =>
      (async function* () {
        state.open++;
        state.most = Math.max(state.most, state.open);
        try {
          const pid = 100 + i;
          const call = (name: string, ret: number, line: number) =>
            ({ type: "syscall", pid, time: null, file: `f.${pid}`, line, name, args: [], ret, errno: null, form: "complete" }) as unknown as TraceEvent;
          yield [call("write", 5, 1), call("write", 5, 2)];
          const read = call(i < 30 ? "read" : "getpid", 5, 4);
          yield i + 1 < n ? [call("clone", pid + 1, 3), read] : [read];
          yield [call("exit_group", 0, 5)];
        } finally {
          state.open--;
        }
      })(),
    );
    const out: string[] = [];
    const problems: string[] = [];
    const heads = lazy ? async () => ({ start: null, untimed: true }) : undefined;
    for await (const batch of mergeLanes(gens, Array.from({ length: n }, (_, i) => 100 + i), "set", (p) => problems.push(p.code), heads)) {
      for (const ev of batch) out.push(`${ev.pid}:${ev.line}`);
    }
    return { out, most: state.most, problems };
  };
  const eager = await merge(false);
  const lazy = await merge(true);
  assert.equal(eager.out.length, n * 5 - 1);
  assert.deepEqual(lazy.out, eager.out, "the same causal order");
  assert.deepEqual(lazy.problems, ["SR010"], "the set is still said to have no timestamps");
  assert.equal(eager.most, n);
  assert.ok(lazy.most <= 33, `only the running processes' files are open: ${lazy.most}`);
});

test("a file read to its end leaves nothing behind while the rest of the set is merged (memory)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  // Lane 0 ends early; lane 1 goes on. The events of lane 0's last batch (all of a short file)
  // and its reader (with all it used) must be free to collect while the merge is still reading
  // lane 1.
  const refs: WeakRef<object>[] = [];
  const ev = (pid: number, t: number, line: number) => ({ type: "signal", pid, time: t, file: `f.${pid}`, line }) as unknown as TraceEvent;
  const lanes = () => {
    const short = (async function* () {
      const batch = [ev(100, 1, 1), ev(100, 2, 2)];
      for (const e of batch) refs.push(new WeakRef(e));
      yield batch;
    })();
    refs.push(new WeakRef(short));
    const long = (async function* () {
      for (let k = 0; k < 100; k++) yield [ev(101, 3 + k, k + 1)];
    })();
    return [short, long];
  };
  const merge = mergeLanes(lanes(), [100, 101], "set", () => {});
  let seen = 0;
  while (seen < 50) {
    const r = await merge.next();
    assert.ok(r.done !== true);
    seen += r.value.length;
  }
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  assert.equal(refs.filter((r) => r.deref() !== undefined).length, 0, "the short file's events and reader are collected");
  await merge.return(undefined);
});
