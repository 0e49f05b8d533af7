// The stream model: follows processes, their fd tables and the streams the fds point at, and
// turns trace events into model events (attempts, shutdowns, dropped references) for the rules.
// It keeps only live tasks, live streams and their few recent attempts: nothing that grows
// with the length of the trace.
import type { ExitEvent, NoticeEvent, SyscallEvent, TraceEvent, Value } from "../syntax/events.js";
import { summarizeExit, summarizeSyscall, syscallResult } from "./call-summary.js";
import { FdTable } from "./fd-table.js";
import { HttpFramer } from "./http-framing.js";
import type { AttemptEvent, ModelEvent, ReleaseCause } from "./model-events.js";
import { familyFromDecoration, familyOf, lingerSetting, readCall, sendQueueBytes, takeBytes, writePieces } from "./socket-io.js";
import { RECENT_ATTEMPTS, Stream } from "./stream.js";
import type { Attempt, PointRef, ReadSide, SocketFamily } from "./stream.js";
import { classifyDecoration, kindFromSocketType } from "./stream-kind.js";
import type { StreamKind } from "./stream-kind.js";
import {
  CLONE_FILES,
  CLONE_THREAD,
  CLOSE_RANGE_CLOEXEC,
  CLOSE_RANGE_UNSHARE,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_SETFD,
  FD_CLOEXEC,
  FD_RETURNING,
  kindFromMode,
  O_CLOEXEC,
  shutdownHow,
  SOCK_CLOEXEC,
} from "./linux-abi.js";
import { RETURN_ONLY } from "./args-needed.js";
import { TimeAxis } from "./time-axis.js";
import { arg, arrayOf, fdOf, field, findFlagName, flagBits, flagNames, hasFlag, intOf, listItems, namedArg } from "./values.js";
import { isPeerGone, isWriteFamily, writeOutcome, writeRequest } from "./write-family.js";
import type { WriteRequest } from "./write-family.js";

/** A thread or process. Threads share their table; `pending` marks a child whose creating
 * clone has not been seen yet (its events arrived before the parent's clone resumed). */
interface Task {
  pid: number | null;
  tgid: number | null;
  table: FdTable;
  pending: PendingChild | null;
  /** The exit/exit_group call that ends this task: the program's own point of no return. */
  exitCall: PointRef | null;
  /** Stable id of the thread group, for "from another thread" (see PointRef.group). */
  group: number;
  /** Put in the attached process's table by inference (no clone seen): getpid() may show
   * it is another process after all (several -p). */
  inferred: boolean;
  /** The stream of this task's latest write: the one a SIGPIPE is about. */
  lastWritten: Stream | null;
  /** Waits of this task that timed out and sleeps that ran out: time passed idle. */
  idleWaits: number;
}

/** What a not-yet-bound child did to its provisional copy of the table, replayed on the
 * shared table if its clone turns out to have had CLONE_FILES. */
interface PendingChild {
  readonly closedFromBase: Map<number, PointRef>;
  readonly own: Set<number>;
}

/** Facts about the trace that the quality notes are made from (booleans and counters). */
export interface TraceFacts {
  syscalls: number;
  writeAttempts: number;
  sawClose: boolean;
  sawClone: boolean;
  sawExecve: boolean;
  /** Events printed with a pid prefix / without one. */
  prefixed: number;
  unprefixed: number;
  /** Children created by a successful clone/fork, and whether any of them printed a line. */
  childrenCreated: number;
  childEventsSeen: boolean;
  elidedRequests: number;
  timestamps: boolean;
  /** Lines of two pids or more. */
  severalPids: boolean;
  /** io_uring in use: its reads and writes never appear as syscalls. */
  sawIoUring: boolean;
  /** Events came from more than one file (an -ff set). */
  multiFile: boolean;
  /** The first fd used without the call that created it in a trace that started the program. */
  untracked: { readonly fd: number; readonly file: string; readonly line: number } | null;
  /** Streams dropped to stay within MAX_LIVE_STREAMS, how many of them had bytes unsent, and
   *  where the first were dropped. */
  streamsDropped: number;
  droppedWithUnsent: number;
  firstDrop: { readonly file: string; readonly line: number; readonly cap: number } | null;
  /** Streams whose HTTP/1.x head strace cut (-s too small), and the first one. */
  httpHeadsCut: number;
  firstHttpHeadCut: { readonly file: string; readonly line: number; readonly shown: number } | null;
}

/**
 * Most streams the model follows at once. A live stream costs about 1.5–1.8 KB of heap (its
 * fields, a few recent attempts, its HTTP framer, its fd-table entries), so 50,000 of them are
 * 75–90 MB, well inside the tool's 200 MB budget, and still more than a traced program holds open
 * in practice (a busy server with tens of thousands of connections). Without a cap a trace that
 * opens streams and never closes them (a leak, a flood) grows memory without bound.
 */
export const MAX_LIVE_STREAMS = 50_000;

/** Group id of the unprefixed task until its pid is known (pids are never negative). */
const ANONYMOUS_TGID = -1;

/** `-k` frames kept per call: enough to reach the program's own code above libc. */
const MAX_FRAMES = 8;

/** The smallest buffer whose filling suggests more input was queued (close-with-unread-input). */
export const MIN_FILLED_READ = 512;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A write attempt at the call `at`. Its fields are copied one by one, not `{ ...at, ... }`: V8
 *  builds a spread of this size on its slow path, and this runs for every write (it was a
 *  third of the model's time). */
function attemptAt(at: PointRef, a: Omit<Attempt, keyof PointRef>): Attempt {
  const attempt: Mutable<Attempt> = {
    file: at.file,
    line: at.line,
    pid: at.pid,
    group: at.group,
    time: at.time,
    summary: at.summary,
    syscall: a.syscall,
    fd: a.fd,
    requested: a.requested,
    requestedExact: a.requestedExact,
    accepted: a.accepted,
    result: a.result,
    offset: a.offset,
    unsentAfter: a.unsentAfter,
    durationUs: a.durationUs,
  };
  if (a.peerGone !== undefined) attempt.peerGone = a.peerGone;
  if (at.stack !== undefined) attempt.stack = at.stack;
  return attempt;
}

/** Events of other threads a failed write waits through for its SIGPIPE. */
export const HOLD_EVENTS = 32;

/** A copy count this large (1 GiB+) means "as much as there is", not a size the program holds. */
const COPY_UNTIL_EOF = 1 << 30;

function isOk(ev: SyscallEvent): boolean {
  return ev.errno === null && ev.ret !== null && ev.ret >= 0;
}

function anyCloexecFlag(args: readonly Value[]): boolean {
  for (const a of args) if (findFlagName(a, isCloexecName) !== undefined) return true;
  return false;
}

const isCloexecName = (n: string): boolean => n.endsWith("_CLOEXEC");

/**
 * A point of the trace whose summary (the call as a short text) is written when first read:
 * most points never reach a finding, a chart or a timeline row (a file opened and closed, a
 * socket closed with nothing unsent), and summarising every one cost the main thread a few
 * percent of its instructions. The summary is a function of the event alone; until it is
 * read, the point keeps the event (as long as the point lives: a stream's opening call, say).
 */
class CallPoint implements PointRef {
  readonly file: string;
  readonly line: number;
  private text: string | null;
  private ev: TraceEvent | null;
  private summarize: ((ev: TraceEvent) => string) | null;

  constructor(
    ev: TraceEvent,
    readonly pid: number | null,
    readonly group: number | null,
    readonly time: number | null,
    summarize: ((ev: TraceEvent) => string) | null,
    readonly stack: readonly string[] | undefined,
  ) {
    this.file = ev.file;
    this.line = ev.line;
    this.text = summarize === null ? "" : null;
    this.ev = summarize === null ? null : ev;
    this.summarize = summarize;
  }

  get summary(): string {
    if (this.text === null) {
      this.text = this.summarize!(this.ev!);
      this.ev = null;
      this.summarize = null;
    }
    return this.text;
  }
}

export class StreamModel {
  private readonly tasks = new Map<number, Task>();
  /** The task of unprefixed lines before its pid is known (stderr `-f` output). */
  private anonymous: Task | null = null;
  /** The first table seen: attached threads (`-p`, filtered traces) share it. */
  private rootTable: FdTable | null = null;
  /** A live task on the root table, remembered: finding it anew for every thread of an
   *  attached process made a trace with many pids quadratic. */
  private rootTask: Task | null = null;
  /** The trace starts with execve: unknown pids are children of a clone not yet resumed. */
  private launched: boolean | null = null;
  private lastTask: Task | null = null;
  /** The pid whose event taskOf counted last (severalPids, childEventsSeen). */
  private countedPid: number | null = null;
  /** Live streams by inode/address, so a stream met through another fd or process is one. */
  private readonly byIdentity = new Map<string, Stream>();
  /** Every stream some fd table refers to (see MAX_LIVE_STREAMS). */
  private readonly live = new Set<Stream>();
  /** Pids announced by `strace: Process N attached` and not yet seen. */
  private readonly announced = new Set<number>();
  private readonly createdChildren = new Set<number>();
  /** The first pid printed: another one makes facts.severalPids (the count itself is never
   *  needed, and a set of every pid seen cost a tenth of taskOf). */
  private firstPid: number | null = null;
  private readonly axis = new TimeAxis();
  /** The current event's time on the axis, NaN without one (as TimeAxis.last, so that storing
   *  it at every event writes a number in place, not a new heap number). */
  private now = NaN;
  private nextGroup = 1;
  readonly facts: TraceFacts = {
    syscalls: 0,
    writeAttempts: 0,
    sawClose: false,
    sawClone: false,
    sawExecve: false,
    prefixed: 0,
    unprefixed: 0,
    childrenCreated: 0,
    childEventsSeen: false,
    elidedRequests: 0,
    timestamps: false,
    severalPids: false,
    multiFile: false,
    sawIoUring: false,
    untracked: null,
    streamsDropped: 0,
    droppedWithUnsent: 0,
    firstDrop: null,
    httpHeadsCut: 0,
    firstHttpHeadCut: null,
  };
  /** A failed write (EPIPE...) held for one event: a SIGPIPE right after it joins its row. */
  private heldBroken: { readonly pid: number | null; readonly ev: AttemptEvent } | null = null;
  private heldFor = 0;
  private firstFile: string | null = null;

  /** Streams dropped at once when the cap is passed: the selection sorts every live stream, so
   *  it runs once per this many new streams (linear time overall). */
  private readonly evictionBatch: number;

  /** `maxLiveStreams`: MAX_LIVE_STREAMS unless a test wants the cap reached sooner. */
  constructor(
    private readonly emit: (ev: ModelEvent) => void,
    private readonly maxLiveStreams = MAX_LIVE_STREAMS,
  ) {
    this.evictionBatch = Math.max(1, Math.ceil(maxLiveStreams / 10));
  }

  /** Streams some fd table refers to now (at most maxLiveStreams between events). */
  get liveStreams(): number {
    return this.live.size;
  }

  process(ev: TraceEvent): void {
    // The held failed write waits for its own thread's next event (the SIGPIPE, if any);
    // other threads' lines in between do not count, a few dozen at most.
    if (this.heldBroken !== null && (ev.pid === this.heldBroken.pid || ++this.heldFor > HOLD_EVENTS)) this.releaseHeld(ev);
    // Mapped once per event: under -r the axis sums deltas.
    this.now = this.axis.map(ev.time) ?? NaN;
    this.firstFile ??= ev.file;
    if (ev.file !== this.firstFile) this.facts.multiFile = true;
    switch (ev.type) {
      case "syscall":
        this.onSyscall(ev);
        break;
      case "exit":
        this.onExit(ev);
        break;
      case "notice":
        this.onNotice(ev);
        break;
      case "signal":
        if (ev.signal === "SIGPIPE") this.onSigpipe(ev.pid);
        break;
      case "foreign":
      case "unrecognized":
        break;
      default: {
        const never: never = ev;
        void never;
      }
    }
    if (this.live.size > this.maxLiveStreams) this.dropStreams(ev);
  }

  /**
   * Over the cap: forget a tenth of the cap's worth of streams and every fd that refers to them,
   * quietly (no release event: nothing was closed). Only the less recently used half is
   * considered (a stream just opened has no bytes unsent yet, but is about to be written). Of
   * that half, streams with no bytes unsent go first, least recently used first: only an RST
   * rule could still have had something to say about them; then streams with bytes unsent,
   * least recently used first: a finding on them is missed. An fd of a dropped stream used
   * later is met again as an fd first seen mid-life.
   */
  private dropStreams(ev: TraceEvent): void {
    const byUse = (a: Stream, b: Stream) => a.lastUsed - b.lastUsed;
    const older = [...this.live].sort(byUse).slice(0, this.live.size >> 1);
    const count = this.live.size - this.maxLiveStreams + this.evictionBatch;
    const chosen = older.filter((s) => s.unsentBytes === 0).slice(0, count);
    if (chosen.length < count) chosen.push(...older.filter((s) => s.unsentBytes > 0).slice(0, count - chosen.length));
    const drop = new Set(chosen);
    const tables = new Set<FdTable>();
    for (const t of this.tasks.values()) tables.add(t.table);
    if (this.anonymous !== null) tables.add(this.anonymous.table);
    if (this.rootTable !== null) tables.add(this.rootTable);
    for (const table of tables) {
      for (const [fd, e] of table.entries) if (drop.has(e.stream)) this.release(table, fd, "close", null, "quiet");
    }
    for (const s of drop) {
      // Held by a table no task uses any more: no longer counted either way.
      this.live.delete(s);
      if (s.unsentBytes > 0) this.facts.droppedWithUnsent++;
    }
    this.facts.streamsDropped += drop.size;
    this.facts.firstDrop ??= { file: ev.file, line: ev.line, cap: this.maxLiveStreams };
  }

  /** End of the trace: hand out what is still held. */
  finish(): void {
    if (this.heldBroken !== null) this.releaseHeld(null);
  }

  private releaseHeld(next: TraceEvent | null): void {
    const held = this.heldBroken as { readonly pid: number | null; readonly ev: AttemptEvent };
    this.heldBroken = null;
    const sigpipe =
      next !== null &&
      next.pid === held.pid &&
      ((next.type === "signal" && next.signal === "SIGPIPE") || (next.type === "exit" && next.how === "killed" && next.signal === "SIGPIPE"));
    const a = held.ev.attempt;
    this.emit(sigpipe ? { ...held.ev, attempt: { ...a, result: `${a.result}, then SIGPIPE`, peerGone: `${a.peerGone ?? "EPIPE"}+SIGPIPE` } } : held.ev);
  }

  // ---- tasks -------------------------------------------------------------------------------

  private newTable(): FdTable {
    const t = new FdTable();
    this.rootTable ??= t;
    return t;
  }

  private addTask(pid: number | null, tgid: number | null, table: FdTable, pending: PendingChild | null, group?: number): Task {
    const task: Task = { pid, tgid, table, pending, exitCall: null, group: group ?? this.nextGroup++, inferred: false, lastWritten: null, idleWaits: 0 };
    table.users++;
    if (pid !== null) this.tasks.set(pid, task);
    return task;
  }

  /** The task an event belongs to, creating it on first sight. */
  private taskOf(pid: number | null, create: boolean): Task | null {
    if (pid === null) {
      this.facts.unprefixed++;
      // An unprefixed line belongs to the only process traced at that moment (STRACE-FORMAT §1).
      if (this.anonymous !== null && this.anonymous.pid === null) return this.anonymous;
      if (this.tasks.size === 1) return this.tasks.values().next().value as Task;
      if (this.lastTask !== null) return this.lastTask;
      if (!create) return null;
      this.anonymous = this.addTask(null, ANONYMOUS_TGID, this.newTable(), null);
      return this.anonymous;
    }
    this.facts.prefixed++;
    // Runs of events from one thread are the rule: its pid was counted with the first of them
    // (an event of another pid, a clone among them, resets this).
    if (pid !== this.countedPid) {
      this.countedPid = pid;
      if (this.firstPid === null) this.firstPid = pid;
      else if (pid !== this.firstPid) this.facts.severalPids = true;
      if (!this.facts.childEventsSeen && this.createdChildren.has(pid)) this.facts.childEventsSeen = true;
    }
    const known = this.tasks.get(pid);
    if (known !== undefined) return known;
    if (!create) return null;
    const announced = this.announced.delete(pid);
    if (this.anonymous !== null && this.anonymous.pid === null && !announced) {
      // The unprefixed lines so far were this pid's: it gets its number now.
      this.anonymous.pid = pid;
      // Its threads were created under the placeholder group id: they are in its group.
      for (const t of this.tasks.values()) if (t.tgid === ANONYMOUS_TGID) t.tgid = pid;
      this.anonymous.tgid = pid;
      this.tasks.set(pid, this.anonymous);
      return this.anonymous;
    }
    if (this.tasks.size === 0 && this.anonymous === null) return this.addTask(pid, pid, this.newTable(), null);
    if (this.launched === true || this.facts.sawClone) {
      // A child printing before its parent's clone resumed (the trace started the program, or
      // the program is already seen cloning): give it a copy of the table of the task that ran
      // last, fork semantics, until the clone says whether it shares it. A copy never makes a
      // close look like the last one, so a wrong guess can hide a finding but not invent one.
      const base = (this.lastTask ?? this.anonymous)?.table ?? this.newTable();
      return this.addTask(pid, pid, this.copyTable(base), { closedFromBase: new Map(), own: new Set() });
    }
    // Attached with -p (or a filtered trace without clone lines): an unknown pid is a thread
    // of the attached process and shares its table.
    const root = this.rootTable ?? this.newTable();
    if (this.rootTask === null || this.rootTask.table !== root) {
      this.rootTask = [...this.tasks.values()].find((t) => t.table === root) ?? null;
    }
    const rootTask = this.rootTask;
    const task = this.addTask(pid, rootTask?.tgid ?? pid, root, null, rootTask?.group);
    task.inferred = true;
    this.rootTask ??= task;
    return task;
  }

  private endTask(task: Task, at: PointRef): void {
    if (task.pid !== null) this.tasks.delete(task.pid);
    if (this.rootTask === task) this.rootTask = null;
    if (this.anonymous === task) this.anonymous = null;
    if (this.lastTask === task) this.lastTask = null;
    // The process decided to end at its exit_group/exit call; `+++ exited` only reports it.
    this.leaveTable(task.table, "exit", task.exitCall ?? at);
  }

  private leaveTable(table: FdTable, cause: ReleaseCause, at: PointRef): void {
    table.users--;
    if (table.users > 0) return;
    for (const fd of [...table.entries.keys()].sort((a, b) => a - b)) this.release(table, fd, cause, at, "emit");
  }

  private copyTable(from: FdTable): FdTable {
    const t = new FdTable();
    for (const [fd, e] of from.entries) this.install(t, fd, e.stream, e.cloexec, null);
    return t;
  }

  // ---- fd table operations -------------------------------------------------------------------

  private install(table: FdTable, fd: number, stream: Stream, cloexec: boolean, at: PointRef | null): void {
    const old = table.entries.get(fd);
    if (old !== undefined) {
      if (old.stream === stream) {
        old.cloexec = cloexec;
        return;
      }
      // The kernel handed out this number again, so the old fd was closed where the trace
      // does not show it (filtered, or closed by a process we do not see): forget it quietly.
      this.release(table, fd, "close", at, "quiet");
    }
    table.entries.set(fd, { stream, cloexec });
    stream.refs++;
    if (stream.fdEntries++ === 0) this.live.add(stream);
    stream.lastUsed = this.facts.syscalls;
    if (isSharedIdentity(stream.identity)) this.byIdentity.set(stream.identity, stream);
  }

  /**
   * Drop one reference. `emit` tells the rules; `quiet` is for references the trace cannot
   * date (a missed close); `resolve` reports only if this turns out to be the last reference,
   * at the point where the stream was last dropped.
   */
  private release(table: FdTable, fd: number, cause: ReleaseCause, at: PointRef | null, mode: "emit" | "quiet" | "resolve"): void {
    const e = table.entries.get(fd);
    if (e === undefined) return;
    table.entries.delete(fd);
    const s = e.stream;
    s.refs--;
    if (--s.fdEntries === 0) this.live.delete(s);
    const last = s.refs <= 0;
    if (last && s.identity !== null && this.byIdentity.get(s.identity) === s) this.byIdentity.delete(s.identity);
    const point = mode === "resolve" ? s.lastRelease : at;
    if (at !== null && mode !== "resolve") s.lastRelease = at;
    if (point === null || mode === "quiet" || (mode === "resolve" && !last)) return;
    const closer = point.pid !== null ? this.tasks.get(point.pid) : (this.anonymous ?? undefined);
    this.emit({ kind: "release", stream: s, fd, cause, last, at: point, idleWaits: closer?.idleWaits ?? -1 });
  }

  /** The stream an fd refers to, adopting fds first seen mid-life (attach, filters). */
  private streamAt(task: Task, fd: number, path: string | null, hint: "socket" | "datagram" | null, at: PointRef): Stream {
    const table = task.table;
    let entry = table.get(fd);
    const info = path !== null ? classifyDecoration(path) : null;
    if (entry !== undefined && info !== null) {
      const s = entry.stream;
      if (info.identity !== null && s.identity !== null && sameIdentityType(info.identity, s.identity) && info.identity !== s.identity) {
        this.release(table, fd, "close", at, "quiet");
        entry = undefined;
      } else {
        s.name = path;
        s.family ??= familyFromDecoration(path);
        if (s.identity === null && info.identity !== null) {
          s.identity = info.identity;
          if (isSharedIdentity(info.identity)) this.byIdentity.set(info.identity, s);
        }
        s.kind = refineKind(s.kind, info.kind);
      }
    }
    if (entry === undefined) {
      let s = isSharedIdentity(info?.identity ?? null) ? this.byIdentity.get(info?.identity as string) : undefined;
      if (s === undefined) {
        s = new Stream(info?.kind ?? "unknown", path, info?.identity ?? null);
        s.family = familyFromDecoration(path);
        // A program started under strace got every fd above stderr from a call the trace
        // shows, unless a -e trace= filter hid it: then aliases (dup) may be missing too.
        // (Not after streams were dropped for the cap: their fds are met again this way.)
        if (this.launched === true && fd > 2 && this.facts.untracked === null && this.facts.streamsDropped === 0) {
          this.facts.untracked = { fd, file: at.file, line: at.line };
        }
      }
      this.install(table, fd, s, false, at);
      entry = table.get(fd);
      if (entry === undefined) return s;
    }
    if (hint !== null && entry.stream.kind === "unknown") entry.stream.kind = hint;
    return entry.stream;
  }

  private createStream(task: Task, fd: number, kind: StreamKind, path: string | null, cloexec: boolean, at: PointRef): void {
    const info = path !== null ? classifyDecoration(path) : null;
    const s = new Stream(info !== null ? refineKind(kind, info.kind) : kind, path, info?.identity ?? null);
    s.family = familyFromDecoration(path);
    this.install(task.table, fd, s, cloexec, at);
    task.pending?.own.add(fd);
  }

  /** Set a new socket's family when its creating call says it (socket's domain, accept's address). */
  private setFamily(task: Task, fd: number, family: SocketFamily | null): void {
    const s = task.table.get(fd)?.stream;
    if (s !== undefined && family !== null) s.family ??= family;
  }

  private aliasFd(task: Task, oldFd: Value | undefined, newFd: number, cloexec: boolean, at: PointRef): void {
    const d = fdOf(oldFd);
    if (d === null) return;
    const s = this.streamAt(task, d.fd, d.path, null, at);
    if (d.fd === newFd) return;
    if (task.table.get(newFd) !== undefined) this.closeFd(task, newFd, "dup2", at);
    this.install(task.table, newFd, s, cloexec, at);
    task.pending?.own.add(newFd);
  }

  private closeFd(task: Task, fd: number, cause: ReleaseCause, at: PointRef): void {
    const p = task.pending;
    if (p !== null && !p.own.has(fd) && task.table.get(fd) !== undefined) p.closedFromBase.set(fd, at);
    p?.own.delete(fd);
    this.release(task.table, fd, cause, at, "emit");
  }

  // ---- events ----------------------------------------------------------------------------------

  /** Where `ev` happened; its summary is written by `summarize` when first read (null: none). */
  private point<E extends TraceEvent>(ev: E, task: Task | null, summarize: ((ev: E) => string) | null): PointRef {
    const stack = ev.type === "syscall" && ev.stack !== undefined && ev.stack.length > 0 ? ev.stack.slice(0, MAX_FRAMES) : undefined;
    const now = Number.isNaN(this.now) ? null : this.now;
    return new CallPoint(ev, task?.pid ?? ev.pid, task?.group ?? null, now, summarize as ((ev: TraceEvent) => string) | null, stack);
  }

  private onNotice(ev: NoticeEvent): void {
    if (ev.notice !== "attached") return;
    const m = /Process (\d+) attached/.exec(ev.text);
    if (m !== null && this.announced.size < 10_000) this.announced.add(Number(m[1]));
  }

  private onExit(ev: ExitEvent): void {
    if (ev.time !== null) this.facts.timestamps = true;
    if (ev.how === "superseded") return; // the exec'ing thread lives on under this pid
    if (ev.how === "killed" && ev.signal === "SIGPIPE") this.onSigpipe(ev.pid);
    const task = this.taskOf(ev.pid, false);
    if (task === null) return;
    const at = this.point(ev, task, summarizeExit);
    // The thread-group leader's exit is reported when the whole group is gone.
    const group =
      task.pid !== null && task.pid === task.tgid ? [...this.tasks.values()].filter((t) => t.tgid === task.tgid && t !== task) : [];
    for (const t of group) this.endTask(t, at);
    this.endTask(task, at);
  }

  private onSyscall(ev: SyscallEvent): void {
    this.facts.syscalls++;
    if (ev.time !== null) this.facts.timestamps = true;
    this.launched ??= ev.name === "execve" || ev.name === "execveat";
    const task = this.taskOf(ev.pid, true) as Task;
    this.lastTask = task;
    // The second half of a call that started before the trace did (attach): its arguments are
    // only the tail of the list, so positions mean nothing. Skip it rather than guess.
    if (ev.form === "resumed-only") return;
    const name = ev.name;
    // An event of the fast path (no arguments) matters only if its return does.
    if (ev.argsOmitted === true && !RETURN_ONLY.has(name)) return;
    if (isWriteFamily(name)) {
      if (name === "sendmsg" && isOk(ev)) this.onFdsSent(task, arg(ev.args, 1));
      this.onWrite(ev, task);
      return;
    }
    switch (name) {
      case "shutdown":
        this.onShutdown(ev, task);
        return;
      case "close":
        this.facts.sawClose = true;
        this.onClose(ev, task);
        return;
      case "close_range":
        this.facts.sawClose = true;
        this.onCloseRange(ev, task);
        return;
      case "socket":
        if (isOk(ev)) {
          const type = arg(ev.args, 1);
          this.createStream(task, ev.ret as number, kindFromSocketType(flagNames(type), flagBits(type)), ev.retPath ?? null, hasFlag(type, "SOCK_CLOEXEC", SOCK_CLOEXEC), this.point(ev, task, summarizeSyscall));
          this.setFamily(task, ev.ret as number, familyOf(arg(ev.args, 0)));
        }
        return;
      case "socketpair":
        if (isOk(ev)) {
          const type = arg(ev.args, 1);
          const kind = kindFromSocketType(flagNames(type), flagBits(type));
          const cloexec = hasFlag(type, "SOCK_CLOEXEC", SOCK_CLOEXEC);
          this.createPair(ev, task, arg(ev.args, 3), kind, cloexec);
          for (const item of arrayOf(arg(ev.args, 3))?.items ?? []) {
            const d = fdOf(item);
            if (d !== null) this.setFamily(task, d.fd, "unix");
          }
        }
        return;
      case "pipe":
      case "pipe2":
        if (isOk(ev)) this.createPair(ev, task, arg(ev.args, 0), "pipe", hasFlag(arg(ev.args, 1), "O_CLOEXEC", O_CLOEXEC));
        return;
      case "accept":
      case "accept4":
        if (isOk(ev)) {
          const cloexec = name === "accept4" && hasFlag(arg(ev.args, 3), "SOCK_CLOEXEC", SOCK_CLOEXEC);
          this.createStream(task, ev.ret as number, "socket", ev.retPath ?? null, cloexec, this.point(ev, task, summarizeSyscall));
          // Without -yy: the peer address's family, else the listening socket's.
          const listening = fdOf(arg(ev.args, 0));
          const family = familyOf(field(arg(ev.args, 1), "sa_family")) ?? (listening !== null ? (task.table.get(listening.fd)?.stream.family ?? null) : null);
          this.setFamily(task, ev.ret as number, family);
        }
        return;
      case "dup":
        if (isOk(ev)) this.aliasFd(task, arg(ev.args, 0), ev.ret as number, false, this.point(ev, task, summarizeSyscall));
        return;
      case "dup2":
      case "dup3":
        if (isOk(ev)) {
          const cloexec = name === "dup3" && hasFlag(arg(ev.args, 2), "O_CLOEXEC", O_CLOEXEC);
          this.aliasFd(task, arg(ev.args, 0), ev.ret as number, cloexec, this.point(ev, task, summarizeSyscall));
        }
        return;
      case "fcntl":
      case "fcntl64":
        this.onFcntl(ev, task);
        return;
      case "clone":
      case "clone2":
      case "clone3":
      case "fork":
      case "vfork":
        this.facts.sawClone = true;
        this.onClone(ev, task);
        return;
      case "execve":
      case "execveat":
        this.facts.sawExecve = true;
        if (ev.errno === null && ev.ret === 0) this.onExec(ev, task);
        return;
      case "recvmsg":
        this.onPeerError(ev, task);
        this.onRead(ev, task);
        this.onRecvmsg(ev, task);
        return;
      case "getpid":
        if (task.inferred && ev.errno === null && ev.ret !== null && ev.ret > 0) this.onGetpid(task, ev.ret);
        return;
      case "io_uring_setup":
      case "io_uring_enter":
        this.facts.sawIoUring = true;
        if (name === "io_uring_setup" && isOk(ev)) this.createStream(task, ev.ret as number, "other", ev.retPath ?? null, false, this.point(ev, task, null));
        return;
      case "poll":
      case "ppoll":
        if (ev.errno === null && ev.ret === 0) task.idleWaits++;
        this.onPollErrors(ev, task);
        return;
      case "epoll_wait":
      case "epoll_pwait":
      case "epoll_pwait2":
      case "select":
      case "pselect6":
      case "_newselect":
        if (ev.errno === null && ev.ret === 0) task.idleWaits++;
        return;
      case "nanosleep":
      case "clock_nanosleep":
        if (ev.errno === null) task.idleWaits++;
        return;
      case "read":
      case "readv":
      case "recv":
      case "recvfrom":
      case "recvmmsg":
        this.onPeerError(ev, task);
        this.onRead(ev, task);
        return;
      case "setsockopt":
        this.onSetsockopt(ev, task);
        return;
      case "ioctl":
        this.onSendQueue(ev, task);
        return;
      case "fstat":
      case "fstat64":
        if (isOk(ev)) this.onStat(ev, task, arg(ev.args, 0), field(arg(ev.args, 1), "st_mode"));
        return;
      case "newfstatat":
      case "fstatat64":
        if (isOk(ev) && isEmptyPath(arg(ev.args, 1))) this.onStat(ev, task, arg(ev.args, 0), field(arg(ev.args, 2), "st_mode"));
        return;
      case "statx":
        if (isOk(ev) && isEmptyPath(arg(ev.args, 1))) this.onStat(ev, task, arg(ev.args, 0), field(arg(ev.args, 4), "stx_mode"));
        return;
      case "exit":
        task.exitCall = this.point(ev, task, summarizeSyscall);
        return;
      case "exit_group": {
        const at = this.point(ev, task, summarizeSyscall);
        for (const t of this.tasks.values()) if (t.tgid !== null && t.tgid === task.tgid) t.exitCall = at;
        task.exitCall = at;
        return;
      }
      default:
        if (isOk(ev) && (ev.retPath !== undefined || FD_RETURNING.has(name))) {
          this.createStream(task, ev.ret as number, "other", ev.retPath ?? null, anyCloexecFlag(ev.args), this.point(ev, task, summarizeSyscall));
        }
    }
  }

  private createPair(ev: SyscallEvent, task: Task, pair: Value | undefined, kind: StreamKind, cloexec: boolean): void {
    const arr = arrayOf(pair);
    if (arr === null) return;
    const at = this.point(ev, task, summarizeSyscall);
    for (const item of arr.items) {
      const d = fdOf(item);
      if (d !== null) this.createStream(task, d.fd, kind, d.path, cloexec, at);
    }
  }

  private onWrite(ev: SyscallEvent, task: Task): void {
    const req = writeRequest(ev);
    if (req === null) return;
    const outcome = writeOutcome(ev);
    if (outcome.kind === "ignored" || outcome.kind === "restart") {
      // Still learn what the fd is, so a later shutdown/close finds the right stream.
      this.streamAt(task, req.fd, req.path, req.hint, this.point(ev, task, null));
      return;
    }
    const at = this.point(ev, task, summarizeSyscall);
    const s = this.streamAt(task, req.fd, req.path, req.hint, at);
    s.lastUsed = this.facts.syscalls;
    task.lastWritten = s;
    if (outcome.kind === "broken") {
      s.broken = true;
      // Evidence only (a write after shutdown, or into a reset connection): the byte model
      // counts nothing for it. Held one event so a SIGPIPE right after joins it.
      const failed = attemptAt(at, {
        syscall: ev.name,
        fd: req.fd,
        requested: req.requested,
        requestedExact: req.exact,
        accepted: 0,
        result: syscallResult(ev),
        offset: s.accepted,
        unsentAfter: s.unsentBytes,
        durationUs: ev.durationUs ?? null,
        peerGone: ev.errno ?? "EPIPE",
      });
      if (this.heldBroken !== null) this.releaseHeld(null);
      this.heldBroken = { pid: ev.pid, ev: { kind: "attempt", stream: s, attempt: failed } };
      this.heldFor = 0;
      return;
    }
    this.facts.writeAttempts++;
    if (!req.exact) this.facts.elidedRequests++;
    const accepted = outcome.accepted;
    const requested = this.intendedBytes(task, req, ev, accepted);
    // PRODUCT.md: an attempt of N bytes at accepted offset A claims [A, A+N).
    const offset = s.accepted;
    s.accepted += accepted;
    if (requested === 0 && accepted === 0 && ev.errno === null && req.inputFd !== undefined) {
      // splice/sendfile returning 0: the input is at its end, so no tail was left behind.
      s.highWater = s.accepted;
    }
    s.highWater = Math.max(s.highWater, offset + Math.max(requested, accepted));
    if (!req.exact) s.exact = false;
    s.attempts++;
    const attempt = attemptAt(at, {
      syscall: ev.name,
      fd: req.fd,
      requested: Math.max(requested, accepted),
      requestedExact: req.exact,
      accepted,
      result: syscallResult(ev),
      offset,
      unsentAfter: s.unsentBytes,
      durationUs: ev.durationUs ?? null,
    });
    s.recent.push(attempt);
    if (s.recent.length > RECENT_ATTEMPTS) s.recent.shift();
    if (accepted > 0) {
      s.lastAccepted = attempt;
      s.acceptedIdleWaits = task.idleWaits;
      s.peerSign = null;
      if (s.kind === "socket") this.followResponse(s, () => writePieces(ev, req.requested), accepted, offset, attempt);
    }
    this.emit({ kind: "attempt", stream: s, attempt });
  }

  /**
   * How many bytes the call meant to send. For the copying calls the count is only a maximum:
   * a huge count means "until EOF", a 0 return is EOF, and when the input is a socket a short
   * result or EAGAIN may just mean the input had nothing more (splice from a socket).
   */
  private intendedBytes(task: Task, req: WriteRequest, ev: SyscallEvent, accepted: number): number {
    if (req.inputFd === undefined) return req.requested;
    if (req.requested >= COPY_UNTIL_EOF) return accepted;
    if (ev.errno === null && ev.ret === 0) return 0;
    const input = req.inputPath != null ? classifyDecoration(req.inputPath).kind : task.table.get(req.inputFd)?.stream.kind;
    if (input === "socket" || input === "datagram") return accepted;
    return req.requested;
  }

  /**
   * Feed the bytes the kernel took to the stream's HTTP response framing. Only a stream whose
   * first accepted byte is seen here is followed (offset 0): a stream met mid-life is not.
   */
  private followResponse(s: Stream, pieces: () => ReturnType<typeof writePieces>, accepted: number, offset: number, at: PointRef): void {
    if (s.response === null) {
      if (offset !== 0) return;
      s.response = new HttpFramer("response", () => {
        s.responseHeadAt = this.currentWrite;
      });
      if (s.read?.headAsked === true) s.response.stop();
    }
    if (!s.response.active) return;
    // The bytes themselves only matter where the framing reads them (heads, chunk sizes): a
    // write inside a body is counted, and its text (up to 64 KiB with -s 65536) never decoded.
    this.currentWrite = at;
    if (!s.response.needsBytes(accepted)) {
      s.response.consume([{ known: "", length: accepted }]);
      return;
    }
    const offered = pieces();
    const headCutBefore = s.response.headCut;
    s.response.consume(takeBytes(offered, accepted));
    if (!headCutBefore && s.response.headCut) this.noteHeadCut(at, offered);
  }

  /** The write or read the framers are consuming now (their head callbacks point at it). */
  private currentWrite: PointRef | null = null;

  private noteHeadCut(at: PointRef, pieces: readonly { known: string; length: number }[]): void {
    this.facts.httpHeadsCut++;
    this.facts.firstHttpHeadCut ??= { file: at.file, line: at.line, shown: pieces[0]?.known.length ?? 0 };
  }

  /**
   * The read side: whether the latest read filled its buffer (more may be queued), EOF, and the
   * HTTP requests read, for close-with-unread-input; any answer from the peer after our last
   * accepted write is a sign it got those bytes (abortive-close).
   */
  private onRead(ev: SyscallEvent, task: Task): void {
    // Files, pipes, ttys: nothing to follow. Told by the fd alone, before the call's buffer is
    // read into pieces (most reads of a trace are of files).
    const d = fdOf(arg(ev.args, 0));
    if (d === null) return;
    const entry = task.table.get(d.fd);
    if (d.path === null && (entry === undefined || entry.stream.kind !== "socket")) return;
    const r = readCall(ev, d);
    if (r === null || r.peek) return;
    const isAgain = ev.errno === "EAGAIN" || ev.errno === "EWOULDBLOCK";
    if (r.got === null && !isAgain) return;
    const at = this.point(ev, task, summarizeSyscall);
    const s = entry?.stream ?? this.streamAt(task, r.fd, r.path, null, at);
    if (s.kind !== "socket") return;
    s.lastUsed = this.facts.syscalls;
    const side: ReadSide = (s.read ??= { lastRead: null, lastReadFilled: false, eof: null, bytesRead: 0, request: null, requestHeadAt: null, headAsked: false });
    if (r.got === null) {
      // EAGAIN: the receive queue was empty at that moment.
      side.lastReadFilled = false;
      return;
    }
    side.lastRead = at;
    // A tiny buffer fills by design (line readers take 1 byte at a time): not a sign of more.
    side.lastReadFilled = r.got >= MIN_FILLED_READ && r.requested !== null && r.got >= r.requested;
    if (r.got === 0) side.eof ??= at;
    if (s.lastAccepted !== null) s.peerSign = at;
    if (r.got === 0) return;
    if (side.bytesRead === 0) {
      // A server reads requests, a client responses: the start line says which.
      side.request = new HttpFramer("either", (h) => {
        side.requestHeadAt = this.currentWrite;
        // A response to HEAD carries a Content-Length and no body: not checkable.
        if (h.method === "HEAD") s.response?.stop();
      });
    }
    side.bytesRead += r.got;
    this.currentWrite = at;
    side.request?.consume(r.pieces);
    // A HEAD request seen even when its head was cut by -s: its answer has no body to check.
    const shown = r.pieces[0]?.known ?? "";
    if (s.response !== null && (shown.startsWith("HEAD ") || shown.includes("\r\nHEAD "))) s.response.stop();
    else if (s.response === null && (shown.startsWith("HEAD ") || shown.includes("\r\nHEAD "))) side.headAsked = true;
  }

  private onSetsockopt(ev: SyscallEvent, task: Task): void {
    const setting = lingerSetting(ev);
    if (setting === null) return;
    const d = fdOf(arg(ev.args, 0));
    if (d === null) return;
    const at = this.point(ev, task, summarizeSyscall);
    const s = this.streamAt(task, d.fd, d.path, "socket", at);
    s.lingerZero = setting === "abort" ? at : null;
  }

  /** ioctl(fd, SIOCOUTQ, [0]): nothing left in the send queue, the peer acknowledged it all. */
  private onSendQueue(ev: SyscallEvent, task: Task): void {
    const queued = sendQueueBytes(ev);
    if (queued !== 0) return;
    const d = fdOf(arg(ev.args, 0));
    const entry = d !== null ? task.table.get(d.fd) : undefined;
    if (entry !== undefined && entry.stream.lastAccepted !== null) entry.stream.peerSign = this.point(ev, task, summarizeSyscall);
  }

  private onShutdown(ev: SyscallEvent, task: Task): void {
    const d = fdOf(arg(ev.args, 0));
    if (d === null || ev.errno !== null) return;
    const at = this.point(ev, task, summarizeSyscall);
    const s = this.streamAt(task, d.fd, d.path, "socket", at);
    const how = shutdownHow(arg(ev.args, 1));
    if (how === "wr" || how === "rdwr") s.shutWr ??= at;
    this.emit({ kind: "shutdown", stream: s, fd: d.fd, how, at });
  }

  private onClose(ev: SyscallEvent, task: Task): void {
    const d = fdOf(arg(ev.args, 0));
    // EBADF: there was nothing to close. Any other result (even EINTR) released the fd on Linux.
    if (d === null || ev.errno === "EBADF" || ev.errno === "9") return;
    const at = this.point(ev, task, summarizeSyscall);
    if (d.path !== null && task.table.get(d.fd) !== undefined) this.streamAt(task, d.fd, d.path, null, at);
    this.closeFd(task, d.fd, "close", at);
  }

  private onCloseRange(ev: SyscallEvent, task: Task): void {
    if (ev.errno !== null) return;
    const first = intOf(arg(ev.args, 0));
    const lastFd = intOf(arg(ev.args, 1));
    const flags = arg(ev.args, 2);
    if (first === null || lastFd === null) return;
    const at = this.point(ev, task, summarizeSyscall);
    if (hasFlag(flags, "CLOSE_RANGE_UNSHARE", CLOSE_RANGE_UNSHARE) && task.table.users > 1) this.unshare(task);
    const cloexecOnly = hasFlag(flags, "CLOSE_RANGE_CLOEXEC", CLOSE_RANGE_CLOEXEC);
    // `~0U` prints as 4294967295 (or 0xffffffff under -X raw): the whole table.
    for (const fd of [...task.table.entries.keys()].sort((a, b) => a - b)) {
      if (fd < first || fd > lastFd) continue;
      if (cloexecOnly) (task.table.get(fd) as { cloexec: boolean }).cloexec = true;
      else this.closeFd(task, fd, "close-range", at);
    }
  }

  private onFcntl(ev: SyscallEvent, task: Task): void {
    if (!isOk(ev)) return;
    const cmdV = arg(ev.args, 1);
    const names = flagNames(cmdV);
    const cmd = intOf(cmdV);
    const at = this.point(ev, task, summarizeSyscall);
    if (names.includes("F_DUPFD_CLOEXEC") || (names.length === 0 && cmd === F_DUPFD_CLOEXEC)) {
      this.aliasFd(task, arg(ev.args, 0), ev.ret as number, true, at);
    } else if (names.includes("F_DUPFD") || (names.length === 0 && cmd === F_DUPFD)) {
      this.aliasFd(task, arg(ev.args, 0), ev.ret as number, false, at);
    } else if (names.includes("F_SETFD") || (names.length === 0 && cmd === F_SETFD)) {
      const d = fdOf(arg(ev.args, 0));
      const entry = d !== null ? task.table.get(d.fd) : undefined;
      if (entry !== undefined) entry.cloexec = hasFlag(arg(ev.args, 2), "FD_CLOEXEC", FD_CLOEXEC);
    }
  }

  private onClone(ev: SyscallEvent, parent: Task): void {
    if (!isOk(ev) || (ev.ret as number) <= 0) return;
    const childPid = ev.ret as number;
    let share = false;
    let thread = false;
    if (ev.name === "clone" || ev.name === "clone2") {
      const flags = namedArg(ev.args, "flags") ?? arg(ev.args, 1) ?? arg(ev.args, 0);
      share = hasFlag(flags, "CLONE_FILES", CLONE_FILES);
      thread = hasFlag(flags, "CLONE_THREAD", CLONE_THREAD);
    } else if (ev.name === "clone3") {
      const flags = field(arg(ev.args, 0), "flags");
      share = hasFlag(flags, "CLONE_FILES", CLONE_FILES);
      thread = hasFlag(flags, "CLONE_THREAD", CLONE_THREAD);
    }
    this.facts.childrenCreated++;
    if (!this.facts.childEventsSeen && this.createdChildren.size < 100_000) this.createdChildren.add(childPid);
    this.countedPid = null;
    const tgid = thread ? parent.tgid : childPid;
    const child = this.tasks.get(childPid);
    if (child === undefined) {
      this.addTask(childPid, tgid, share ? parent.table : this.copyTable(parent.table), null, thread ? parent.group : undefined);
      return;
    }
    child.tgid = tgid;
    if (thread) child.group = parent.group;
    const pending = child.pending;
    child.pending = null;
    if (pending === null || !share || child.table === parent.table) return;
    // The child printed before this clone resumed and it shares the parent's table: replay what
    // it did on the shared table and drop its provisional copy.
    const copy = child.table;
    const target = parent.table;
    for (const fd of pending.own) {
      const e = copy.get(fd);
      if (e !== undefined) this.install(target, fd, e.stream, e.cloexec, null);
    }
    for (const [fd, at] of pending.closedFromBase) if (!pending.own.has(fd)) this.release(target, fd, "close", at, "emit");
    for (const fd of [...copy.entries.keys()]) this.release(copy, fd, "close", null, "resolve");
    copy.users--;
    child.table = target;
    target.users++;
  }

  private unshare(task: Task): void {
    const copy = this.copyTable(task.table);
    task.table.users--;
    task.table = copy;
    copy.users++;
  }

  private onExec(ev: SyscallEvent, task: Task): void {
    const at = this.point(ev, task, summarizeSyscall);
    // execve kills the other threads of the group and unshares the fd table (fs/exec.c).
    for (const t of [...this.tasks.values()]) {
      if (t !== task && t.tgid !== null && t.tgid === task.tgid) {
        if (t.pid !== null) this.tasks.delete(t.pid);
        t.table.users--;
      }
    }
    if (task.table.users > 1) this.unshare(task);
    for (const [fd, e] of [...task.table.entries].sort((a, b) => a[0] - b[0])) {
      if (e.cloexec) this.closeFd(task, fd, "exec", at);
    }
  }

  /**
   * getpid() returns the thread group id. A task placed in the attached process's table by
   * inference that reports another group is a process of its own (strace -p A -p B): it moves
   * to that group's table, or to a table of its own. Fds it used so far stay behind.
   */
  private onGetpid(task: Task, tgid: number): void {
    task.inferred = false;
    if (tgid === task.tgid) return;
    const peer = [...this.tasks.values()].find((t) => t !== task && (t.tgid === tgid || t.pid === tgid));
    task.table.users--;
    task.table = peer?.table ?? new FdTable();
    task.table.users++;
    task.tgid = tgid;
    task.group = peer?.group ?? this.nextGroup++;
  }

  /**
   * SIGPIPE (delivered, or the signal that killed the process) comes from a write into a
   * stream whose reader is gone: the task's latest write is the one, and its tail is the
   * peer's loss, not the program's.
   */
  private onSigpipe(pid: number | null): void {
    const task = this.taskOf(pid, false);
    if (task?.lastWritten != null) task.lastWritten.broken = true;
  }

  /**
   * A read that failed with ECONNRESET (and friends) shows the peer is gone: a tail left
   * unsent afterwards is the peer's doing, not a race in the program.
   */
  private onPeerError(ev: SyscallEvent, task: Task): void {
    if (!isPeerGone(ev.errno)) return;
    const d = fdOf(arg(ev.args, 0));
    const entry = d !== null ? task.table.get(d.fd) : undefined;
    if (entry !== undefined) entry.stream.broken = true;
  }

  /**
   * poll's answer, printed after the return value (`= 1 ([{fd=6, revents=POLLOUT|POLLERR}])`):
   * POLLERR/POLLHUP on an fd means its connection failed or the reader went away.
   */
  private onPollErrors(ev: SyscallEvent, task: Task): void {
    if (ev.aux === undefined || !/POLL(ERR|HUP)/.test(ev.aux)) return;
    for (const m of ev.aux.matchAll(/\{fd=(\d+)[^}]*?revents=([A-Z|]+)/g)) {
      if (!/POLL(ERR|HUP)\b/.test(m[2] as string)) continue;
      const entry = task.table.get(Number(m[1]));
      if (entry !== undefined) entry.stream.broken = true;
    }
  }

  /**
   * fstat on an fd says what it is (`st_mode=S_IFIFO|0600`): programs check their stdout this
   * way, so an inherited pipe is known even without -y.
   */
  private onStat(ev: SyscallEvent, task: Task, fdArg: Value | undefined, mode: Value | undefined): void {
    const d = fdOf(fdArg);
    if (d === null || mode === undefined) return;
    const kind = kindFromMode(mode);
    if (kind === null) return;
    const s = this.streamAt(task, d.fd, d.path, null, this.point(ev, task, null));
    if (s.kind === "unknown") s.kind = kind;
  }

  /**
   * SCM_RIGHTS sends: the receiver now holds the streams too, and it may be a process this
   * trace does not show. Each sent stream gets a reference that is never dropped, so closing
   * the sender's fd is never taken for the last reference.
   */
  private onFdsSent(task: Task, msg: Value | undefined): void {
    for (const cmsg of listItems(field(msg, "msg_control"))) {
      for (const item of listItems(field(cmsg, "cmsg_data"))) {
        const d = fdOf(item);
        const entry = d !== null ? task.table.get(d.fd) : undefined;
        if (entry !== undefined) entry.stream.refs++;
      }
    }
  }

  /** SCM_RIGHTS: fds received in a control message are new references to known streams. */
  private onRecvmsg(ev: SyscallEvent, task: Task): void {
    if (!isOk(ev)) return;
    const control = listItems(field(arg(ev.args, 1), "msg_control"));
    if (control.length === 0) return;
    const at = this.point(ev, task, summarizeSyscall);
    for (const cmsg of control) {
      for (const item of listItems(field(cmsg, "cmsg_data"))) {
        const d = fdOf(item);
        if (d !== null && d.path !== null) {
          if (task.table.get(d.fd) !== undefined) this.release(task.table, d.fd, "close", at, "quiet");
          this.streamAt(task, d.fd, d.path, null, at);
          task.pending?.own.add(d.fd);
        }
      }
    }
  }
}

/**
 * Whether an identity names one open stream wherever it is seen. A pipe's two ends share one
 * inode (`pipe:[9]` for both), so a pipe inode alone cannot say which end an fd is.
 */
function isSharedIdentity(id: string | null): id is string {
  return id !== null && !id.startsWith("pipe:");
}

/** `""` as the path of newfstatat/statx (with AT_EMPTY_PATH): the call is about the fd itself. */
function isEmptyPath(v: Value | undefined): boolean {
  return v !== undefined && v.kind === "str" && v.value === "" && !v.truncated;
}

function identityType(id: string): string {
  return id.slice(0, id.indexOf(":"));
}

function sameIdentityType(a: string, b: string): boolean {
  return identityType(a) === identityType(b);
}

/** A decoration can only make a kind more precise (`socket:[N]` → `UDP:[...]`). */
function refineKind(current: StreamKind, fromDecoration: StreamKind): StreamKind {
  if (fromDecoration === "unknown") return current;
  if (current === "unknown" || current === "other") return fromDecoration;
  if (current === "socket" && fromDecoration === "datagram") return "datagram";
  return current;
}
