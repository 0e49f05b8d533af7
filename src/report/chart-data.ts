// The data behind the byte-timeline charts: for one stream, after each of its calls, the bytes
// the program meant to send so far (the high-water mark) and the bytes the kernel accepted.
// Built from the stream model's events; the terminal and HTML renderers only draw it.
import type { ModelEvent } from "../model/model-events.js";
import { abortiveClose } from "../rules/abortive-close.js";
import { closeWithUnreadInput } from "../rules/close-with-unread-input.js";
import type { Finding } from "../rules/finding.js";
import { httpShortBody } from "../rules/http-short-body.js";

/** What one model event did to its stream, read when the event is emitted. */
export interface ChartSample {
  readonly kind: "write" | "shutdown" | "release";
  readonly time: number | null;
  readonly file: string;
  readonly line: number;
  readonly pid: number | null;
  readonly fd: number;
  /** `sendto`, `shutdown WR`, `close`, `exit`, `dup2`... */
  readonly call: string;
  /** The call as a short text (`writev(8, …, 2) = 219264`). */
  readonly summary: string;
  /** Write attempts: what the call asked for and what the kernel took; null otherwise. */
  readonly requested: number | null;
  readonly requestedExact: boolean;
  readonly accepted: number | null;
  /** The stream's intended high-water mark and accepted total right after the call. */
  readonly intendedTotal: number;
  readonly acceptedTotal: number;
  readonly unsent: number;
  /** Flags drawn as markers. */
  readonly eagain: boolean;
  readonly short: boolean;
  /** A shutdown of the write side, or the release of the last reference. */
  readonly endsWriteSide: boolean;
  /** A release that was not the last reference (another fd or process still holds it). */
  readonly notLast: boolean;
}

/** A sample placed on the stream's call axis; thinned samples stand for several calls. */
export interface ChartPoint extends ChartSample {
  /** 1-based position of the (last) call among the stream's events. */
  readonly index: number;
  /** How many calls this point stands for (1 unless the series was thinned). */
  readonly calls: number;
  /** EAGAIN / short writes among those calls. */
  readonly eagainCount: number;
  readonly shortCount: number;
}

export interface StreamSeries {
  readonly fd: number;
  /** The `-y`/`-yy` name, null without decorations. */
  readonly name: string | null;
  readonly kind: string;
  readonly points: readonly ChartPoint[];
  /** Calls on the stream (can exceed points.length after thinning). */
  readonly calls: number;
  /** False when an elided iovec made a request size a lower bound. */
  readonly exact: boolean;
  /** Index (in `points`) of the stream's first point of no return, -1 when none. */
  readonly pointOfNoReturn: number;
}

const AGAIN = /\b(EAGAIN|EWOULDBLOCK)\b/;

/**
 * One model event as a chart sample. Call it from the analyzer's `onModelEvent`: shutdowns and
 * releases read the stream's totals as they are at that moment.
 */
export function chartPointOf(ev: ModelEvent): ChartSample {
  if (ev.kind === "attempt") {
    const a = ev.attempt;
    // The model's attempt: offset A, accepted K, so accepted total A+K; unsent after it is
    // high-water − accepted total.
    const acceptedTotal = a.offset + a.accepted;
    return {
      kind: "write",
      time: a.time,
      file: a.file,
      line: a.line,
      pid: a.pid,
      fd: a.fd,
      call: a.syscall,
      summary: a.summary,
      requested: a.requested,
      requestedExact: a.requestedExact,
      accepted: a.accepted,
      intendedTotal: acceptedTotal + a.unsentAfter,
      acceptedTotal,
      unsent: a.unsentAfter,
      eagain: a.accepted === 0 && AGAIN.test(a.result),
      short: a.accepted > 0 && a.accepted < a.requested,
      endsWriteSide: false,
      notLast: false,
    };
  }
  const s = ev.stream;
  const ends = ev.kind === "shutdown" ? ev.how === "wr" || ev.how === "rdwr" : ev.last;
  return {
    kind: ev.kind,
    time: ev.at.time,
    file: ev.at.file,
    line: ev.at.line,
    pid: ev.at.pid,
    fd: ev.fd,
    call: ev.kind === "shutdown" ? `shutdown ${ev.how.toUpperCase()}` : ev.cause,
    summary: ev.at.summary,
    requested: null,
    requestedExact: true,
    accepted: null,
    intendedTotal: s.highWater,
    acceptedTotal: s.accepted,
    unsent: s.unsentBytes,
    eagain: false,
    short: false,
    endsWriteSide: ends,
    notLast: ev.kind === "release" && !ev.last,
  };
}

/** Points kept per stream before pairs of calls are merged (the charts are ~800 px wide). */
export const MAX_CHART_POINTS = 2000;

/** Incremental series of one stream, bounded: past `maxPoints` neighbouring calls merge. */
export class SeriesBuilder {
  private readonly points: MutablePoint[] = [];
  private calls = 0;
  private exact = true;
  private ponr = -1;
  /** Calls a write point may stand for; doubles at each thinning. */
  private bucket = 1;

  constructor(
    readonly fd: number,
    public name: string | null,
    public kind: string,
    private readonly maxPoints = MAX_CHART_POINTS,
  ) {}

  add(sample: ChartSample): void {
    this.calls++;
    if (!sample.requestedExact) this.exact = false;
    const last = this.points[this.points.length - 1];
    // Once thinned, writes fill the last point up to the current bucket size, so every point
    // stands for about as many calls as the others. (In place: this runs once per write.)
    if (this.bucket > 1 && last !== undefined && last.kind === "write" && sample.kind === "write" && last.calls < this.bucket) {
      absorb(last, sample, this.calls, 1, sample.eagain ? 1 : 0, sample.short ? 1 : 0);
      return;
    }
    if (this.ponr < 0 && sample.endsWriteSide) this.ponr = this.points.length;
    this.points.push(pointOf(sample, this.calls));
    if (this.points.length > this.maxPoints) this.thin();
  }

  /** Merge neighbouring write points pairwise (the later one's totals stand for both) and
   * double the bucket size; points that end the write side or release a reference stay. */
  private thin(): void {
    const out: ChartPoint[] = [];
    let ponr = -1;
    for (let i = 0; i < this.points.length; i++) {
      const a = this.points[i]!;
      const b = this.points[i + 1];
      if (a.kind === "write" && b !== undefined && b.kind === "write" && a.calls + b.calls <= 2 * this.bucket) {
        absorb(a, b, b.index, b.calls, b.eagainCount, b.shortCount);
        out.push(a);
        i++;
        continue;
      }
      if (i === this.ponr) ponr = out.length;
      out.push(a);
    }
    this.points.length = 0;
    this.points.push(...out);
    this.ponr = ponr;
    this.bucket *= 2;
  }

  get size(): number {
    return this.points.length;
  }

  series(): StreamSeries {
    return {
      fd: this.fd,
      name: this.name,
      kind: this.kind,
      // Copies: the builder keeps filling its last point in place.
      points: this.points.map((p) => ({ ...p })),
      calls: this.calls,
      exact: this.exact,
      pointOfNoReturn: this.ponr,
    };
  }
}

type MutablePoint = { -readonly [K in keyof ChartPoint]: ChartPoint[K] };

/** Every field written out (not spread): one object shape for all points, cheap to make. */
function pointOf(s: ChartSample, index: number): MutablePoint {
  return {
    kind: s.kind,
    time: s.time,
    file: s.file,
    line: s.line,
    pid: s.pid,
    fd: s.fd,
    call: s.call,
    summary: s.summary,
    requested: s.requested,
    requestedExact: s.requestedExact,
    accepted: s.accepted,
    intendedTotal: s.intendedTotal,
    acceptedTotal: s.acceptedTotal,
    unsent: s.unsent,
    eagain: s.eagain,
    short: s.short,
    endsWriteSide: s.endsWriteSide,
    notLast: s.notLast,
    index,
    calls: 1,
    eagainCount: s.eagain ? 1 : 0,
    shortCount: s.short ? 1 : 0,
  };
}

/** Fold a later write into a point: the later call's values and totals, both calls' markers. */
function absorb(into: MutablePoint, later: ChartSample, index: number, calls: number, eagainCount: number, shortCount: number): void {
  into.time = later.time;
  into.file = later.file;
  into.line = later.line;
  into.pid = later.pid;
  into.fd = later.fd;
  into.call = later.call;
  into.summary = later.summary;
  into.requested = later.requested;
  into.requestedExact = into.requestedExact && later.requestedExact;
  into.accepted = later.accepted;
  into.intendedTotal = later.intendedTotal;
  into.acceptedTotal = later.acceptedTotal;
  into.unsent = later.unsent;
  into.eagain = into.eagain || later.eagain;
  into.short = into.short || later.short;
  into.index = index;
  into.calls += calls;
  into.eagainCount += eagainCount;
  into.shortCount += shortCount;
}

/** A series from samples collected in order (the `timeline` command keeps them per stream). */
export function seriesFromSamples(
  stream: { readonly fd: number; readonly name: string | null; readonly kind: string },
  samples: Iterable<ChartSample>,
  maxPoints = MAX_CHART_POINTS,
): StreamSeries {
  const b = new SeriesBuilder(stream.fd, stream.name, stream.kind, maxPoints);
  for (const s of samples) b.add(s);
  return b.series();
}

/** One written stream's totals, for the report's overview of every stream. */
export interface StreamTotals {
  /** 1-based order in which the trace first wrote to it. */
  readonly order: number;
  readonly fd: number;
  readonly name: string | null;
  readonly kind: string;
  readonly pids: readonly number[];
  readonly writes: number;
  readonly eagain: number;
  readonly short: number;
  readonly intendedBytes: number;
  readonly acceptedBytes: number;
  readonly unsentBytes: number;
  readonly exact: boolean;
  /** How its write side ended: `shutdown WR`, `close`, `exit`... or null while still open. */
  readonly endedBy: string | null;
  readonly endedAt: { readonly file: string; readonly line: number } | null;
  /** Bytes unsent when the write side ended (0 for a clean end, null while open). */
  readonly unsentAtEnd: number | null;
  readonly firstTime: number | null;
  readonly lastTime: number | null;
}

interface Tracked {
  readonly order: number;
  fd: number;
  name: string | null;
  kind: string;
  readonly pids: Set<number>;
  writes: number;
  eagain: number;
  short: number;
  intended: number;
  accepted: number;
  unsent: number;
  exact: boolean;
  endedBy: string | null;
  endedAt: { file: string; line: number } | null;
  unsentAtEnd: number | null;
  firstTime: number | null;
  lastTime: number | null;
  /** Dropped once the stream is gone without a loss (only its totals stay). */
  builder: SeriesBuilder | null;
  /** Its series is kept for a finding (a loss, a short HTTP body, a reset). */
  keptSeries: boolean;
}

export interface ChartCollectorOptions {
  readonly maxPointsPerStream?: number;
  /** Series kept for streams that ended with bytes unsent (the ones findings point at). */
  readonly maxKeptSeries?: number;
  /** Streams listed in the overview; later ones are only counted. */
  readonly maxStreams?: number;
}

const PIDS_KEPT = 8;

/**
 * Watches the stream model (pass `collector.onModelEvent` to `createAnalyzer`) and keeps, per
 * written stream, its totals and — while it lives, and afterwards only if it ended with bytes
 * unsent — its chart series. Memory stays bounded by the options, not by the trace.
 */
export class ChartCollector {
  private readonly live = new Map<number, Tracked>();
  private readonly listed: Tracked[] = [];
  /** `file\0line\0fd` of a point of no return with bytes unsent → its stream. */
  private readonly byLoss = new Map<string, Tracked>();
  private kept = 0;
  private streamsSeen = 0;
  private readonly maxPoints: number;
  private readonly maxKept: number;
  private readonly maxStreams: number;

  constructor(options: ChartCollectorOptions = {}) {
    this.maxPoints = options.maxPointsPerStream ?? MAX_CHART_POINTS;
    this.maxKept = options.maxKeptSeries ?? 500;
    this.maxStreams = options.maxStreams ?? 10_000;
  }

  readonly onModelEvent = (ev: ModelEvent): void => {
    const id = ev.stream.id;
    let t = this.live.get(id);
    if (t === undefined) {
      // Only streams the program wrote to are charted: libraries and config files are noise.
      if (ev.kind !== "attempt") return;
      this.streamsSeen++;
      t = {
        order: this.streamsSeen,
        fd: ev.attempt.fd,
        name: ev.stream.name,
        kind: ev.stream.kind,
        pids: new Set(),
        writes: 0,
        eagain: 0,
        short: 0,
        intended: 0,
        accepted: 0,
        unsent: 0,
        exact: true,
        endedBy: null,
        endedAt: null,
        unsentAtEnd: null,
        firstTime: null,
        lastTime: null,
        builder: new SeriesBuilder(ev.attempt.fd, ev.stream.name, ev.stream.kind, this.maxPoints),
        keptSeries: false,
      };
      this.live.set(id, t);
      if (this.listed.length < this.maxStreams) this.listed.push(t);
    }
    const sample = chartPointOf(ev);
    t.name = ev.stream.name ?? t.name;
    t.kind = ev.stream.kind;
    if (sample.pid !== null && t.pids.size < PIDS_KEPT) t.pids.add(sample.pid);
    if (sample.kind === "write") {
      t.writes++;
      if (sample.eagain) t.eagain++;
      if (sample.short) t.short++;
      if (!sample.requestedExact) t.exact = false;
    }
    t.intended = sample.intendedTotal;
    t.accepted = sample.acceptedTotal;
    t.unsent = sample.unsent;
    if (sample.time !== null) {
      t.firstTime ??= sample.time;
      t.lastTime = sample.time;
    }
    if (t.builder !== null) {
      t.builder.name = t.name;
      t.builder.kind = t.kind;
      t.builder.add(sample);
    }
    if (sample.endsWriteSide && t.endedBy === null) {
      t.endedBy = sample.call;
      t.endedAt = { file: sample.file, line: sample.line };
      t.unsentAtEnd = sample.unsent;
      // Only a bounded number of lost streams keep their series (and so their lookup key); a
      // short HTTP body is a loss too, though every write succeeded.
      if ((sample.unsent > 0 || httpShortBody.check(ev) !== null) && t.builder !== null) this.keep(t, sample.file, sample.line, sample.fd);
    }
    if (ev.kind === "release" && ev.last) {
      this.live.delete(id);
      // The reset rules' findings point at the last close, whatever came before.
      if (t.builder !== null && (abortiveClose.check(ev) !== null || closeWithUnreadInput.check(ev) !== null)) this.keep(t, sample.file, sample.line, sample.fd);
      // Gone without a finding: its totals are all the report needs.
      if (!t.keptSeries) t.builder = null;
    }
  };

  private keep(t: Tracked, file: string, line: number, fd: number): void {
    const key = lossKey(file, line, fd);
    if (this.byLoss.get(key) === t) return;
    if (this.kept < this.maxKept) {
      this.kept++;
      this.byLoss.set(key, t);
      t.keptSeries = true;
    } else if (!t.keptSeries) t.builder = null;
  }

  /** The chart of the stream a finding is about (found by its point of no return). */
  seriesFor(f: Pick<Finding, "file" | "line" | "fd">): StreamSeries | null {
    return this.byLoss.get(lossKey(f.file, f.line, f.fd))?.builder?.series() ?? null;
  }

  /** Every written stream in the order the trace first wrote to it, with its totals. */
  streams(): { readonly streams: readonly StreamTotals[]; readonly omitted: number } {
    const streams = this.listed.map(
      (t): StreamTotals => ({
        order: t.order,
        fd: t.fd,
        name: t.name,
        kind: t.kind,
        pids: [...t.pids],
        writes: t.writes,
        eagain: t.eagain,
        short: t.short,
        intendedBytes: t.intended,
        acceptedBytes: t.accepted,
        unsentBytes: t.unsent,
        exact: t.exact,
        endedBy: t.endedBy,
        endedAt: t.endedAt,
        unsentAtEnd: t.unsentAtEnd,
        firstTime: t.firstTime,
        lastTime: t.lastTime,
      }),
    );
    return { streams, omitted: this.streamsSeen - this.listed.length };
  }
}

function lossKey(file: string, line: number, fd: number): string {
  return `${file}\0${line}\0${fd}`;
}

/** How a chart places points along x: seconds since the first call, or the call index. */
export interface ChartAxis {
  readonly mode: "time" | "index";
  /** x of each point (seconds from the first point, or its index). */
  readonly xs: readonly number[];
  readonly min: number;
  readonly max: number;
}

/** Time when every point has a timestamp and they span some time; the call index otherwise. */
export function chartAxis(points: readonly ChartPoint[]): ChartAxis {
  const first = points[0]?.time ?? null;
  const last = points[points.length - 1]?.time ?? null;
  if (first !== null && last !== null && last > first && points.every((p) => p.time !== null)) {
    return { mode: "time", xs: points.map((p) => (p.time as number) - first), min: 0, max: last - first };
  }
  const xs = points.map((p) => p.index);
  return { mode: "index", xs, min: xs[0] ?? 1, max: xs[xs.length - 1] ?? 1 };
}

/** `14.9 MB`, `219 kB`, `512 B`: three significant digits, SI units, for chart axes. */
export function compactBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[u]}`;
}

/** `+2.90 ms`, `+138 µs`, `+1.25 s` for a chart's time axis. */
export function compactSeconds(s: number): string {
  if (s === 0) return "0 s";
  if (s < 1e-3) return `${(s * 1e6).toFixed(s < 1e-5 ? 1 : 0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(s < 1e-2 ? 2 : 1)} ms`;
  return `${s.toFixed(s < 10 ? 2 : 1)} s`;
}
