// Physical lines in, plain events out: classifies each line, rejoins calls that program output
// or strace's own messages cut in two (`2>&1`, STRACE-FORMAT.md §6), joins unfinished/resumed
// halves per thread (§7), and converts parse results into the objects of events.ts.
import { straceLineParser } from "../../grammars/strace-line-parser.js";
import { lexLine } from "../../grammars/strace-tokens.js";
import type { LineParseResult, ParsedBody, ParsedLine } from "../../grammars/strace-line-parser.js";
import type { LineKind, TraceEvent } from "./events.js";
import type { PendingCall } from "./call-joiner.js";
import { EventAssembler, neverResumedEvent, syscallEvent, type Assembler, type BareReader } from "./event-assembler.js";
import {
  findStraceMessage,
  isBlank,
  isHexDump,
  stackFrame,
  stripColor,
  summaryLine,
} from "./line-classifier.js";
import { emptyPrefix, readPrefix, type LinePrefix } from "./line-prefix.js";
import { scanTime } from "./light-bytes.js";
import { lightCall, type LightCall } from "./light-call.js";
import type { PlainRecord } from "./plain-bytes.js";
import { plainLine } from "./plain-line.js";
import { ParserStats, type ParserStatsData } from "./parser-stats.js";
import { opSteps, type OpRecord } from "./assembler-codec.js";
import { FlagEvidence } from "./flag-evidence.js";
import { cleanArgs, FUZZY_MAX_LINE, gluedStraceLine, nestsTooDeep, plausibleResume } from "./guessed-cut.js";
import { findWriteSplice, maybeSplicedWrite, type ProgramOutput, type WriteSplice } from "./write-splice.js";

export { ParserStats, type ParserStatsData } from "./parser-stats.js";

export interface EventParserOptions {
  readonly file: string;
  /** The pid from an `-ff` file suffix, used when a line has no pid prefix. */
  readonly pid?: number | null;
  /** The fast path: plain complete calls whose name this rejects come without arguments
   *  (`argsOmitted`), found by a cheap scan instead of the grammar. Absent: every line is parsed. */
  readonly needsArgs?: (name: string) => boolean;
  /** Calls printed in the plainest form are read by one hand scan instead of the lexer and the
   *  grammar (plain-line.ts): the same ParsedLine, several times faster. Off: the grammar reads
   *  every line (the reference the scan is tested against). */
  readonly plainScan?: boolean;
}

export interface EventParser {
  /** Feed consecutive physical lines (no "\n"; a trailing "\r" is tolerated) whose first one is
   *  1-based line number `firstLine`. Completed events are appended to `out` in the order their
   *  effects happen (a joined unfinished/resumed call is emitted at its resumed line but carries
   *  the start line in `line`). Never throws on any input. */
  push(lines: readonly string[], firstLine: number, out: TraceEvent[]): void;
  /** End of input: flush calls still in flight (form "never-resumed"), pending splices. */
  end(out: TraceEvent[]): void;
  /** The input paused (a live pipe went quiet): hand out the last call, held until now in case
   *  `-k` frames follow it. Frames arriving after this are not attached to it. */
  flush(out: TraceEvent[]): void;
  readonly stats: ParserStats;
}

/** An event parser that can also take segments a worker read (parse-worker.ts): their records
 *  are replayed into its assembler, in order, while its own reader is clean. */
export interface ReplayingParser extends EventParser {
  /** Its reader is between calls (see LineReader.clean): a worker's reading of the lines that
   *  follow, made from that same state, is what it would have read itself. */
  clean(): boolean;
  /** Take a worker's reading of the lines after line `base`. */
  replay(record: OpRecord, stats: ParserStatsData, base: number, out: TraceEvent[]): void;
  /** The same, a few lines at a time: each call of the step takes about `lines` more (their
   *  events to `out`) and says whether the record is done. No other input may come between. */
  replaySteps(record: OpRecord, stats: ParserStatsData, base: number): (out: TraceEvent[], lines: number) => boolean;
}

export function createEventParser(opts: EventParserOptions): ReplayingParser {
  return new StraceEventParser(opts);
}

/** The line reader and the assembler of one thread, wired together. */
class StraceEventParser implements ReplayingParser {
  readonly stats: ParserStats;
  private readonly assembler: EventAssembler;
  private readonly reader: LineReader;

  constructor(opts: EventParserOptions) {
    this.stats = new ParserStats(opts.file, opts.needsArgs == null);
    this.assembler = new EventAssembler(opts.file, this.stats);
    this.reader = new LineReader(opts.file, opts.pid ?? null, opts.needsArgs ?? null, opts.plainScan === true, this.stats, this.assembler);
    this.assembler.local = this.reader;
  }

  push(lines: readonly string[], firstLine: number, out: TraceEvent[]): void {
    this.into(out, () => this.reader.push(lines, firstLine));
  }

  flush(out: TraceEvent[]): void {
    this.into(out, () => this.assembler.release());
  }

  clean(): boolean {
    return this.reader.clean();
  }

  replay(record: OpRecord, stats: ParserStatsData, base: number, out: TraceEvent[]): void {
    this.replaySteps(record, stats, base)(out, Infinity);
  }

  replaySteps(record: OpRecord, stats: ParserStatsData, base: number): (out: TraceEvent[], lines: number) => boolean {
    this.stats.merge(stats, base);
    const step = opSteps(record, base, this.stats.file);
    return (out, lines) => {
      let done = false;
      this.into(out, () => (done = step(this.assembler, lines)));
      return done;
    };
  }

  end(out: TraceEvent[]): void {
    this.into(out, () => {
      this.reader.finish();
      this.assembler.end();
    });
  }

  /** Run `step` with the assembler's events going to `out` (and nowhere once it is done). */
  private into(out: TraceEvent[], step: () => void): void {
    this.assembler.out = out;
    try {
      step();
    } finally {
      this.assembler.out = [];
    }
  }
}

/** A call's text cut short (by a spliced message or program output), waiting for its rest. */
interface CutLine {
  text: string;
  readonly line: number;
  /** The physical line was already counted (as a notice) in the stats. */
  readonly counted: boolean;
  /** Lines of other text seen since; a cut line waits for only a few. */
  age: number;
  /** Physical lines already joined onto it that left it still incomplete. */
  grown?: number;
  /** Cut where untraced program output began, a guess: other cut points to try, best first, and
   *  the continuation may itself follow more program output on its line. */
  fuzzy?: { heads: string[] };
}

/** How many unrelated lines may pass before a cut call is given up. */
const CUT_PATIENCE = 64;
/** A cut call is rejoined from a few pieces at most (strace never breaks a string or a
 *  structure across lines): past these bounds, text that keeps it "incomplete" is not its
 *  continuation, and waiting would make the parse quadratic and swallow later calls. */
const CUT_MAX_PIECES = 8;
const CUT_MAX_CHARS = 64 * 1024;

/** The first half of the event parser: reads each physical line on its own, with only the short
 *  state of a call cut in two (by a message, program output, a spliced write) or of a `-c`
 *  summary in progress. What it reads goes to an Assembler, in line order: in this thread, or
 *  encoded in a worker's and replayed (parse-worker.ts). Nothing here depends on earlier calls. */
export class LineReader implements BareReader {
  private readonly prefix: LinePrefix = emptyPrefix();
  private cut: CutLine | null = null;
  private output: ProgramOutput | null = null;
  private inSummary = false;
  private readonly evidence: FlagEvidence;

  constructor(
    private readonly file: string,
    private readonly filePid: number | null,
    private readonly needsArgs: ((name: string) => boolean) | null,
    private readonly plainScan: boolean,
    readonly stats: ParserStats,
    private readonly asm: Assembler,
  ) {
    this.evidence = new FlagEvidence(this.stats);
    if (filePid !== null) this.stats.flags.add("-ff");
  }

  /** No call is cut and no summary is under way: the next line reads the same whatever came
   *  before (a worker starts each segment in this state). */
  clean(): boolean {
    return this.cut === null && this.output === null && !this.inSummary;
  }

  push(lines: readonly string[], firstLine: number): void {
    for (let i = 0; i < lines.length; i++) this.line(lines[i], firstLine + i);
  }

  /** One physical line (no "\n"). `notLight`: a scan of its bytes already found it is no
   *  light call (light-bytes.ts: a call whose arguments are needed). */
  line(text: string, lineNo: number, notLight = false): void {
    try {
      this.physicalLine(text, lineNo, notLight);
    } catch (err) {
      // The grammar and classifier are total; this is a last guard so one line never stops a trace.
      const reason = `internal error: ${(err as Error).message}`;
      this.stats.countLine("unrecognized");
      this.stats.sample("unrecognized", lineNo, text, reason);
      this.emit({ type: "unrecognized", file: this.file, line: lineNo, pid: null, time: null, text, reason });
    }
  }

  /** The next line, if it is a light call, may be read by the fast path's scan alone (a
   *  worker scans the bytes of such lines, light-bytes.ts, and hands them to lightRead). */
  takesLight(): boolean {
    return this.needsArgs !== null && this.cut === null && this.output === null;
  }

  /** A whole line read by a worker's byte scan as a plain call or half of one (plain-bytes.ts),
   *  its syscall one whose arguments are needed: what physicalLine and parsedLine do with it.
   *  Only while clean(). */
  plainRead(rec: PlainRecord, lineNo: number): void {
    const stats = this.stats;
    stats.totalLines++;
    const prefix = this.prefix;
    prefix.pid = rec.pid;
    prefix.bracketedPid = rec.bracketedPid;
    // Only whether there is one is read (flag evidence, -Y).
    prefix.comm = rec.comm ? "" : null;
    const time = scanTime(rec.time);
    prefix.time = time;
    prefix.stamp = rec.stamp;
    prefix.stampDigits = rec.stampDigits;
    prefix.sysno = rec.sysno;
    prefix.ip = rec.ip;
    prefix.secontext = false;
    this.evidence.notePrefix(prefix, rec.hasDuration);
    if (rec.evidenceText !== null) this.evidence.noteText(rec.evidenceText);
    if (rec.firstFdSocket >= 0) this.evidence.noteDecoration(rec.firstFdSocket === 1);
    this.evidence.noteCut(rec.name, rec.secondCutBytes);
    const pid = rec.pid ?? this.filePid;
    if (pid !== null) stats.countPid(pid);
    stats.countLine(rec.form === "complete" ? "syscall" : rec.form);
    stats.countSyscall(rec.name);
    if (rec.form === "complete") {
      // syscallEvent's own evidence (a resumed half's is the assembler's, where it is joined).
      if (rec.injected) stats.flags.add("-e inject=");
      if (rec.delayed) stats.flags.add("-e inject=delay");
      if (rec.rawLooking && rec.name !== "brk" && !rec.name.startsWith("mmap")) stats.flags.add("-e raw=");
    }
    this.asm.plain(rec, lineNo, pid, time);
  }

  /** A whole line read by a scan as the light call `c` (not an exit line): what physicalLine
   *  does with it. `c` is not kept. */
  lightRead(c: LightCall, lineNo: number): void {
    this.stats.totalLines++;
    this.lightCallRead(c, lineNo);
  }

  /** A whole `+++ exited with N +++` line read by a scan (light-bytes.ts): what physicalLine
   *  and lightLine do with it. */
  exitedRead(pid: number | null, time: number | null, code: number, lineNo: number): void {
    this.stats.totalLines++;
    this.exitedWith(this.exitPid(pid), time, lineNo, code);
  }

  /** End of input: a call still cut is read as far as it goes. */
  finish(): void {
    this.output = null;
    if (this.cut !== null) this.endCut();
  }

  private emit(ev: TraceEvent): void {
    this.asm.emit(ev);
  }

  private physicalLine(raw: string, lineNo: number, notLight = false): void {
    const stats = this.stats;
    stats.totalLines++;
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (text.indexOf("\x1b[") >= 0) {
      text = stripColor(text);
      stats.flags.add("--color");
    }

    if (this.output !== null) {
      this.programOutput(text, lineNo, true);
      return;
    }
    // Before any classifier: a light line ends in a return, `<unfinished ...>` or `+++`, so it
    // can be neither a message, a frame, a dump nor a summary row.
    if (this.needsArgs !== null && this.cut === null && !notLight && this.lightLine(text, lineNo)) return;

    const message = findStraceMessage(text);
    if (message !== null) {
      stats.countLine("notice");
      if (message.column > 0) {
        stats.flags.add("2>&1");
        const head = text.slice(0, message.column);
        const cut = this.cut;
        if (cut !== null && straceLineParser.parseLine(cut.text + head).incomplete) {
          cut.text += head;
          if (cut.fuzzy !== undefined) cut.fuzzy.heads = cut.fuzzy.heads.map((h) => h + head);
        } else {
          const hr = straceLineParser.parseLine(head);
          // A write to stdout or stderr, (some of) its bytes, then the message:
          // `write(1, "hi", 2hi` before `strace: Process 9 attached`, `) = 2` on the next line.
          const splice = hr.bodyStarted ? spliceIn(head, hr) : null;
          if (splice !== null && splice.rest !== "") {
            if (cut !== null) this.giveUpCut();
            this.spliced(splice, lineNo, true, lineNo, false, false);
          } else if (hr.incomplete && hr.bodyStarted) {
            if (cut !== null) this.giveUpCut();
            this.cut = { text: head, line: lineNo, counted: true, age: 0 };
          } else if (!isBlank(head)) {
            this.foreign(head, lineNo, false); // program output without a newline, then the message
          }
        }
      }
      this.emit({
        type: "notice",
        file: this.file,
        line: lineNo,
        pid: message.pid,
        time: null,
        notice: message.notice,
        text: message.text,
      });
      return;
    }

    if (this.cut !== null) {
      const cut = this.cut;
      if (cut.fuzzy !== undefined) {
        if (this.continueFuzzyCut(cut, cut.fuzzy.heads, text, lineNo)) return;
      } else if (completeOnItsOwn(text)) {
        // A whole call of its own is not the rest of the cut one (a log cut mid-line, then
        // going on): the cut call is given up and this line stands alone.
        this.giveUpCut();
      } else {
        const joined = cut.text + text;
        const r = straceLineParser.parseLine(joined);
        if (r.value !== null) {
          this.cut = null;
          stats.countLine("continuation");
          this.parsedLine(r.value, joined, cut.line, lineNo, cut.counted);
          return;
        }
        if (r.incomplete && (cut.grown ?? 0) < CUT_MAX_PIECES && joined.length <= CUT_MAX_CHARS) {
          cut.text = joined;
          cut.grown = (cut.grown ?? 0) + 1;
          stats.countLine("continuation");
          return;
        }
        // A write to stdout or stderr cut by strace's message right after its count, whose bytes
        // (then its rest) begin this line: `write(1, "..."..., 44strace: Process 9 attached`,
        // then `~its 44 bytes~) = 44`. The write's own string says what to skip.
        const splice = r.incomplete ? null : findWriteSplice(joined, r.errorOffset);
        if (splice !== null && splice.head.length <= cut.text.length) {
          this.spliced(splice, cut.line, cut.counted, lineNo, true);
          return;
        }
        // Not its continuation after all: the cut call is given up, this line stands alone.
        if (r.incomplete) this.giveUpCut();
      }
    }

    if (isBlank(text)) {
      stats.countLine("blank");
      return;
    }
    const frame = stackFrame(text);
    if (frame !== null) {
      stats.countLine("stack");
      stats.flags.add("-k");
      this.asm.frame(frame);
      return;
    }
    if (isHexDump(text)) {
      stats.countLine("hexdump");
      stats.flags.add("-e read/write=");
      return;
    }
    const summary = summaryLine(text, this.inSummary);
    if (summary !== null) {
      this.inSummary = true;
      stats.countLine("summary");
      stats.flags.add("-c");
      return;
    }
    this.inSummary = false;

    // A call in plain form is read without the lexer (the same result).
    if (this.plainScan) {
      const plain = plainLine(text);
      if (plain !== null && !maybeSplicedWrite(plain)) {
        if (this.cut !== null) this.giveUpCut();
        this.parsedLine(plain, text, lineNo, lineNo, false);
        return;
      }
    }
    const r = straceLineParser.parseLine(text);
    if (r.value !== null && !maybeSplicedWrite(r.value)) {
      if (this.cut !== null) this.giveUpCut();
      this.parsedLine(r.value, text, lineNo, lineNo, false);
      return;
    }
    if (r.bodyStarted) {
      if (r.value === null && /^\S*\s*\+\+\+/.test(text)) {
        this.foreign(text, lineNo, true); // an annotation shaped like an exit line (see exit())
        return;
      }
      // Program output glued to a write's text (`write(1, "hi\n", 3hi`) may even parse, as a
      // count juxtaposed with words: the write's own string decides.
      const splice = spliceIn(text, r);
      if (splice !== null) {
        if (this.cut !== null) this.giveUpCut();
        this.spliced(splice, lineNo, false, lineNo, false);
        return;
      }
      if (r.value !== null) {
        if (this.cut !== null) this.giveUpCut();
        this.parsedLine(r.value, text, lineNo, lineNo, false);
        return;
      }
      if (r.incomplete) {
        if (this.cut !== null) this.giveUpCut();
        this.cut = { text, line: lineNo, counted: false, age: 0 };
        stats.flags.add("2>&1");
        return;
      }
      const loose = straceLineParser.parseLooseLine(text);
      if (loose.value !== null) {
        if (this.cut !== null) this.giveUpCut();
        this.parsedLine(loose.value, text, lineNo, lineNo, false);
        return;
      }
      if (this.cutBeforeProgramOutput(text, r, lineNo)) return;
      stats.countLine("unrecognized");
      stats.sample("unrecognized", lineNo, text, describeError(r));
      this.emit({
        type: "unrecognized",
        file: this.file,
        line: lineNo,
        pid: null,
        time: null,
        text,
        reason: describeError(r),
      });
      return;
    }
    if (this.cut === null) {
      this.asm.bare(text, lineNo); // a bare -z continuation, or program output
      return;
    }
    if (this.glued(text, lineNo)) return;
    this.foreign(text, lineNo, true);
    if (++this.cut.age > CUT_PATIENCE) this.giveUpCut();
  }

  private lightLine(text: string, lineNo: number): boolean {
    const c = lightCall(text, this.needsArgs!);
    if (c === null) return false;
    if (c.form === "exit") {
      this.exit(c.exit!, this.exitPid(c.pid), c.time, lineNo, text);
      return true;
    }
    this.lightCallRead(c, lineNo);
    return true;
  }

  private lightCallRead(c: LightCall, lineNo: number): void {
    const stats = this.stats;
    const pid = c.pid ?? this.filePid;
    if (pid !== null) stats.countPid(pid);
    switch (c.form) {
      case "unfinished":
        stats.countLine("unfinished");
        stats.countSyscall(c.name);
        this.asm.lightStart(pid, c.name, lineNo, c.time);
        return;
      case "resumed":
        stats.countLine("resumed");
        stats.countSyscall(c.name);
        this.asm.lightResumed(c, pid, lineNo);
        return;
      case "complete":
        stats.countLine("syscall");
        stats.countSyscall(c.name);
        this.asm.light(c, pid, lineNo);
        return;
      case "exit":
        throw new Error("an exit line is read by lightLine");
    }
  }

  /** strace 6.1 with -z/-Z (`--status`) prints the second half of a call it had cut with
   *  `<unfinished ...>` with neither pid nor `<... name resumed>` (`)    = 100`,
   *  `NULL, 0, NULL) = 4408`): join it to the call most recently cut, if that was recent. */
  bareOrForeign(text: string, lineNo: number, last: PendingCall | null): void {
    if (last !== null && this.bareContinuation(text, lineNo, last)) return;
    if (!this.glued(text, lineNo)) this.foreign(text, lineNo, true);
  }

  /** Output of a program without a newline, then a whole line of strace's own
   *  (`~output~[pid 7] <... write resumed>) = 44`): the output is foreign, the line is read. */
  private glued(text: string, lineNo: number): boolean {
    const found = gluedStraceLine(text, (rest) => {
      const v = straceLineParser.parseLine(rest).value;
      return v !== null && !maybeSplicedWrite(v) ? v : null;
    });
    if (found === null) return false;
    this.stats.flags.add("2>&1");
    this.foreign(text.slice(0, found.at), lineNo, false);
    this.parsedLine(found.value, text.slice(found.at), lineNo, lineNo, false);
    return true;
  }

  private bareContinuation(text: string, lineNo: number, last: PendingCall): boolean {
    const synthetic = `<... ${last.name} resumed>${text}`;
    const r = straceLineParser.parseLine(synthetic);
    if (r.value === null || r.value.body.kind !== "resumed" || r.value.body.end !== "complete") return false;
    this.stats.flags.add("-z");
    this.parsedLine(r.value, synthetic, lineNo, lineNo, false, last.pid);
    return true;
  }

  private foreign(text: string, lineNo: number, count: boolean): void {
    if (count) this.stats.countLine("foreign");
    this.stats.sample("foreign", lineNo, text);
    this.emit({ type: "foreign", file: this.file, line: lineNo, pid: null, time: null, text });
  }

  /** A write to stdout or stderr with program output spliced in after its count: hold its head
   *  (begun on line `line`) as the cut call, and skip its bytes from `rest` on. */
  private spliced(splice: WriteSplice, line: number, counted: boolean, lineNo: number, wholeLine: boolean, endsLine = true): void {
    this.stats.flags.add("2>&1");
    this.cut = { text: splice.head, line, counted, age: 0 };
    this.output = splice.output;
    this.programOutput(splice.rest, lineNo, wholeLine, endsLine);
  }

  /** Skip the bytes a spliced `write(1|2, ...)` put on the stream, then rejoin the call.
   *  `endsLine`: the segment ends where the physical line does (not at a message of strace's). */
  private programOutput(segment: string, lineNo: number, wholeLine: boolean, endsLine = true): void {
    const output = this.output!;
    const taken = output.take(segment, endsLine);
    if (taken.done) {
      this.output = null;
      if (taken.consumed > 0) this.foreign(segment.slice(0, taken.consumed), lineNo, false);
      const rest = segment.slice(taken.consumed);
      if (wholeLine) this.stats.countLine(rest === "" ? "foreign" : "continuation");
      if (rest !== "" || !wholeLine) {
        const cut = this.cut!;
        const joined = cut.text + rest;
        const r = straceLineParser.parseLine(joined);
        if (r.value !== null) {
          this.cut = null;
          this.parsedLine(r.value, joined, cut.line, lineNo, cut.counted);
        } else cut.text = joined;
      }
      return;
    }
    if (wholeLine) this.stats.countLine("foreign");
    if (segment !== "") this.foreign(segment, lineNo, false);
  }

  /** Output of a process strace does not follow (no -f, or an exec'd child) lands in the middle
   *  of a call's text with no write to say what it is: cut the call before it. The cut point is
   *  a guess among the last tokens before the one the grammar rejected (a head must be a viable
   *  start of a call); the continuation decides (continueFuzzyCut). */
  private cutBeforeProgramOutput(text: string, r: LineParseResult, lineNo: number): boolean {
    if (r.errorOffset <= 0) return false;
    // A long line (a `-s 4096` write into which another thread's output fell) gets the guesses
    // next to where the grammar stopped, but no search along the line: that stays linear.
    const long = text.length > FUZZY_MAX_LINE;
    if (long && text.length > FUZZY_MAX_LONG_LINE) return false;
    const tokens = lexLine(text).tokens;
    let idx = tokens.findIndex((t) => t.startOffset >= r.errorOffset);
    if (idx < 0) idx = tokens.length;
    const good: string[] = [];
    const weak: string[] = [];
    for (let k = idx; k >= Math.max(1, idx - 3); k--) {
      const cutAt = k < tokens.length ? tokens[k].startOffset : r.errorOffset;
      const head = text.slice(0, cutAt);
      const hr = straceLineParser.parseLine(head);
      if (!hr.incomplete || !hr.bodyStarted) continue;
      // A head ending in an operator (`~`, `|`, `=`) most likely took the output's first char.
      (/[~|&=!*+\-/:.]\s*$/.test(head) ? weak : good).push(head);
    }
    const heads = [...good, ...weak];
    if (heads.length === 0) return false;
    if (this.cut !== null) this.giveUpCut();
    this.stats.flags.add("2>&1");
    // Output without a newline can be followed by the call's rest on this same line
    // (`rt_sigprocmask(SIG_SETMASK, [], text~ <unfinished ...>`).
    for (const head of long ? [] : heads) {
      const found = resumeAfterOutput([head], text.slice(head.length));
      if (found !== null) {
        this.foreign(found.output, lineNo, false);
        this.parsedLine(found.value, found.joined, lineNo, lineNo, false);
        return true;
      }
    }
    this.cut = { text: heads[0], line: lineNo, counted: false, age: 0, fuzzy: { heads } };
    this.foreign(text.slice(heads[0].length), lineNo, false);
    return true;
  }

  /** The next line after a guessed cut: the call's rest, possibly after more program output. */
  private continueFuzzyCut(cut: CutLine, heads: readonly string[], text: string, lineNo: number): boolean {
    const accept = (joined: string, value: ParsedLine, foreignText: string): boolean => {
      this.cut = null;
      this.stats.countLine("continuation");
      if (foreignText !== "") this.foreign(foreignText, lineNo, false);
      this.parsedLine(value, joined, cut.line, lineNo, cut.counted);
      return true;
    };
    for (const head of heads) {
      const joined = head + text;
      const r = straceLineParser.parseLine(joined);
      if (r.value !== null && cleanArgs(r.value)) return accept(joined, r.value, "");
    }
    if (straceLineParser.parseLine(text).value !== null) return false;
    const found = resumeAfterOutput(heads, text);
    return found !== null && accept(found.joined, found.value, found.output);
  }

  /** The input ended inside a call (strace killed, a log cut short): it is that call, which
   *  never returned, when its text reads as the start of one. */
  private endCut(): void {
    const cut = this.cut!;
    const text = `${cut.text} <unfinished ...>`;
    const r = straceLineParser.parseLine(text);
    if (r.value === null || r.value.body.kind !== "call" || r.value.body.end !== "unfinished" || cut.fuzzy !== undefined) {
      this.giveUpCut();
      return;
    }
    this.cut = null;
    this.parsedLine(r.value, text, cut.line, cut.line, cut.counted);
  }

  /** A cut call whose rest never came: report it rather than guess. */
  private giveUpCut(): void {
    const cut = this.cut!;
    this.cut = null;
    if (!cut.counted) this.stats.countLine("unrecognized");
    const reason = "call text was cut off and its continuation never came";
    this.stats.sample("unrecognized", cut.line, cut.text, reason);
    this.emit({ type: "unrecognized", file: this.file, line: cut.line, pid: null, time: null, text: cut.text, reason });
  }

  /** Turn one parsed (possibly rejoined) line into events. `counted`: its stats line is done. */
  private parsedLine(
    p: ParsedLine,
    text: string,
    lineNo: number,
    endLine: number,
    counted: boolean,
    pidOverride: number | null = null,
  ): void {
    const stats = this.stats;
    const prefix = readPrefix(p.leaders, this.prefix);
    this.evidence.notePrefix(prefix, p.durationText !== null);
    this.evidence.noteValues(text, p);
    const pid = pidOverride ?? prefix.pid ?? this.filePid;
    if (pid !== null) stats.countPid(pid);
    const time = prefix.time;
    const body = p.body;
    switch (body.kind) {
      case "call":
      case "resumed": {
        const kind: LineKind =
          body.kind === "resumed" ? "resumed" : body.end === "complete" ? "syscall" : "unfinished";
        if (!counted) stats.countLine(kind);
        this.call(body, p, pid, time, lineNo, endLine, text);
        return;
      }
      case "signal": {
        if (!counted) stats.countLine("signal");
        const first = body.words[0] ?? [];
        const name = first[0]?.kind === "ident" ? first[0].name : body.text.split(" ")[0];
        if (name === "stopped") {
          this.emit({ type: "notice", file: this.file, line: lineNo, pid, time, notice: "stopped", text: body.text });
          return;
        }
        const info = first.length > 1 && first[1].kind === "struct" ? first[1] : null;
        this.emit({ type: "signal", file: this.file, line: lineNo, pid, time, signal: name, info });
        return;
      }
      case "exit": {
        if (!counted) stats.countLine("exit");
        this.exit(body.text, pid, time, lineNo, text);
        return;
      }
    }
  }

  /** The pid of an exit line read by a scan (the file's when the line shows none), counted with
   *  the line in the stats. */
  private exitPid(pid: number | null): number | null {
    const p = pid ?? this.filePid;
    if (p !== null) this.stats.countPid(p);
    this.stats.countLine("exit");
    return p;
  }

  /** `+++ exited with N +++`: the thread's call in flight is gone, and so is the thread. */
  private exitedWith(pid: number | null, time: number | null, lineNo: number, code: number): void {
    this.asm.threadGone(pid);
    this.asm.exited(pid, time, lineNo, code);
  }

  private exit(text: string, pid: number | null, time: number | null, lineNo: number, line: string): void {
    let m = /^exited with (-?\d+)$/.exec(text);
    if (m !== null) {
      this.exitedWith(pid, time, lineNo, +m[1]);
      return;
    }
    // The rarer ends share the leading keys.
    const base = { type: "exit" as const, file: this.file, line: lineNo, pid, time };
    if ((m = /^killed by (\w+)( \(core dumped\))?$/.exec(text))) {
      this.asm.threadGone(pid);
      this.emit(m[2] ? { ...base, how: "killed", signal: m[1], coreDumped: true } : { ...base, how: "killed", signal: m[1] });
    } else if ((m = /^superseded by execve in pid (\d+)$/.exec(text))) {
      // The tgid's own call in flight is gone; thread N's execve resumes under the tgid.
      this.asm.threadGone(pid);
      if (pid !== null) this.asm.migrate(+m[1], pid);
      this.emit({ ...base, how: "superseded", newPid: +m[1] });
    } else {
      // strace prints no other `+++` lines: this is someone's annotation (seen in hand-edited
      // traces) or program output shaped like one.
      this.stats.lines.exit--;
      this.foreign(line, lineNo, true);
    }
  }

  private call(
    body: Extract<ParsedBody, { kind: "call" | "resumed" }>,
    p: ParsedLine,
    pid: number | null,
    time: number | null,
    lineNo: number,
    endLine: number,
    text: string,
  ): void {
    this.stats.countSyscall(body.name);
    if (body.kind === "resumed") {
      this.asm.resumed({ body, durationText: p.durationText, pid, time, line: lineNo, endLine });
      return;
    }
    if (body.end === "complete") {
      this.asm.syscall(syscallEvent(this.file, this.stats, body.name, body.args, body.result!, p.durationText, pid, time, lineNo, endLine, "complete"));
      return;
    }
    if (body.end === "pid-changed") {
      // The call completes in the tgid's -ff file (`<... execve resumed>`); here it only ends.
      const mark = /<pid changed to (\d+) \.\.\.>/.exec(text);
      this.emit({ type: "notice", file: this.file, line: lineNo, pid, time, notice: "message", text: `${body.name}: pid changed to ${mark?.[1] ?? "?"}` });
      return;
    }
    const pending: PendingCall = { pid, name: body.name, line: lineNo, time, slots: body.args.slice() };
    if (body.end === "detached" || body.result !== null) {
      // `<detached ...>` or `<unfinished ...>) = ?`: this call will never resume.
      if (body.end === "detached") {
        this.emit({ type: "notice", file: this.file, line: lineNo, pid, time, notice: "detached", text: "<detached ...>" });
      }
      this.asm.syscall(neverResumedEvent(this.file, pending, body.result));
      return;
    }
    this.asm.start(pending);
  }
}

/** A write to stdout or stderr in `text` followed by its own bytes, where the grammar stopped
 *  reading it (or anywhere, when it read the line whole or found it cut short). */
function spliceIn(text: string, r: LineParseResult): WriteSplice | null {
  return findWriteSplice(text, r.value !== null || r.incomplete ? text.length : r.errorOffset);
}

/** A line that parses by itself as a complete call with a pid or time leader. */
function completeOnItsOwn(text: string): boolean {
  const c = text.charCodeAt(0);
  // Continuations start with `)`, `,`, ` ` or `<`; a new call with a leader starts with a digit or `[`.
  if (!((c >= 0x30 && c <= 0x39) || c === 0x5b)) return false;
  const r = straceLineParser.parseLine(text);
  return r.value !== null && r.value.leaders.length > 0 && r.value.body.kind === "call" && r.value.body.end === "complete";
}

/** Longest line that still gets its one guessed cut (see cutBeforeProgramOutput). */
const FUZZY_MAX_LONG_LINE = 256 * 1024;

/** Parses a guessed cut may spend looking for where strace's text resumes on one line. */
const RESUME_TRIES = 48;

/** The first place in `text` after which strace's part of a cut call resumes: program output
 *  before it, a clean rejoined call with one of `heads`. */
function resumeAfterOutput(
  heads: readonly string[],
  text: string,
): { joined: string; value: ParsedLine; output: string } | null {
  if (text.length > FUZZY_MAX_LINE) return null;
  let tries = 0;
  for (let i = 1; i < text.length; i++) {
    if (!plausibleResume(text, i)) continue;
    let deep: boolean | undefined;
    for (const head of heads) {
      // Each try is a full parse: a line of brackets offers a resume point at every character,
      // and trying them all was cubic. Real program output ends within a few tries.
      if (++tries > RESUME_TRIES) return null;
      if (deep ??= nestsTooDeep(text, i)) continue;
      const joined = head + text.slice(i);
      const r = straceLineParser.parseLine(joined);
      if (r.value !== null && cleanArgs(r.value)) return { joined, value: r.value, output: text.slice(0, i) };
    }
  }
  return null;
}

function describeError(r: LineParseResult): string {
  if (r.lexErrors.length > 0 && (r.parseErrors.length === 0 || r.lexErrors[0].offset <= r.errorOffset)) {
    return `unexpected character at column ${r.lexErrors[0].offset + 1}`;
  }
  const e = r.parseErrors[0];
  if (e === undefined) return "unparseable";
  return r.incomplete ? "line ends in the middle of a call" : `unexpected ${JSON.stringify(e.token.image)} at column ${r.errorOffset + 1}`;
}
