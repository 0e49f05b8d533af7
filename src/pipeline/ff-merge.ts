// Merges the per-process files of an `strace -ff` set into one event stream. With timestamps:
// a k-way merge by entry time (-t/-tt are local time of day, so a drop of more than half a day
// within one file is midnight). Without them the true order is unknowable; the best guess is
// causal: start with the first process, and when a clone/fork returns the pid of a file in the
// set, run that child's file before going on with the parent (children usually do their work
// while the parent waits), then any file never reached. The user is told either way.
import type { TraceEvent } from "../syntax/events.js";
import type { InputProblem } from "./trace-input.js";

type Batches = AsyncGenerator<readonly TraceEvent[]>;

interface Lane {
  readonly it: Batches;
  readonly pid: number;
  queue: readonly TraceEvent[];
  pos: number;
  done: boolean;
  lastTime: number | null;
  dayOffset: number;
}

const DAY_SECONDS = 86400;
const BATCH_EVENTS = 4096;
const FORKING = new Set(["clone", "clone3", "fork", "vfork"]);

async function fill(lane: Lane): Promise<void> {
  while (!lane.done && lane.pos >= lane.queue.length) {
    const r = await lane.it.next();
    if (r.done) lane.done = true;
    else {
      lane.queue = r.value;
      lane.pos = 0;
    }
  }
}

export async function* mergeLanes(
  files: readonly Batches[],
  pids: readonly number[],
  name: string,
  report: (p: InputProblem) => void,
): Batches {
  const lanes: Lane[] = files.map((it, i) => ({
    it,
    pid: pids[i]!,
    queue: [],
    pos: 0,
    done: false,
    lastTime: null,
    dayOffset: 0,
  }));
  await Promise.all(lanes.map(fill));
  const timed = lanes.some((l) => l.pos < l.queue.length && l.queue[l.pos]!.time !== null);
  if (timed) {
    const backwards = yield* byTime(lanes);
    if (backwards) {
      report({
        file: name,
        code: "SR011",
        message: "timestamps in this -ff set go backwards (relative -r times?), so the merge order is uncertain",
        hint: "record with -tt or -ttt instead of -r when using -ff",
        fatal: false,
        severity: "note",
      });
    }
    return;
  }
  yield* causally(lanes);
  report({
    file: name,
    code: "SR010",
    message:
      "this -ff set has no timestamps, so the order of calls across its files is unknown; each child's file was read where its parent created it",
    hint: "record with -tt (or -ttt) so the files can be merged in time order",
    fatal: false,
    severity: "note",
  });
}

/** Returns whether some file's timestamps went backwards. */
async function* byTime(lanes: Lane[]): AsyncGenerator<readonly TraceEvent[], boolean> {
  let backwards = false;
  const keyOf = (lane: Lane, ev: TraceEvent): number => {
    if (ev.time === null) return lane.lastTime ?? -Infinity;
    let t = ev.time + lane.dayOffset;
    if (lane.lastTime !== null && t < lane.lastTime) {
      if (lane.lastTime - t > DAY_SECONDS / 2 && ev.time < DAY_SECONDS) {
        lane.dayOffset += DAY_SECONDS;
        t += DAY_SECONDS;
      } else if (lane.lastTime - t > 1e-3) {
        backwards = true;
      }
    }
    return t;
  };
  const heads = new Map<Lane, number>();
  let out: TraceEvent[] = [];
  for (;;) {
    let best: Lane | null = null;
    let bestKey = Infinity;
    for (const lane of lanes) {
      if (lane.pos >= lane.queue.length) continue;
      let k = heads.get(lane);
      if (k === undefined) {
        k = keyOf(lane, lane.queue[lane.pos]!);
        heads.set(lane, k);
      }
      if (best === null || k < bestKey) {
        best = lane;
        bestKey = k;
      }
    }
    if (best === null) break;
    out.push(best.queue[best.pos]!);
    best.pos++;
    heads.delete(best);
    if (bestKey !== -Infinity) best.lastTime = bestKey;
    if (best.pos >= best.queue.length) {
      if (out.length > 0) {
        yield out;
        out = [];
      }
      await fill(best);
    } else if (out.length >= BATCH_EVENTS) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
  return backwards;
}

async function* causally(lanes: Lane[]): Batches {
  const byPid = new Map<number, Lane>();
  for (const l of lanes) if (Number.isFinite(l.pid)) byPid.set(l.pid, l);
  const started = new Set<Lane>();
  let out: TraceEvent[] = [];
  for (const root of lanes) {
    if (started.has(root)) continue;
    started.add(root);
    const stack: Lane[] = [root];
    while (stack.length > 0) {
      const lane = stack[stack.length - 1]!;
      await fill(lane);
      if (lane.pos >= lane.queue.length) {
        stack.pop();
        continue;
      }
      const ev = lane.queue[lane.pos++]!;
      out.push(ev);
      if (out.length >= BATCH_EVENTS) {
        yield out;
        out = [];
      }
      if (ev.type === "syscall" && FORKING.has(ev.name) && ev.ret !== null && ev.ret > 0) {
        const child = byPid.get(ev.ret);
        if (child && !started.has(child)) {
          started.add(child);
          stack.push(child);
        }
      }
    }
  }
  if (out.length > 0) yield out;
}
