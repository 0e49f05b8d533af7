// Merges the per-process files of an `strace -ff` set into one event stream. With timestamps:
// a k-way merge by entry time (-t/-tt are local time of day, so a drop of more than half a day
// within one file is midnight). Without them the true order is unknowable; the best guess is
// causal (see `causally`): a child's file starts where its parent's clone/fork returned its pid,
// and processes take turns at the calls that wait for each other. The user is told either way.
import { headText } from "../io/byte-source.js";
import { straceLineParser } from "../../grammars/strace-line-parser.js";
import { emptyPrefix, readPrefix } from "../syntax/line-prefix.js";
import type { TraceEvent, Value } from "../syntax/events.js";
import type { InputProblem } from "./trace-input.js";

type Batches = AsyncGenerator<readonly TraceEvent[]>;

interface Lane {
  /** Its file's events; FINISHED once read (a finished reader still holds all it used). */
  it: Batches;
  readonly pid: number;
  /** Its place in the set (file name order): of two events at the same time, the earlier
   *  lane's goes first. */
  readonly index: number;
  /** The time of its file's first line; null when unknown (the lane is opened at once). */
  start: number | null;
  /** Its file is being read (a lane not opened holds no file descriptor). */
  opened: boolean;
  queue: readonly TraceEvent[];
  pos: number;
  done: boolean;
  lastTime: number | null;
  dayOffset: number;
  /** The merge key of its next event, while it waits in the LaneHeap. */
  key: number;
}

const DAY_SECONDS = 86400;
const NO_EVENTS: readonly TraceEvent[] = [];
const FINISHED: Batches = (async function* () {})();
const BATCH_EVENTS = 4096;
const FORKING = new Set(["clone", "clone3", "fork", "vfork"]);

async function fill(lane: Lane): Promise<void> {
  while (!lane.done && lane.pos >= lane.queue.length) {
    const r = await lane.it.next();
    if (r.done) {
      // Its last batch and its reader go too: every lane of the set stays till the end.
      lane.done = true;
      lane.queue = NO_EVENTS;
      lane.pos = 0;
      lane.it = FINISHED;
    } else {
      lane.queue = r.value;
      lane.pos = 0;
    }
  }
}

/** What a file's first line says of its time, read without keeping the file open. */
export interface LaneHead {
  /** The time of its clock or epoch (-t, -tt, -ttt), as the parser reads it, or null. */
  readonly start: number | null;
  /** The line was read and has no time at all (a set of such files has no timestamps). */
  readonly untimed: boolean;
}

const UNKNOWN_HEAD: LaneHead = { start: null, untimed: false };

/** Stamps that are a time of day or an epoch: -r offsets say nothing of when a file starts. */
const ABSOLUTE: ReadonlySet<string> = new Set(["t", "tt", "ttt", "unix-s", "t-r"]);

/** The head of a file's text, read by the line grammar: its first line's leaders. A first line
 *  the grammar does not take whole (cut by the peek, not a strace line) says nothing. */
export function headOf(text: string | null): LaneHead {
  if (text === null) return UNKNOWN_HEAD;
  const nl = text.indexOf("\n");
  const r = straceLineParser.parseLine((nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, ""));
  if (r.value === null) return UNKNOWN_HEAD;
  const prefix = readPrefix(r.value.leaders, emptyPrefix());
  if (prefix.stamp === null) return { start: null, untimed: true };
  return { start: ABSOLUTE.has(prefix.stamp) ? prefix.time : null, untimed: false };
}

export function firstStamp(text: string | null): number | null {
  return headOf(text).start;
}

export async function fileHead(path: string): Promise<LaneHead> {
  return headOf(await headText(path));
}

/** Files of a timed set opened ahead of the merge's need of them. */
export const OPEN_AHEAD = 8;

/** Files peeked at once for their start. */
const PEEKS_AT_ONCE = 8;

/** Merge the lanes of one -ff set. `heads` tells when each file starts: a file that starts
 *  later is opened only when the merge reaches that time, so a set of thousands of files (a
 *  thread per connection: a file per thread) is read with only the overlapping ones open, not
 *  more than a process may hold. In a set without timestamps a file is opened when its process
 *  starts (the causal merge reaches its parent's clone). Without `heads`, or for files whose
 *  start is unknown, every file is opened at once. */
export function mergeLanes(
  files: readonly Batches[],
  pids: readonly number[],
  name: string,
  report: (p: InputProblem) => void,
  heads?: (index: number) => Promise<LaneHead>,
  stopped: () => boolean = () => false,
): Batches {
  // Only the lanes hold the files' readers: each lets its reader go once its file is read.
  const lanes: Lane[] = files.map((it, i) => ({
    it,
    pid: pids[i]!,
    index: i,
    start: null,
    opened: false,
    queue: [],
    pos: 0,
    done: false,
    lastTime: null,
    dayOffset: 0,
    key: 0,
  }));
  return mergeSet(lanes, name, report, heads, stopped);
}

async function* mergeSet(
  lanes: Lane[],
  name: string,
  report: (p: InputProblem) => void,
  heads: ((index: number) => Promise<LaneHead>) | undefined,
  stopped: () => boolean,
): Batches {
  let untimed = 0;
  if (heads !== undefined) {
    let next = 0;
    const peek = async () => {
      while (next < lanes.length) {
        const lane = lanes[next++]!;
        const head = await heads(lane.index);
        lane.start = head.start;
        if (head.untimed) untimed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PEEKS_AT_ONCE, lanes.length) }, peek));
  }
  // No file has a time: the causal merge opens each when its process starts.
  const noTimes = untimed === lanes.length;
  const unknown = noTimes ? [] : lanes.filter((l) => l.start === null);
  await Promise.all(unknown.map(open));
  // A file with a clock on its first line, or one opened whose first event has a time.
  const timed = lanes.some((l) => l.start !== null) || unknown.some((l) => l.pos < l.queue.length && l.queue[l.pos]!.time !== null);
  const merged = timed ? byTime(lanes) : causally(lanes);
  // Interrupted (Ctrl-C): the merge ends where it is, with one note for the set, and its open
  // files are closed; reading on would open every file left and read a batch of each.
  let last: TraceEvent | null = null;
  let backwards = false;
  for (;;) {
    if (stopped()) {
      void merged.return(false);
      for (const l of lanes) if (l.opened && !l.done) l.it.return(undefined).catch(() => {});
      report({
        file: last?.file ?? name,
        line: last?.line,
        code: "SR012",
        message: "interrupted: this -ff set was read up to this line (its other files up to the same time)",
        hint: "the findings shown cover the part that was read",
        fatal: false,
        severity: "note",
      });
      return;
    }
    const r = await merged.next();
    if (r.done === true) {
      backwards = r.value === true;
      break;
    }
    if (r.value.length > 0) last = r.value[r.value.length - 1]!;
    yield r.value;
  }
  if (timed) {
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
  report({
    file: name,
    code: "SR010",
    message:
      "this -ff set has no timestamps, so the order of calls across its files is unknown; calls were ordered by where processes wait for each other",
    hint: "record with -tt (or -ttt) so the files can be merged in time order",
    fatal: false,
    severity: "note",
  });
}

async function open(lane: Lane): Promise<void> {
  lane.opened = true;
  await fill(lane);
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
  // Lanes not opened yet, by start (file order on ties); the opened ones with events left, by
  // the key of their next event (file order on ties).
  const pending = lanes.filter((l) => !l.opened).sort((a, b) => a.start! - b.start! || a.index - b.index);
  let p = 0;
  const active = new LaneHeap();
  /** Files being opened ahead of the merge. */
  const opening = new Map<Lane, Promise<void>>();
  const join = (lane: Lane) => {
    if (lane.pos < lane.queue.length) active.push(lane, keyOf(lane, lane.queue[lane.pos]!));
  };
  for (const lane of lanes) if (lane.opened) join(lane);
  let out: TraceEvent[] = [];
  for (;;) {
    const best = active.top();
    const bestKey = best === null ? Infinity : best.key;
    // A file starting no later than the next event joins first: it may hold an earlier one.
    if (p < pending.length && (best === null || pending[p]!.start! <= bestKey)) {
      // The next few files are opened meanwhile: opening and reading a file waits on the disk
      // (a set of thousands of short files spent a third of its time waiting, one at a time).
      for (let k = p; k < Math.min(p + OPEN_AHEAD, pending.length); k++) {
        const ahead = pending[k]!;
        if (opening.has(ahead)) continue;
        const opened = open(ahead);
        // A failure surfaces where the merge awaits it, not as unhandled if the merge stops first.
        opened.catch(() => {});
        opening.set(ahead, opened);
      }
      const lane = pending[p++]!;
      await opening.get(lane);
      opening.delete(lane);
      join(lane);
      continue;
    }
    if (best === null) break;
    out.push(best.queue[best.pos]!);
    best.pos++;
    if (bestKey !== -Infinity) best.lastTime = bestKey;
    if (best.pos < best.queue.length) {
      // Its next event's key, and down the heap from the top: one sift, not a pop and a push.
      active.rekeyTop(keyOf(best, best.queue[best.pos]!));
      if (out.length >= BATCH_EVENTS) {
        yield out;
        out = [];
      }
    } else {
      active.pop();
      if (out.length > 0) {
        yield out;
        out = [];
      }
      await fill(best);
      join(best);
    }
  }
  if (out.length > 0) yield out;
  return backwards;
}

/** The lanes with events left, smallest key first (the lower file index on ties): a set of
 *  thousands of files open at once (a thread per connection) was merged by looking at every
 *  open lane for every event. */
class LaneHeap {
  private readonly items: Lane[] = [];

  top(): Lane | null {
    return this.items[0] ?? null;
  }

  push(lane: Lane, key: number): void {
    lane.key = key;
    const items = this.items;
    let i = items.push(lane) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(lane, items[up]!)) break;
      items[i] = items[up]!;
      i = up;
    }
    items[i] = lane;
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) this.siftDown(last);
  }

  /** The top lane's key is now `key`: it moves down to its place. */
  rekeyTop(key: number): void {
    const top = this.items[0]!;
    top.key = key;
    this.siftDown(top);
  }

  /** Put `lane` at the top's place and move it down past every lane that goes before it. */
  private siftDown(lane: Lane): void {
    const items = this.items;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= items.length) break;
      const c = l + 1 < items.length && before(items[l + 1]!, items[l]!) ? l + 1 : l;
      if (!before(items[c]!, lane)) break;
      items[i] = items[c]!;
      i = c;
    }
    items[i] = lane;
  }
}

function before(a: Lane, b: Lane): boolean {
  return a.key < b.key || (a.key === b.key && a.index < b.index);
}

/** Calls that usually wait for another process: their line (printed at completion in -ff
 * files) belongs after whatever the other processes did meanwhile. */
const BLOCKING = new Set([
  "read", "readv", "pread64", "recv", "recvfrom", "recvmsg", "recvmmsg",
  "wait4", "waitid", "waitpid", "poll", "ppoll", "select", "pselect6",
  "epoll_wait", "epoll_pwait", "epoll_pwait2", "accept", "accept4",
  "nanosleep", "clock_nanosleep", "pause", "rt_sigsuspend", "rt_sigtimedwait",
  "msgrcv", "semop", "semtimedop", "flock", "mq_timedreceive",
]);

/** Calls whose arguments `blocks` reads: the fast path must parse them in an -ff set. */
export const MERGE_ARGS: readonly string[] = ["futex"];

function blocks(ev: TraceEvent): boolean {
  if (ev.type !== "syscall") return false;
  if (BLOCKING.has(ev.name)) return true;
  if (ev.name === "futex") return ev.args.some((a) => mentions(a, "WAIT"));
  return false;
}

function mentions(v: Value, word: string): boolean {
  switch (v.kind) {
    case "ident":
      return v.name.includes(word);
    case "flags":
      return v.parts.some((p) => mentions(p, word));
    case "named":
      return mentions(v.value, word);
    default:
      return false;
  }
}

/** A uniprocessor guess at the order: the running process goes on until its next call would
 * wait; then another process whose next call does not wait runs; when every process waits, the
 * one that has waited longest completes its call. A clone/fork starts its child's file. */
async function* causally(lanes: Lane[]): AsyncGenerator<readonly TraceEvent[], boolean> {
  const byPid = new Map<number, Lane>();
  for (const l of lanes) if (Number.isFinite(l.pid)) byPid.set(l.pid, l);
  const running: Lane[] = [];
  const waitingSince = new Map<Lane, number>();
  const started = new Set<Lane>();
  const start = (l: Lane) => {
    started.add(l);
    l.opened = true; // read (from its first line) at the next fill
    running.push(l);
  };
  let out: TraceEvent[] = [];
  let step = 0;
  let current: Lane | null = null;
  for (;;) {
    for (let i = running.length - 1; i >= 0; i--) {
      const l = running[i]!;
      await fill(l);
      if (l.pos >= l.queue.length) {
        running.splice(i, 1);
        waitingSince.delete(l);
        if (current === l) current = null;
      }
    }
    if (running.length === 0) {
      const next = lanes.find((l) => !started.has(l));
      if (!next) break;
      start(next);
      continue;
    }
    let pick: Lane | null = null;
    if (current && running.includes(current) && !blocks(current.queue[current.pos]!)) pick = current;
    if (!pick) {
      for (const l of running) {
        if (blocks(l.queue[l.pos]!)) {
          if (!waitingSince.has(l)) waitingSince.set(l, step);
        } else if (!pick) {
          pick = l;
        }
      }
    }
    if (!pick) {
      let oldest = Infinity;
      for (const [l, since] of waitingSince) {
        if (since < oldest) {
          oldest = since;
          pick = l;
        }
      }
    }
    if (!pick) pick = running[0]!;
    waitingSince.delete(pick);
    current = pick;
    const ev = pick.queue[pick.pos++]!;
    step++;
    out.push(ev);
    if (out.length >= BATCH_EVENTS) {
      yield out;
      out = [];
    }
    if (ev.type === "syscall" && FORKING.has(ev.name) && ev.ret !== null && ev.ret > 0) {
      const child = byPid.get(ev.ret);
      if (child && !started.has(child)) start(child);
    }
  }
  if (out.length > 0) yield out;
  return false;
}
