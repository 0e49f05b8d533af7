// What one event parser saw: physical lines by kind, syscalls by name, pids, the strace flags
// the text shows evidence of, and samples of the lines it could not read (for `stats`).
import { ownText } from "../io/line-batches.js";
import type { LineKind } from "./events.js";

export interface LineSample {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly reason?: string;
}

const SAMPLE_LIMIT = 20;
const SAMPLE_CHARS = 200;

export const LINE_KINDS: readonly LineKind[] = [
  "syscall",
  "unfinished",
  "resumed",
  "signal",
  "exit",
  "notice",
  "stack",
  "hexdump",
  "summary",
  "blank",
  "continuation",
  "foreign",
  "unrecognized",
];

/** What a worker's parser saw of its segment (line numbers relative to it). */
export interface ParserStatsData {
  readonly lines: Record<LineKind, number>;
  readonly totalLines: number;
  readonly syscalls: ReadonlyMap<string, number>;
  readonly pids: ReadonlySet<number>;
  readonly flags: ReadonlySet<string>;
  readonly unrecognizedSamples: readonly LineSample[];
  readonly foreignSamples: readonly LineSample[];
  readonly truncatedStringBytes: number | null;
}

export class ParserStats {
  readonly lines: Record<LineKind, number>;
  /** Physical lines read. */
  totalLines = 0;
  readonly syscalls = new Map<string, number>();
  readonly pids = new Set<number>();
  /** strace options the text shows evidence of (`-f`, `-tt`, `-yy`, `-k`, `2>&1`...). */
  readonly flags = new Set<string>();
  readonly unrecognizedSamples: LineSample[] = [];
  readonly foreignSamples: LineSample[] = [];
  /** Longest string argument printed truncated (`"..."...`): strace's `-s` value. */
  truncatedStringBytes: number | null = null;
  /** Calls given up as never resumed because too many were in flight at once (MAX_IN_FLIGHT),
   *  and the line of the first. */
  callsGivenUp = 0;
  firstGivenUp: number | null = null;

  /** `countsNames`: count syscalls by name. Only `stats` shows those counts; the fast path of
   *  `analyze` (a parser given needsArgs) leaves them out: a map lookup at every line was 2% of
   *  a worker's instructions. */
  constructor(
    readonly file: string,
    private readonly countsNames = true,
  ) {
    this.lines = Object.fromEntries(LINE_KINDS.map((k) => [k, 0])) as Record<LineKind, number>;
  }

  countLine(kind: LineKind): void {
    // One store per kind (a keyed store over thirteen keys was 2 % of a worker's time).
    const lines = this.lines;
    switch (kind) {
      case "syscall":
        lines.syscall++;
        return;
      case "unfinished":
        lines.unfinished++;
        return;
      case "resumed":
        lines.resumed++;
        return;
      case "exit":
        lines.exit++;
        return;
      default:
        lines[kind]++;
    }
  }

  /** Add a pid to `pids`: runs of one thread's lines add it once (a set's add at every line was
   *  0.6% of a worker's instructions). */
  countPid(pid: number): void {
    if (pid === this.#lastPid) return;
    this.#lastPid = pid;
    this.pids.add(pid);
  }

  /** The pid countPid added last (private: not part of the stats compared or posted). */
  #lastPid = -1;

  countSyscall(name: string): void {
    if (!this.countsNames) return;
    const n = this.syscalls.get(name);
    // A name new to the map is kept as a copy: `name` may be a slice of its line's chunk.
    if (n === undefined) this.syscalls.set(ownText(name), 1);
    else this.syscalls.set(name, n + 1);
  }

  /** The plain data of these stats (structured-cloneable), for a worker to post. */
  data(): ParserStatsData {
    return {
      lines: this.lines,
      totalLines: this.totalLines,
      syscalls: this.syscalls,
      pids: this.pids,
      flags: this.flags,
      unrecognizedSamples: this.unrecognizedSamples,
      foreignSamples: this.foreignSamples,
      truncatedStringBytes: this.truncatedStringBytes,
    };
  }

  /** Add the stats of a segment read elsewhere, whose line numbers start after `lineBase`. */
  merge(o: ParserStatsData, lineBase: number): void {
    for (const k of LINE_KINDS) this.lines[k] += o.lines[k];
    this.totalLines += o.totalLines;
    for (const [name, n] of o.syscalls) this.syscalls.set(name, (this.syscalls.get(name) ?? 0) + n);
    for (const p of o.pids) this.pids.add(p);
    for (const f of o.flags) this.flags.add(f);
    for (const s of o.unrecognizedSamples) {
      if (this.unrecognizedSamples.length < SAMPLE_LIMIT) this.unrecognizedSamples.push({ ...s, file: this.file, line: s.line + lineBase });
    }
    for (const s of o.foreignSamples) {
      if (this.foreignSamples.length < SAMPLE_LIMIT) this.foreignSamples.push({ ...s, file: this.file, line: s.line + lineBase });
    }
    if (o.truncatedStringBytes !== null && (this.truncatedStringBytes === null || o.truncatedStringBytes > this.truncatedStringBytes)) {
      this.truncatedStringBytes = o.truncatedStringBytes;
    }
  }

  sample(kind: "unrecognized" | "foreign", line: number, text: string, reason?: string): void {
    const list = kind === "unrecognized" ? this.unrecognizedSamples : this.foreignSamples;
    if (list.length >= SAMPLE_LIMIT) return;
    const short = ownText(text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) + "…" : text);
    list.push(reason === undefined ? { file: this.file, line, text: short } : { file: this.file, line, text: short, reason });
  }
}
