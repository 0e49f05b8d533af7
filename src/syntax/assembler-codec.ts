// The line reader's output as data: a worker thread reads its segment of a trace into an
// OpRecorder (an Assembler that writes every step into typed arrays and a table of strings),
// posts the record, and the main thread replays it into the real EventAssembler, in order.
// A structured clone of the event objects cost as much as parsing them (and JSON more); this
// record is a few ints per value, with each short string sent once per segment.
//
// Values are encoded generically: plain objects by their list of keys (a "shape", sent once,
// decoded by a function built for it), arrays, strings, numbers, booleans, null, undefined.
// The grammar's marker constants keep their identity (code compares them with ===), and line
// numbers are written relative to the segment: the worker does not know how many lines came
// before it, the main thread does by the time it replays.
import { CUT_BEFORE, ELLIPSIS } from "../../grammars/strace-line-parser.js";
import { threadId } from "node:worker_threads";
import { latin1 } from "./char-codes.js";
import type { SyscallEvent, TraceEvent } from "./events.js";
import type { PendingCall } from "./call-joiner.js";
import { NO_ARGS, type Assembler, type ResumedHalf } from "./event-assembler.js";
import type { LightCall } from "./light-call.js";
import { R_PID, R_TIME, replayPlain, type PlainCursor, type PlainRecord } from "./plain-bytes.js";

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT = 4;
const T_NUMBER = 5;
const T_STRING = 6;
const T_ARRAY = 7;
const T_OBJECT = 8;
const T_CUT_BEFORE = 9;
const T_ELLIPSIS = 10;
const T_NO_ARGS = 11;
/** A line number relative to the segment (keys `line` and `endLine`). */
const T_LINE = 12;

const OP_EMIT = 1;
const OP_SYSCALL = 2;
const OP_FRAME = 3;
const OP_START = 4;
const OP_LIGHT_RESUMED = 5;
const OP_RESUMED = 6;
const OP_THREAD_GONE = 7;
const OP_MIGRATE = 8;
const OP_BARE = 9;
const OP_LIGHT = 10;
const OP_PLAIN = 11;
const OP_LIGHT_START = 12;
const OP_EXITED = 13;

/** Strings up to this long are sent once per segment (names, errnos, fd paths); longer ones
 *  (data buffers) as they come. */
const INTERN_CHARS = 96;
/** Name table ids the recorder keeps words for (a table holds at most this many names). */
const NAME_IDS = 4096;

/** A recorded segment: structured-cloneable, its two buffers transferable. A string is
 *  recorded as an id: one of the record's own `strings` (>= 0), or a word (< 0, word -1 - id):
 *  a short string its recorder sent once, in the `newWords` of the record that met it first,
 *  and that the thread replaying the records keeps (learnWords). */
export interface OpRecord {
  readonly ints: Int32Array;
  readonly intCount: number;
  readonly nums: Float64Array;
  readonly numCount: number;
  readonly strings: string[];
  /** The recorder that made it (one per thread, or more in tests). */
  readonly source: number;
  /** Word ids count from 0 again in each epoch of a recorder. */
  readonly epoch: number;
  /** The words this record brings, with ids firstWord, firstWord + 1... */
  readonly newWords: string[];
  readonly firstWord: number;
  /** Set by learnWords on the thread that replays it: every word of its epoch so far. */
  words?: readonly string[];
  readonly shapes: string[][];
  /** Handed over in the recorder's own buffers: give them back (OpRecorder.recycle) once
   *  replayed. */
  readonly recyclable?: boolean;
}

/** Records every step of the line reader. Line numbers it is given are segment-relative. */
export class OpRecorder implements Assembler {
  private ints: Int32Array = new Int32Array(1 << 16);
  private ni = 0;
  private nums: Float64Array = new Float64Array(1 << 12);
  private nn = 0;
  private strings: string[] = [];
  /** The words of this epoch by text, with their ids (see OpRecord; strings up to
   *  INTERN_CHARS long). */
  private readonly wordIds = new Map<string, number>();
  /** Words given an id so far in this epoch. */
  private wordsSent = 0;
  private epoch = 0;
  /** Words met first in the record under way, and the id of the first of them. */
  private newWords: string[] = [];
  private firstWord = 0;
  /** Ids handed out may not have reached the replaying thread (a segment failed): the next
   *  record starts an epoch. */
  private epochSpent = false;
  private readonly source = sourceBase + recorders++;
  private shapes: string[][] = [];
  /** Shapes seen, as a trie of keys in order: most objects of a kind have one shape, so each
   *  step is usually one comparison of interned key strings (no key list is built). */
  private shapeRoot: ShapeNode = newShapeNode(null, null);

  emit(ev: TraceEvent): void {
    this.int(OP_EMIT);
    this.value(ev);
  }

  syscall(ev: SyscallEvent): void {
    this.int(OP_SYSCALL);
    this.value(ev);
  }

  light(c: LightCall, pid: number | null, line: number): void {
    this.int(OP_LIGHT);
    this.lightCall(c, pid, line);
  }

  /** A call read by the plain byte scan: its record's ints and nums as they are, its strings
   *  interned (a token seen before in the segment is found by a hash of its bytes). */
  plain(rec: PlainRecord, line: number, pid: number | null, time: number | null): void {
    this.int(OP_PLAIN);
    this.int(line);
    this.pidTime(pid, time);
    this.reserve(rec.ni);
    const ints = this.ints;
    const src = rec.ints;
    const st = rec.strings;
    let n = this.ni;
    let k = 0;
    let ref = rec.nr > 0 ? rec.refs[0]! : -1;
    if (ref === 0 && rec.nameId >= 0) {
      // The name (always the first string): its word by the name table's id.
      ints[n++] = this.nameWord(rec, st.from[src[0]!]!, st.to[src[0]!]!);
      ref = ++k < rec.nr ? rec.refs[k]! : -1;
    }
    for (let i = n - this.ni; i < rec.ni; i++) {
      if (i !== ref) {
        ints[n++] = src[i]!;
        continue;
      }
      const s = src[i]!;
      const text = st.text[s];
      ints[n++] = text != null ? this.strId(text) : this.rangeId(rec.bytes, st.from[s]!, st.to[s]!);
      ref = ++k < rec.nr ? rec.refs[k]! : -1;
    }
    this.ni = n;
    for (let j = 0; j < rec.nn; j++) this.num(rec.nums[j]!);
  }

  /** The word id of a plain record's name, by its id in the record's name table. */
  private nameWord(rec: PlainRecord, from: number, to: number): number {
    if (rec.names !== this.nameOwner) {
      this.nameOwner = rec.names;
      this.nameWords.fill(0);
    }
    const id = rec.nameId;
    if (id >= this.nameWords.length) return this.rangeId(rec.bytes, from, to);
    const known = this.nameWords[id]!;
    if (known !== 0) return known;
    // Words are ids below zero (-1 - id): 0 is free to mean "not yet". A name too long to be a
    // word is the record's own string, each time.
    const word = this.rangeId(rec.bytes, from, to);
    if (word < 0) this.nameWords[id] = word;
    return word;
  }

  /** By name table id, the word id of the name in this epoch (0: not yet), for `nameOwner`. */
  private readonly nameWords = new Int32Array(NAME_IDS);
  private nameOwner: object | null = null;

  frame(text: string): void {
    this.int(OP_FRAME);
    this.str(text);
  }

  start(call: PendingCall): void {
    this.int(OP_START);
    this.value(call);
  }

  /** Four fields, not the PendingCall as a generic object: a thread's blocking call (futex,
   *  epoll_wait...) is cut this way in every multi-threaded trace. */
  lightStart(pid: number | null, name: string, line: number, time: number | null): void {
    this.int(OP_LIGHT_START);
    this.int(line);
    this.str(name);
    this.pidTime(pid, time);
  }

  lightResumed(c: LightCall, pid: number | null, line: number): void {
    this.int(OP_LIGHT_RESUMED);
    this.lightCall(c, pid, line);
  }

  resumed(half: ResumedHalf): void {
    this.int(OP_RESUMED);
    this.value(half);
  }

  threadGone(pid: number | null): void {
    this.int(OP_THREAD_GONE);
    this.value(pid);
  }

  exited(pid: number | null, time: number | null, line: number, code: number): void {
    this.int(OP_EXITED);
    this.int(line);
    this.pidTime(pid, time);
    this.num(code); // any number a hand-edited line holds
  }

  migrate(fromPid: number, toPid: number): void {
    this.int(OP_MIGRATE);
    this.value(fromPid);
    this.value(toPid);
  }

  bare(text: string, line: number): void {
    this.int(OP_BARE);
    this.str(text);
    this.int(line);
  }

  /** The record so far. One that fills an eighth of the recorder's buffers or more is handed
   *  over in them (transferable: the record is intCount and numCount long, the buffers longer)
   *  while the recorder can start over in a pair given back by `recycle`, or make one of at most
   *  MAX_CIRCULATING; otherwise it is an exact copy. Copying every record out cost a tenth of a
   *  worker's time (a new zeroed buffer for each segment, garbage on both threads' heaps);
   *  handing every one over in new buffers of full size made an -ff set's small segments
   *  (thousands in flight) far bigger. */
  take(): OpRecord {
    const ints = this.ints;
    const nums = this.nums;
    let spare: { ints: Int32Array; nums: Float64Array } | undefined;
    // A small record (a small segment of an -ff set's file) is copied out: it would hold buffers
    // many times its size while in flight.
    const handOver = this.ni >= ints.length >> 3;
    if (handOver) spare = this.spares.pop();
    while (spare !== undefined && (spare.ints.length !== ints.length || spare.nums.length !== nums.length)) {
      // Given back before the recorder's buffers grew: a pair of the new size takes its place.
      this.circulating--;
      spare = this.spares.pop();
    }
    let record: OpRecord;
    if (handOver && (spare !== undefined || this.circulating < MAX_CIRCULATING)) {
      record = { ints, intCount: this.ni, nums, numCount: this.nn, ...this.wordFields(), shapes: this.shapes, recyclable: true };
      if (spare === undefined) this.circulating++;
      this.ints = spare?.ints ?? new Int32Array(ints.length);
      this.nums = spare?.nums ?? new Float64Array(nums.length);
    } else {
      record = { ints: ints.slice(0, this.ni), intCount: this.ni, nums: nums.slice(0, this.nn), numCount: this.nn, ...this.wordFields(), shapes: this.shapes, recyclable: false };
    }
    this.reset();
    return record;
  }

  /** The buffers of a record taken earlier in them (`recyclable`), replayed and no longer
   *  needed: a later take's. */
  recycle(ints: Int32Array, nums: Float64Array): void {
    if (this.spares.length < MAX_CIRCULATING) this.spares.push({ ints, nums });
    else this.circulating--;
  }

  private readonly spares: { ints: Int32Array; nums: Float64Array }[] = [];
  /** Buffer pairs made to hand records over in (spares included). */
  private circulating = 0;

  /** Start over, dropping what was recorded. */
  reset(): void {
    this.ni = 0;
    this.nn = 0;
    this.strings = [];
    this.shapes = [];
    this.shapeRoot = newShapeNode(null, null);
    // Words already sent keep their ids, within bounds: past them (or after a record that
    // never reached the other side) a new epoch starts, and the replaying thread's list with it.
    if (this.epochSpent || this.wordsSent >= EPOCH_WORDS) {
      this.epoch++;
      this.epochSpent = false;
      this.wordsSent = 0;
      this.wordIds.clear();
      this.forgetWordBytes();
      this.nameWords.fill(0);
    }
    this.newWords = [];
    this.firstWord = this.wordsSent;
  }

  /** The record under way will not reach the replaying thread (its segment failed): ids it
   *  gave new words must not be used again. */
  abandon(): void {
    this.epochSpent = true;
    this.reset();
  }

  private wordFields(): Pick<OpRecord, "strings" | "source" | "epoch" | "newWords" | "firstWord"> {
    return { strings: this.strings, source: this.source, epoch: this.epoch, newWords: this.newWords, firstWord: this.firstWord };
  }

  /** The id of word `text` (its first time in the epoch: a new one, sent with this record). */
  private wordId(text: string): number {
    let id = this.wordIds.get(text);
    if (id === undefined) {
      id = this.wordsSent++;
      this.newWords.push(text);
      this.wordIds.set(text, id);
    }
    return -1 - id;
  }

  /** Which of a pid and a time there are (R_PID, R_TIME), then those there are. */
  private pidTime(pid: number | null, time: number | null): void {
    this.int((pid !== null ? R_PID : 0) | (time !== null ? R_TIME : 0));
    if (pid !== null) this.num(pid);
    if (time !== null) this.num(time);
  }

  /** A call of the fast path, the same few fields every time (most of a trace's lines). */
  private lightCall(c: LightCall, pid: number | null, line: number): void {
    this.int(line);
    this.str(c.name);
    this.int((pid !== null ? 1 : 0) | (c.time !== null ? 2 : 0) | (c.errno !== null ? 4 : 0) | (c.durationUs !== undefined ? 8 : 0) | FORMS.indexOf(c.form) << 4);
    if (pid !== null) this.num(pid);
    if (c.time !== null) this.num(c.time);
    this.num(c.ret);
    if (c.errno !== null) this.str(c.errno);
    if (c.durationUs !== undefined) this.num(c.durationUs);
  }

  /** Room for `n` more ints. */
  private reserve(n: number): void {
    if (this.ni + n <= this.ints.length) return;
    let size = this.ints.length * 2;
    while (size < this.ni + n) size *= 2;
    const grown = new Int32Array(size);
    grown.set(this.ints.subarray(0, this.ni));
    this.ints = grown;
  }

  /** The id of b[from, to) as a latin1 string. Short ones are words met again and again
   *  (names, flags, fields, short paths): a table of their bytes finds each by a hash and a
   *  comparison, and gives its word id; its string is made and sent once per epoch. Made anew
   *  in each segment, those strings (a fifth of the ranges) cost a quarter of the time spent
   *  recording plain calls, and each record listed every word it used again. */
  private rangeId(b: Uint8Array, from: number, to: number): number {
    const len = to - from;
    if (len > INTERN_CHARS) return this.strings.push(latin1(b, from, to)) - 1;
    let h = 0x811c9dc5 ^ len;
    for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    let slot = h & WORD_MASK;
    const pool = this.wordBytes;
    for (let probe = 0; probe < 8; probe++) {
      const at = this.wordAt[slot]!;
      if (at < 0) return this.newWord(b, from, to, h, slot);
      if (this.wordHash[slot] === h && this.wordLength[slot] === len) {
        let k = 0;
        while (k < len && pool[at + k] === b[from + k]) k++;
        if (k === len) return this.wordRef[slot]!;
      }
      slot = (slot + 1) & WORD_MASK;
    }
    return this.wordId(latin1(b, from, to));
  }

  /** A word not in the table of bytes, put in the empty `slot` (the table starts over when
   *  full; the words keep their ids). */
  private newWord(b: Uint8Array, from: number, to: number, hash: number, slot: number): number {
    const ref = this.wordId(latin1(b, from, to));
    const len = to - from;
    if (this.wordCount >= (WORD_MASK + 1) / 2 || this.wordBytesUsed + len > WORD_BYTES) {
      // Full (a trace of many distinct short strings): forget every word's bytes.
      this.forgetWordBytes();
      return ref;
    }
    this.wordBytes.set(b.subarray(from, to), this.wordBytesUsed);
    this.wordAt[slot] = this.wordBytesUsed;
    this.wordBytesUsed += len;
    this.wordCount++;
    this.wordHash[slot] = hash;
    this.wordLength[slot] = len;
    this.wordRef[slot] = ref;
    return ref;
  }

  private forgetWordBytes(): void {
    this.wordAt.fill(-1);
    this.wordCount = 0;
    this.wordBytesUsed = 0;
  }

  /** The table of words' bytes, by slot: where its bytes are in wordBytes (-1: empty slot), its
   *  hash, length and id as recorded (wordId). */
  private readonly wordAt = new Int32Array(WORD_MASK + 1).fill(-1);
  private readonly wordHash = new Int32Array(WORD_MASK + 1);
  private readonly wordLength = new Int32Array(WORD_MASK + 1);
  private readonly wordRef = new Int32Array(WORD_MASK + 1);
  private readonly wordBytes = new Uint8Array(WORD_BYTES);
  private wordBytesUsed = 0;
  private wordCount = 0;

  private int(v: number): void {
    if (this.ni === this.ints.length) {
      const grown = new Int32Array(this.ints.length * 2);
      grown.set(this.ints);
      this.ints = grown;
    }
    this.ints[this.ni++] = v;
  }

  private num(v: number): void {
    if (this.nn === this.nums.length) {
      const grown = new Float64Array(this.nums.length * 2);
      grown.set(this.nums);
      this.nums = grown;
    }
    this.nums[this.nn++] = v;
  }

  private str(s: string): void {
    this.int(this.strId(s));
  }

  private strId(s: string): number {
    return s.length > INTERN_CHARS ? this.strings.push(s) - 1 : this.wordId(s);
  }

  private value(v: unknown, key?: string): void {
    switch (typeof v) {
      case "string":
        this.int(T_STRING);
        this.str(v);
        return;
      case "number":
        if ((v | 0) === v && !Object.is(v, -0)) {
          this.int(key === "line" || key === "endLine" ? T_LINE : T_INT);
          this.int(v);
        } else {
          this.int(T_NUMBER);
          this.num(v);
        }
        return;
      case "boolean":
        this.int(v ? T_TRUE : T_FALSE);
        return;
      case "undefined":
        this.int(T_UNDEFINED);
        return;
      case "object":
        if (v === null) this.int(T_NULL);
        else if (Array.isArray(v)) this.array(v);
        else if (v === CUT_BEFORE) this.int(T_CUT_BEFORE);
        else if (v === ELLIPSIS) this.int(T_ELLIPSIS);
        else this.object(v as Record<string, unknown>);
        return;
      default:
        throw new TypeError(`cannot record a ${typeof v}`);
    }
  }

  private array(a: readonly unknown[]): void {
    if (a === NO_ARGS) {
      this.int(T_NO_ARGS);
      return;
    }
    this.int(T_ARRAY);
    this.int(a.length);
    for (let i = 0; i < a.length; i++) this.value(a[i]);
  }

  private object(o: Record<string, unknown>): void {
    this.int(T_OBJECT);
    const at = this.ni;
    this.int(0); // the shape, known once the keys are walked
    let node = this.shapeRoot;
    for (const k in o) {
      let next: ShapeNode | undefined;
      if (node.key === k) next = node.child!;
      else if (node.key === null) {
        next = newShapeNode(k, node);
        node.key = k;
        node.child = next;
      } else {
        next = (node.more ??= new Map()).get(k);
        if (next === undefined) node.more.set(k, (next = newShapeNode(k, node)));
      }
      node = next;
      this.value(o[k], k);
    }
    if (node.id < 0) node.id = this.shapes.push(shapeKeys(node)) - 1;
    this.ints[at] = node.id;
  }
}

interface ShapeNode {
  /** The key that led here (null at the root). */
  readonly via: string | null;
  readonly parent: ShapeNode | null;
  /** The shape id of objects whose keys end here, or -1. */
  id: number;
  /** The first key seen after this one, and where it leads; others in `more`. */
  key: string | null;
  child: ShapeNode | null;
  more: Map<string, ShapeNode> | null;
}

function newShapeNode(via: string | null, parent: ShapeNode | null): ShapeNode {
  return { via, parent, id: -1, key: null, child: null, more: null };
}

function shapeKeys(node: ShapeNode): string[] {
  const keys: string[] = [];
  for (let n: ShapeNode | null = node; n !== null && n.via !== null; n = n.parent) keys.push(n.via);
  return keys.reverse();
}

const FORMS: readonly LightCall["form"][] = ["complete", "unfinished", "resumed", "exit"];

/** Buffer pairs a recorder hands records over in (a few more than segments in flight). */
const MAX_CIRCULATING = 12;

/** Slots of the recorder's table of words (a power of two, minus one; at most half are used),
 *  and the bytes it keeps of them. */
const WORD_MASK = 8191;
const WORD_BYTES = 256 * 1024;

/** Words a recorder sends in one epoch, about (each at most INTERN_CHARS long: under 800 KB of
 *  text): the replaying thread keeps them while records of the epoch are in flight. */
const EPOCH_WORDS = 8192;

/** Recorders made in this thread so far; with the thread's id, a recorder's own number. */
let recorders = 0;
const sourceBase = threadId * 2 ** 20;

/** The words each recorder sent, as learnWords took them in (a few recorders: the workers). */
const received = new Map<number, { epoch: number; words: string[] }>();
/** Recorders whose words are kept at once (a pool's workers, and more in tests). */
const MAX_SOURCES = 16;

/**
 * Take in the words `record` brings. Every record of a recorder must be taken in, in the order
 * it made them, whether it is replayed or not (its words are the next records' too); a worker
 * pool does it as each arrives. Replaying (opSteps) takes in a record not taken in yet, for a
 * recorder in the same thread. False: a record of the recorder's epoch was never taken in
 * (a lost one), and this one cannot be replayed.
 */
export function learnWords(record: OpRecord): boolean {
  if (record.words !== undefined) return true;
  let known = received.get(record.source);
  if (known === undefined || known.epoch !== record.epoch) known = { epoch: record.epoch, words: [] };
  // Last in the map's order: the recorder that sent nothing for longest is forgotten first.
  received.delete(record.source);
  received.set(record.source, known);
  if (received.size > MAX_SOURCES) received.delete(received.keys().next().value!);
  if (known.words.length !== record.firstWord) return false;
  for (const w of record.newWords) known.words.push(w);
  record.words = known.words;
  return true;
}

/** Replays a record into `asm` a few operations (about as many lines) at a time, or all at
 *  once (Infinity): each call replays the next `ops` and says whether the record is done.
 *  `base` is the number of lines before the segment, `file` the name events carry. */
export function opSteps(record: OpRecord, base: number, file: string): (asm: Assembler, ops: number) => boolean {
  const reader = new OpReader(record, base, file);
  return (asm, ops) => reader.replay(asm, ops);
}

type Builder = (r: OpReader) => unknown;

class OpReader implements PlainCursor {
  pi = 0;
  pn = 0;
  readonly ints: Int32Array;
  readonly nums: Float64Array;
  private readonly strings: string[];
  private readonly words: readonly string[];
  private readonly builders: Builder[];
  private readonly intCount: number;

  constructor(
    record: OpRecord,
    private readonly base: number,
    private readonly file: string,
  ) {
    if (!learnWords(record)) throw new Error("op record out of step: a record before it was lost");
    this.ints = record.ints;
    this.nums = record.nums;
    this.strings = record.strings;
    this.words = record.words!;
    this.intCount = record.intCount;
    this.builders = record.shapes.map(builderFor);
  }

  str(id: number): string {
    return id >= 0 ? this.strings[id]! : this.words[-1 - id]!;
  }

  /** Replay up to `ops` operations; whether the record is done. */
  replay(asm: Assembler, ops: number): boolean {
    const ints = this.ints;
    for (let left = ops; left > 0 && this.pi < this.intCount; left--) {
      const op = ints[this.pi++];
      switch (op) {
        case OP_EMIT:
          asm.emit(this.v() as TraceEvent);
          break;
        case OP_SYSCALL:
          asm.syscall(this.v() as SyscallEvent);
          break;
        case OP_FRAME:
          asm.frame(this.str(ints[this.pi++]!));
          break;
        case OP_START:
          asm.start(this.v() as PendingCall);
          break;
        case OP_LIGHT: {
          const line = this.base + ints[this.pi++]!;
          const c = this.lightCall();
          asm.light(c, this.lightPid, line);
          break;
        }
        case OP_LIGHT_START: {
          const line = this.base + ints[this.pi++]!;
          const name = this.str(ints[this.pi++]!);
          this.pidTime();
          asm.lightStart(this.pid, name, line, this.time);
          break;
        }
        case OP_EXITED: {
          const line = this.base + ints[this.pi++]!;
          this.pidTime();
          asm.exited(this.pid, this.time, line, this.nums[this.pn++]!);
          break;
        }
        case OP_LIGHT_RESUMED: {
          const line = this.base + ints[this.pi++]!;
          const c = this.lightCall();
          asm.lightResumed(c, this.lightPid, line);
          break;
        }
        case OP_RESUMED:
          asm.resumed(this.v() as ResumedHalf);
          break;
        case OP_THREAD_GONE:
          asm.threadGone(this.v() as number | null);
          break;
        case OP_MIGRATE: {
          const from = this.v() as number;
          asm.migrate(from, this.v() as number);
          break;
        }
        case OP_PLAIN: {
          const line = this.base + ints[this.pi++]!;
          this.pidTime();
          replayPlain(this, asm, this.file, line, this.pid, this.time);
          break;
        }
        case OP_BARE: {
          const text = this.str(ints[this.pi++]!);
          asm.bare(text, this.base + ints[this.pi++]!);
          break;
        }
        default:
          throw new Error(`corrupt op record (op ${op} at ${this.pi - 1})`);
      }
    }
    return this.pi >= this.intCount;
  }

  private lightPid: number | null = null;
  /** What pidTime read last. */
  private pid: number | null = null;
  private time: number | null = null;

  /** See OpRecorder.pidTime: into pid and time. */
  private pidTime(): void {
    const bits = this.ints[this.pi++]!;
    this.pid = bits & R_PID ? this.nums[this.pn++]! : null;
    this.time = bits & R_TIME ? this.nums[this.pn++]! : null;
  }

  /** See OpRecorder.lightCall (the line was read by the caller; the pid is left in lightPid).
   *  One object, refilled: the assembler copies what it keeps. */
  private lightCall(): LightCall {
    const ints = this.ints;
    const nums = this.nums;
    const c = this.call;
    c.name = this.str(ints[this.pi++]!);
    const bits = ints[this.pi++]!;
    this.lightPid = bits & 1 ? nums[this.pn++]! : null;
    c.time = bits & 2 ? nums[this.pn++]! : null;
    c.ret = nums[this.pn++]!;
    c.errno = bits & 4 ? this.str(ints[this.pi++]!) : null;
    c.form = FORMS[bits >> 4]!;
    c.durationUs = bits & 8 ? nums[this.pn++]! : undefined;
    return c;
  }

  private readonly call: { -readonly [K in keyof LightCall]: LightCall[K] } = { form: "complete", pid: null, time: null, name: "", ret: 0, errno: null, durationUs: undefined };

  /** The next value. */
  v(): unknown {
    const ints = this.ints;
    const tag = ints[this.pi++];
    switch (tag) {
      case T_UNDEFINED:
        return undefined;
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_INT:
        return ints[this.pi++];
      case T_LINE:
        return this.base + ints[this.pi++]!;
      case T_NUMBER:
        return this.nums[this.pn++];
      case T_STRING:
        return this.str(ints[this.pi++]!);
      case T_ARRAY: {
        const n = ints[this.pi++]!;
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = this.v();
        return a;
      }
      case T_OBJECT:
        return this.builders[ints[this.pi++]!]!(this);
      case T_CUT_BEFORE:
        return CUT_BEFORE;
      case T_ELLIPSIS:
        return ELLIPSIS;
      case T_NO_ARGS:
        return NO_ARGS;
      default:
        throw new Error(`corrupt op record (tag ${tag} at ${this.pi - 1})`);
    }
  }
}

/** Builders by key list, shared by every record: an object literal per shape, so decoded
 *  objects get the same layout (and key order) as the ones the reader made. */
const builderCache = new Map<string, Builder>();

function builderFor(keys: readonly string[]): Builder {
  const shape = keys.join(",");
  let b = builderCache.get(shape);
  if (b === undefined) {
    const plain = keys.every((k) => /^[A-Za-z_$][\w$]*$/.test(k));
    b = plain
      ? (new Function("r", `return { ${keys.map((k) => `${k}: r.v()`).join(", ")} };`) as Builder)
      : (r) => {
          const o: Record<string, unknown> = {};
          for (const k of keys) o[k] = r.v();
          return o;
        };
    builderCache.set(shape, b);
  }
  return b;
}
