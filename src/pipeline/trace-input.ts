// From CLI paths to event batches: resolves files, stdin, directories and -ff sets into trace
// groups, opens each input through the one line-batch seam, runs the event parser, and merges
// an -ff set's per-process files by timestamp. Problems are reported as values, never thrown.
import { readdir, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { CliIo } from "../cli/command.js";
import { fileSource, NotTextError, PERMISSION_HINT, streamSource, type ByteSource } from "../io/byte-source.js";
import { firstLineOf, readLineBatches } from "../io/line-batches.js";
import { describeText } from "../io/sniff.js";
import { fileHead, MERGE_ARGS, mergeLanes } from "./ff-merge.js";
import { MAX_IN_FLIGHT } from "../syntax/call-joiner.js";
import { createEventParser, type EventParser, type ReplayingParser } from "../syntax/event-parser.js";
import { acquirePool, poolSize, releasePool } from "./parse-pool.js";
import { firstOf, QUIET, STOPPED } from "./first-of.js";
import { segmentedEvents, type LiveSegments, type SegmentOptions, type SegmentProgress } from "./segmented-read.js";
import type { TraceEvent } from "../syntax/events.js";
import type { ArgProjection } from "../syntax/plain-bytes.js";

export const STDIN_NAME = "<stdin>";

export interface TraceGroup {
  /** What findings and messages call this trace: the file, the directory, or `prefix.*`. */
  readonly name: string;
  readonly files: readonly string[];
  /** An `strace -ff -o prefix` set: one file per process, pid in the file suffix. */
  readonly ff: boolean;
  /** Total size on disk of the group's files; null for stdin. */
  readonly bytes: number | null;
}

export interface InputProblem {
  readonly file: string;
  readonly line?: number;
  /** 1-based column in `line` where the problem starts (1 when only the line is known). */
  readonly column?: number;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  /** The input is unusable: the command exits 2. */
  readonly fatal: boolean;
  /** How to print it (default: "error" when fatal, "warning" otherwise). */
  readonly severity?: "error" | "warning" | "note";
  /** The offending line as read (printed escaped and shortened). */
  readonly text?: string;
}

/** `prefix.<pid>` as `strace -ff -o prefix` names its files (pid_max is at most 2^22: 7 digits,
 * so a date suffix like `.20261124` is not taken for a pid). */
const FF_NAME = /^(.*)\.(\d{1,7})$/;

/** Resolve CLI paths ("-" = stdin, files, directories, -ff sets) into trace groups. */
export async function resolveTraces(
  paths: readonly string[],
  io: Pick<CliIo, "stdinName" | "stdinBytes"> = {},
): Promise<{ groups: TraceGroup[]; problems: InputProblem[] }> {
  const stdinName = io.stdinName ?? STDIN_NAME;
  const groups: TraceGroup[] = [];
  const problems: InputProblem[] = [];
  const looseFiles: string[] = [];
  const loose: { path: string; info: Stats }[] = [];
  const sizes = new Map<string, number>();
  const list = paths.length === 0 ? ["-"] : paths;
  let stdinSeen = false;
  /** Files already given (by device and inode: another name, a link or a folder's member). */
  const seen = new Set<string>();
  const firstGiven = (path: string, st: { dev: number; ino: number }): boolean => {
    const key = `${st.dev}:${st.ino}`;
    if (!seen.has(key)) {
      seen.add(key);
      return true;
    }
    problems.push({
      file: path,
      code: "SR009",
      message: "was given more than once (under this or another name): it is read once",
      fatal: false,
      severity: "note",
    });
    return false;
  };
  for (const path of list) {
    if (path === "-") {
      // A regular file on stdin (`< trace.log`) is read as a file: its size is known.
      if (!stdinSeen) groups.push({ name: stdinName, files: ["-"], ff: false, bytes: io.stdinBytes ?? null });
      stdinSeen = true;
      continue;
    }
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      problems.push(openProblem(path, err));
      continue;
    }
    if (info.isDirectory()) {
      if (!firstGiven(path, info)) continue;
      let names: string[];
      try {
        names = await readdir(path);
      } catch (err) {
        problems.push(openProblem(path, err));
        continue;
      }
      const files: string[] = [];
      let folders = 0;
      for (const n of names.sort(compareNames)) {
        const full = join(path, n);
        try {
          const st = await stat(full);
          if (st.isFile() && firstGiven(full, st)) {
            files.push(full);
            sizes.set(full, st.size);
          } else if (st.isDirectory()) folders++;
        } catch {
          // A file that vanished between readdir and stat is simply not part of the set.
        }
      }
      if (files.length === 0) {
        problems.push({
          file: path,
          code: "SR007",
          message: "is a directory with no regular files in it",
          hint:
            folders > 0
              ? `the ${folders} folder(s) in it are not searched: give them (${join(path, "*")}) or the trace files in them`
              : "give a trace file, or the directory an `strace -ff -o DIR/trace` run wrote",
          fatal: true,
        });
        continue;
      }
      if (folders > 0) {
        problems.push({
          file: path,
          code: "SR017",
          message: `holds ${folders} folder(s) besides its files: they are not searched`,
          hint: `give them too (${join(path, "*")}) if they hold traces`,
          fatal: false,
          severity: "note",
        });
      }
      groups.push(...groupFiles(files, path, sizes));
      continue;
    }
    loose.push({ path, info });
  }
  // Files given by name after the folders: one that is also a folder's member is read in its
  // folder's set (an -ff set must keep all its files), not a second time alone.
  for (const { path, info } of loose) {
    if (!firstGiven(path, info)) continue;
    sizes.set(path, info.isFile() ? info.size : NaN);
    looseFiles.push(path);
  }
  groups.push(...groupFiles(looseFiles, null, sizes));
  return { groups, problems };
}

/** Files sharing a `prefix.<pid>` name form one -ff group (a lone one too: its pid then names
 * the lines strace printed without a prefix); every other file is a trace of its own. */
function groupFiles(
  files: readonly string[],
  dir: string | null,
  sizes: ReadonlyMap<string, number>,
): TraceGroup[] {
  const total = (set: readonly string[]) => {
    const sum = set.reduce((n, f) => n + (sizes.get(f) ?? NaN), 0);
    return Number.isFinite(sum) ? sum : null;
  };
  const byPrefix = new Map<string, string[]>();
  const singles: string[] = [];
  for (const f of files) {
    const m = FF_NAME.exec(basename(f));
    if (!m) {
      singles.push(f);
      continue;
    }
    const key = join(dirname(f), m[1]!);
    let set = byPrefix.get(key);
    if (!set) byPrefix.set(key, (set = []));
    set.push(f);
  }
  const groups: TraceGroup[] = [];
  for (const [prefix, set] of byPrefix) {
    const whole = dir !== null && singles.length === 0 && byPrefix.size === 1;
    const name = whole ? dir : set.length === 1 ? set[0]! : `${prefix}.*`;
    groups.push({ name, files: set.sort(compareNames), ff: true, bytes: total(set) });
  }
  for (const f of singles) groups.push({ name: f, files: [f], ff: false, bytes: total([f]) });
  return groups;
}

/** Name order with numeric suffixes compared as numbers (trace.99 before trace.100). */
function compareNames(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

function openProblem(path: string, err: unknown): InputProblem {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") {
    return { file: path, code: "SR001", message: "permission denied", hint: PERMISSION_HINT, fatal: true };
  }
  const message = code === "ENOENT" ? "no such file or directory" : `cannot open: ${(err as Error).message}`;
  return { file: path, code: "SR001", message, fatal: true };
}

export interface TraceReading {
  readonly batches: AsyncIterable<readonly TraceEvent[]>;
  /** One parser per file of the group read so far, in file order (for `stats`); complete once
   *  `batches` is drained. Empty under `keepParsers: false`. */
  parsers(): readonly EventParser[];
  /** The strace options the group's files show evidence of (ParserStats.flags), so far. */
  flags(): ReadonlySet<string>;
  /** Bytes read of the group's files so far, for progress. */
  bytesRead(): number;
}

export interface ReadOptions {
  onProblem?(p: InputProblem): void;
  /** The fast path: the syscalls whose arguments are needed (see EventParserOptions.needsArgs);
   *  absent: every line goes through the grammar. */
  argsNeeded?: ReadonlySet<string>;
  /** With argsNeeded: what the consumer never reads of those calls' arguments, by name (the
   *  parse workers walk past it; see ArgProjection). */
  argsProjected?: ReadonlyMap<string, ArgProjection>;
  /** Read plain calls by the hand scan (EventParserOptions.plainScan); absent: the grammar only. */
  plainScan?: boolean;
  /** `--strict`: every unrecognised line is reported as an error (the first
   * STRICT_LINES_SHOWN of each file, then one count). */
  strict?: boolean;
  /** Read regular files at least this big on the parse workers too (segmented-read.ts); absent:
   *  every file is read on this thread. */
  parallel?: ParallelOptions;
  /** Keep each file's parser for `parsers()` (default); false keeps only what `flags()` needs,
   *  so an -ff set of many thousand files is read in flat memory. */
  keepParsers?: boolean;
}

export interface ParallelOptions {
  /** Smallest file (bytes) worth the workers' start-up. */
  readonly minBytes: number;
  /** Bytes per segment. */
  readonly segmentBytes: number;
}

/** What `analyze` uses: below 8 MiB the workers' start-up costs more than they save; small
 *  segments keep the records in flight (and the process's memory) small. */
export const PARALLEL_DEFAULTS: ParallelOptions = { minBytes: 8 * 1024 * 1024, segmentBytes: 128 * 1024 };

/** Bytes of a live input read before the workers are started: a short trace through a pipe
 *  never starts them, a busy strace has them within a fraction of a second. */
export const LIVE_POOL_BYTES = 1024 * 1024;

/** What a file of an -ff set is read at a time, and how many of its lines are parsed at once:
 *  each file open holds its unparsed text and the events of those lines until the merge takes
 *  them, and a file's lines are parsed only as the merge reaches them. A set of 500 threads alive
 *  together (1 MB of trace each, `npm run bench -- --only ff`) read 64 KiB at a time held 1.47 GB,
 *  4 KiB 210-223 MB, 1 KiB 160 MB, each read parsed whole. Read 2 KiB at a time and parsed 8
 *  lines at a time instead: 100 files of that set 7.2-7.6 s -> 6.4-6.6 s, a set of 9,200 with up
 *  to 4,000 open at once 16.4-17.6 s -> 13.6-14.8 s, for 5-20 MB more (4 KiB reads: as fast,
 *  more memory; 16 lines at a time: slower). */
export const LANE_READ_BYTES = 2048;
export const LANE_LINES = 8;

/** The segments of a file of an -ff set: smaller the more files there are, as each file open
 *  holds its segments in flight until the merge has taken them. 40 files of 12 MB read side by
 *  side, each segment's events made at once: 128 KiB segments 18-27 s and 430-510 MB, 32 KiB
 *  16.8 s and 231 MB, 16 KiB 17.4 s and 211 MB. A lone file keeps the whole size. */
function setSegmentBytes(segmentBytes: number, files: number): number {
  return Math.max(SET_SEGMENT_MIN, Math.min(segmentBytes, Math.floor((segmentBytes * 4) / files)));
}

const SET_SEGMENT_MIN = 8 * 1024;

/** Files of a set this big on average are read on the workers (a lone file: minBytes), each
 *  segment replayed LANE_LINES lines at a time as the merge reaches them, so that an open file
 *  holds its segments in flight (as records) and the events of a few lines. Sets of 500 threads
 *  alive together, 1 MB each: 38-42 s on this thread, 25-36 s so (8 KiB segments; 16 KiB: 25-28
 *  s but 280 MB), for 230 MB instead of 165 MB peak RSS. Sets of many short files gain nothing
 *  from the workers: a file's next segment is awaited as the merge reaches it (9,200 files of 21
 *  KB on average, 113 of them above 256 KiB, up to 4,000 open at once: 10% slower). */
const SET_WORKER_BYTES = 256 * 1024;

/** Unrecognised lines reported one by one under `--strict`, per file. */
export const STRICT_LINES_SHOWN = 20;

/** Stream the events of one trace group (an -ff set merged by timestamp) in batches. */
export function readTraceEvents(
  group: TraceGroup,
  io: CliIo,
  opts: ReadOptions = {},
): TraceReading {
  const report = opts.onProblem ?? (() => {});
  const keep = opts.keepParsers !== false;
  /** Each file's parser by its place in the group (kept ones), and those being read. */
  const parsers: EventParser[] = [];
  const reading = new Set<{ readonly parser: EventParser; readonly source: ByteSource }>();
  /** What the files read to their end left: their flags and their bytes. */
  const flags = new Set<string>();
  let bytesDone = 0;
  // The causal merge of an -ff set without timestamps reads some calls' arguments too.
  const names = opts.argsNeeded === undefined || !group.ff ? opts.argsNeeded : new Set([...opts.argsNeeded, ...MERGE_ARGS]);
  const needsArgs = names === undefined ? undefined : (name: string) => names.has(name);
  // A file's parser and source are made when the merge opens it, and only its flags and byte
  // count stay once it is read (with the parser under keepParsers).
  const perFile = group.files.map(async function* (file, index): AsyncGenerator<readonly TraceEvent[]> {
    const pid = group.ff ? Number(FF_NAME.exec(basename(file))?.[2]) : null;
    const parser = createEventParser({ file: file === "-" ? group.name : file, pid, needsArgs, plainScan: opts.plainScan });
    if (keep) parsers[index] = parser;
    // A pipe or FIFO can go quiet mid-trace (strace still running): only those need idle flushes.
    const live = group.bytes === null;
    const par = opts.parallel;
    // A pipe is read in segments too (its size unknown: the workers start once it is big).
    const inSet = group.files.length > 1;
    const split: Split | null =
      par !== undefined && (live ? poolSize() > 0 : group.bytes! / group.files.length >= (inSet ? Math.min(par.minBytes, SET_WORKER_BYTES) : par.minBytes))
        ? {
            segmentBytes: setSegmentBytes(par.segmentBytes, group.files.length),
            pid,
            argsNeeded: names === undefined ? null : [...names],
            argsProjected: names === undefined || opts.argsProjected === undefined ? null : [...opts.argsProjected],
            plainScan: opts.plainScan === true,
            liveMinBytes: live ? Math.min(par.minBytes, LIVE_POOL_BYTES) : null,
            files: group.files.length,
          }
        : null;
    // The files of a set are read side by side, each in small pieces (in segments: a segment's).
    const readBytes = !inSet ? undefined : split === null ? LANE_READ_BYTES : split.segmentBytes;
    const source = file === "-" ? streamSource(group.name, io.stdin) : fileSource(file, null, file, readBytes);
    const entry = { parser, source };
    reading.add(entry);
    try {
      // Ctrl-C stops files (stdin too when it is one); a pipe is read until strace, interrupted
      // too, closes it. SIGTERM stops all.
      yield* fileEvents(source, parser, report, live ? io.terminate : io.signal, opts.strict === true, live, split, inSet ? LANE_LINES : 0);
    } finally {
      reading.delete(entry);
      for (const f of parser.stats.flags) flags.add(f);
      bytesDone += source.bytesRead();
    }
  });
  const pids = group.files.map((f) => Number(FF_NAME.exec(basename(f))?.[2] ?? NaN));
  const batches = perFile.length === 1 ? perFile[0]! : mergeLanes(perFile, pids, group.name, report, (i) => fileHead(group.files[i]!), () => io.signal?.aborted === true);
  return {
    batches,
    parsers: () => parsers.filter((p) => p !== undefined),
    flags: () => {
      const all = new Set(flags);
      for (const r of reading) for (const f of r.parser.stats.flags) all.add(f);
      return all;
    },
    bytesRead: () => {
      let n = bytesDone;
      for (const r of reading) n += r.source.bytesRead();
      return n;
    },
  };
}

/** One file's events, batch by batch, with its problems reported. `stepLines` (a file of a
 *  set): its lines are parsed, or a worker's reading of them replayed, that many at a time as
 *  the merge asks; 0: a batch or segment at a time. */
async function* fileEvents(
  source: ByteSource,
  parser: ReplayingParser,
  report: (p: InputProblem) => void,
  signal?: AbortSignal,
  strict = false,
  live = false,
  split: Split | null = null,
  stepLines = 0,
): AsyncGenerator<readonly TraceEvent[]> {
  const file = source.name;
  let interrupted = false;
  let lines = 0;
  let straceEvents = 0;
  let unrecognized = 0;
  let firstText: string | null = null;
  const count = (events: readonly TraceEvent[]) => {
    for (const ev of events) {
      if (ev.type === "unrecognized") {
        unrecognized++;
        if (strict && unrecognized <= STRICT_LINES_SHOWN) {
          report({
            file,
            line: ev.line,
            column: 1,
            code: "SR013",
            message: `line is not strace output that this tool recognises${ev.reason ? ` (${ev.reason})` : ""}`,
            text: ev.text,
            hint: "--strict refuses such lines; without it they are counted and skipped",
            fatal: false,
            severity: "error",
          });
        }
      } else if (ev.type !== "foreign") straceEvents++;
    }
  };
  const longLine = (line: number, chars: number) =>
    report({
      file,
      line,
      code: "SR003",
      message: `line is ${chars.toLocaleString("en-US")} characters long; only its first 16 MiB were read`,
      hint: "a line this long is usually binary data or a huge `-s` string",
      fatal: false,
      severity: "warning",
    });
  let unterminated: { line: number; text: string } | null = null;
  const splitEvents = {
    onLongLine: longLine,
    onUnterminated: (line: number, text: string) => (unterminated = { line, text }),
  };
  /** This thread reads every line (live inputs, small files, no workers). */
  async function* threadEvents(): AsyncGenerator<TraceEvent[]> {
    const reader = readLineBatches(source.chunks, splitEvents)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = reader.next();
        // A live input may wait long for its next line: the signal ends that wait too.
        let r = live ? await firstOf(next, null, IDLE_FLUSH_MS, signal) : await next;
        while (r === QUIET) {
          // No input for a moment: the call held for its `-k` frames goes out now, so a live
          // finding waits IDLE_FLUSH_MS at most (a regular file never pauses, so never flushes);
          // then the wait goes on with no timer.
          const out: TraceEvent[] = [];
          parser.flush(out);
          yield out;
          r = await firstOf(next, null, -1, signal);
        }
        if (r === STOPPED) {
          interrupted = true;
          break;
        }
        if (r.done === true) break;
        const batch = r.value;
        if (firstText === null) firstText = firstLineOf(batch.lines);
        const all = batch.lines;
        const step = stepLines > 0 ? stepLines : all.length;
        for (let at = 0; at < all.length; at += step) {
          const part = step >= all.length ? all : all.slice(at, at + step);
          const out: TraceEvent[] = [];
          safePush(parser, part, batch.firstLine + at, out, file, report);
          lines += part.length;
          yield out;
          if (signal?.aborted) {
            interrupted = true;
            break;
          }
        }
        if (interrupted) break;
      }
    } finally {
      // Stopped early (interrupted, or the consumer left): close the source, as `for await` did.
      // Not awaited: a live source may still have a read pending that only its next input ends.
      reader.return(undefined).catch(() => {});
    }
  }
  // A live input acquires the workers itself once it has been big enough.
  const liveMinBytes = split?.liveMinBytes ?? null;
  const pool = split !== null && liveMinBytes === null ? acquirePool() : null;
  const segmented = pool !== null || liveMinBytes !== null;
  const liveSegments: LiveSegments | null =
    liveMinBytes !== null ? { minBytes: liveMinBytes, idleMs: IDLE_FLUSH_MS, signal, acquire: acquirePool, release: releasePool } : null;
  // Segments read ahead per worker: with the worker and this thread about as busy, 3 in all
  // left each idle a quarter of the time waiting on the other; 8 each (1 MB) halve that. The
  // files of an -ff set share them, 2 each at least: 8 each for 40 big files read side by side
  // held 510 MB.
  const progress: SegmentProgress = { lines: 0, firstText: null, failures: 0, firstFailure: null };
  const batches = !segmented
    ? threadEvents()
    : segmentedEvents(
        source.chunks,
        parser,
        pool,
        {
          segmentBytes: split!.segmentBytes,
          pid: split!.pid,
          argsNeeded: split!.argsNeeded,
          argsProjected: split!.argsProjected,
          plainScan: split!.plainScan,
          file: parser.stats.file,
          inFlight: Math.max(2, Math.ceil((8 * (pool?.size ?? poolSize())) / split!.files)),
          live: liveSegments,
          ...(stepLines > 0 ? { stepLines } : {}),
        },
        splitEvents,
        progress,
        () => signal?.aborted === true,
      );
  try {
    for await (const out of batches) {
      count(out);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    if (err instanceof NotTextError) {
      report({
        file,
        code: "SR002",
        message: `is not strace output: it looks like ${err.looksLike}`,
        hint: "give the text file strace wrote (strace -o FILE), gzipped or not",
        fatal: true,
      });
      return;
    }
    throw err;
  } finally {
    if (pool !== null) releasePool(pool);
    if (segmented) {
      lines = progress.lines;
      firstText = progress.firstText;
      interrupted = signal?.aborted === true;
    }
  }
  if (progress.failures > 0) {
    report({
      file,
      code: "SR900",
      message: `internal error in a parse worker (${progress.firstFailure}); ${progress.failures} segment(s) were read on the main thread instead`,
      hint: "please report this; the findings are unaffected",
      fatal: false,
      severity: "warning",
    });
  }
  const out: TraceEvent[] = [];
  try {
    parser.end(out);
  } catch (err) {
    report(internalProblem(file, lines, err));
  }
  count(out);
  if (out.length > 0) yield out;
  if (strict && unrecognized > STRICT_LINES_SHOWN) {
    report({
      file,
      code: "SR013",
      message: `${(unrecognized - STRICT_LINES_SHOWN).toLocaleString("en-US")} more unrecognised line(s) not shown`,
      hint: "`strace-race stats` lists them with their line numbers",
      fatal: false,
      severity: "error",
    });
  }

  if (interrupted) {
    report({
      file,
      line: lines,
      code: "SR012",
      message: `interrupted: read up to this line`,
      hint: "the findings shown cover the part that was read",
      fatal: false,
      severity: "note",
    });
    return;
  }
  const failure = source.failure();
  if (failure) {
    // Nothing read at all: the input is unreadable (exit 2, even under --quiet). Cut short after
    // some lines: what was read is analysed, and the warning says where reading stopped.
    const nothingRead = lines === 0;
    report({
      file,
      line: nothingRead ? undefined : lines,
      code: failure.code,
      message: nothingRead
        ? `cannot be read: ${failure.message.replace(/^read failed: /, "")}`
        : `${failure.message}; reading stopped after line ${lines.toLocaleString("en-US")}`,
      hint: failure.hint ?? (nothingRead ? "give a regular file, a .gz file, a directory of -ff files, or - for stdin" : "the findings shown cover the lines before that point"),
      fatal: nothingRead,
      severity: nothingRead ? "error" : "warning",
    });
  }
  const givenUp = parser.stats.callsGivenUp;
  if (givenUp > 0) {
    report({
      file,
      line: parser.stats.firstGivenUp ?? undefined,
      code: "SR016",
      message: `more than ${MAX_IN_FLIGHT.toLocaleString("en-US")} threads had a call in flight at once: ${givenUp.toLocaleString("en-US")} call(s), the first on this line, were given up as never resumed to bound memory`,
      hint: "a later `<... resumed>` half of such a call is read on its own; findings that need its arguments may be missed",
      fatal: false,
      severity: "warning",
    });
  }
  const cut = unterminated as { line: number; text: string } | null;
  if (cut !== null && !failure && straceEvents > 0) {
    // The last words are analysed as far as they go; the user learns the trace stops there.
    report({
      file,
      line: cut.line,
      column: cut.text.length + 1,
      code: "SR015",
      message: "the input ends in the middle of this line (no newline after it): strace was killed, or the file was cut short",
      text: cut.text,
      hint: "the findings shown cover everything up to this point",
      fatal: false,
      severity: "warning",
    });
  }
  if (lines === 0 && !failure) {
    report({
      file,
      code: "SR008",
      message: "is empty: there is no strace output to read",
      hint: "check that strace wrote to this file (strace -o FILE ...)",
      fatal: true,
    });
  } else if (straceEvents === 0 && lines > 0) {
    report({
      file,
      code: "SR002",
      message: `is not strace output: none of its ${lines.toLocaleString("en-US")} lines is a strace line; it looks like ${describeText(firstText ?? "")}`,
      hint: "give the file strace wrote with -o, or pipe strace's stderr (2>&1)",
      fatal: true,
    });
  }
}

/** How a file is cut into segments for the parse workers (ReadOptions.parallel). */
type Split = Omit<SegmentOptions, "file" | "inFlight" | "live" | "stepLines"> & {
  /** A live input: bytes read on this thread before the workers start (null: a file). */
  readonly liveMinBytes: number | null;
  /** The files of the set read side by side (they share the workers' read-ahead). */
  readonly files: number;
};

/** How long a live input may stay quiet before the parser's held call is handed out: long enough
 *  that strace's `-k` frames (written right after their call) are not split from it. */
export const IDLE_FLUSH_MS = 30;

function safePush(
  parser: EventParser,
  lines: readonly string[],
  firstLine: number,
  out: TraceEvent[],
  file: string,
  report: (p: InputProblem) => void,
): void {
  try {
    parser.push(lines, firstLine, out);
  } catch (err) {
    // The parser promises never to throw; if it does, keep going and say where.
    report(internalProblem(file, firstLine, err, lines[0]));
  }
}

function internalProblem(file: string, line: number, err: unknown, text?: string): InputProblem {
  return {
    file,
    line,
    ...(text !== undefined ? { text: text.slice(0, 4096) } : {}),
    code: "SR900",
    message: `internal error while parsing near this line: ${(err as Error)?.message ?? String(err)}`,
    hint: "please report this with the offending lines; the rest of the trace was still read",
    fatal: false,
  };
}
