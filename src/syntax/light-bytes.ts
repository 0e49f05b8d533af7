// The fast path's scan (light-call.ts) over the bytes of a line, for a parse worker: the same
// anchored leader and end, read without decoding the line into a string. It takes a strict
// subset of what lightCall takes (plain ASCII leaders and ends, decimal or short hex returns,
// of exit lines only `+++ exited with N +++`) and gives exactly lightCall's result for it;
// anything else is left to the string path, where lightCall and the grammar decide. A test
// holds the two scans together.
import { Ch, isDigit as digitCode, isLowerHex as lowerHexCode, latin1, POW10 } from "./char-codes.js";
import type { LightCall } from "./light-call.js";

// The character classes as module constants (see char-codes.ts).
const isDigit = digitCode;
const isLowerHex = lowerHexCode;

/** A light call read from bytes: one object, refilled for every line (no allocation). */
export interface LightScan {
  /** exit: a `+++ exited with N +++` line (N in `ret`, no name). */
  form: "complete" | "unfinished" | "resumed" | "exit";
  pid: number | null;
  /** NaN when the line has none (scanTime reads it as the LightCall's). A field that may hold
   *  null holds each time in a new heap number, and storing that into this long-lived object
   *  costs a write barrier's slow path: 1.5 per line, about 1% of a worker's instructions. */
  time: number;
  /** Where the syscall name lies in the line's bytes (the caller interns it). */
  nameStart: number;
  nameEnd: number;
  ret: number;
  /** Where the errno lies (errnoStart < 0: none). */
  errnoStart: number;
  errnoEnd: number;
  /** -T duration in microseconds, or -1 when absent. */
  durationUs: number;
  /** Set when the scan was refused because the call's arguments are needed: lightCall would
   *  refuse the decoded line too (its leader reads the same; the name decides). */
  argsNeeded: boolean;
  /** When argsNeeded: the leaders as read, for the plain scan to go on from the name
   *  (plain-bytes.ts). `nameAt` is where the name (or `<...`) begins; -1 for leaders the plain
   *  scan leaves to the string path (an epoch below 1e8). */
  nameAt: number;
  bracketedPid: boolean;
  comm: boolean;
  stamp: "t" | "tt" | "ttt" | "r" | null;
  stampDigits: number;
  sysno: boolean;
  ip: boolean;
}

export function newLightScan(): LightScan {
  return {
    form: "complete",
    pid: null,
    time: NaN,
    nameStart: 0,
    nameEnd: 0,
    ret: 0,
    errnoStart: -1,
    errnoEnd: -1,
    durationUs: -1,
    argsNeeded: false,
    nameAt: -1,
    bracketedPid: false,
    comm: false,
    stamp: null,
    stampDigits: 0,
    sysno: false,
    ip: false,
  };
}

const UNFINISHED = Buffer.from(" <unfinished ...>", "latin1");
const EXITED = Buffer.from("+++ exited with ", "latin1");
const EXIT_END = Buffer.from(" +++", "latin1");
const RESUMED_OPEN = Buffer.from("<... ", "latin1");
const RESUMED_CLOSE = Buffer.from(" resumed>", "latin1");

/** A scan's time (LightScan, PlainRecord) as events carry it: null for none. */
export function scanTime(time: number): number | null {
  return Number.isNaN(time) ? null : time;
}

/** The LightCall lightCall makes of the line `sc` read (not an exit line), named `name` (the
 *  name table's last), its errno interned in `errnos`. A new object each time, with every field
 *  (durationUs undefined when the line has none): one refilled object lived long, so each store
 *  of a time (a new heap number) into it took the write barrier's slow path, and deleting its
 *  durationUs changed its shape at every other line; a new one cost the worker's scan of a 30 MB
 *  cut 1.9% fewer instructions (4,575M -> 4,486M). */
export function scannedLightCall(sc: LightScan, name: string, errnos: WordTable, b: Uint8Array): LightCall {
  return {
    form: sc.form,
    pid: sc.pid,
    time: scanTime(sc.time),
    name,
    ret: sc.ret,
    errno: sc.errnoStart >= 0 ? errnos.get(b, sc.errnoStart, sc.errnoEnd) : null,
    durationUs: sc.durationUs >= 0 ? sc.durationUs : undefined,
  };
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || c === 0x5f || (c >= 0x30 && c <= 0x39);
}

function matchAt(b: Uint8Array, at: number, end: number, what: Uint8Array): boolean {
  if (at + what.length > end) return false;
  for (let i = 0; i < what.length; i++) if (b[at + i] !== what[i]) return false;
  return true;
}

/** After a -Y comm at i (`<nginx>` after a pid), or -1 when there is none or it is one the scans
 *  leave to the grammar: printable ASCII but `"`, `<`, `>`, `\\` and `]`, no `->` or `...`,
 *  not starting with a digit or a dot and not `unavailable` (the lexer's marks, `<12>`,
 *  `<unavailable>`, `<... x resumed>`, `<detached ...>`, would take those). The same as COMM in
 *  light-call.ts. */
function commEnd(b: Uint8Array, i: number, end: number): number {
  const first = b[i + 1]!;
  if (b[i] !== Ch.LT || isDigit(first) || first === Ch.DOT) return -1;
  for (let k = i + 1; k < end; k++) {
    const c = b[k]!;
    if (c === Ch.GT) {
      if (k === i + 12 && matchAt(b, i + 1, k, UNAVAILABLE)) return -1;
      return k + 1;
    }
    if (c < Ch.SPACE || c > 0x7e || c === Ch.QUOTE || c === Ch.LT || c === Ch.BACKSLASH || c === Ch.RBRACKET) return -1;
    if (c === Ch.MINUS && b[k + 1] === Ch.GT) return -1;
    if (c === Ch.DOT && b[k + 1] === Ch.DOT && b[k + 2] === Ch.DOT) return -1;
  }
  return -1;
}

const UNAVAILABLE = Buffer.from("unavailable", "latin1");

/** After an -n syscall number at i (`[  59] `: spaces first, or 4 digits at most, as the grammar
 *  tells it from an address) and its space; i when there is none. */
function sysnoEnd(b: Uint8Array, i: number, end: number): number {
  if (b[i] !== 0x5b) return i;
  let k = i + 1;
  while (k < end && b[k] === Ch.SPACE) k++;
  const d = k;
  while (k < end && isDigit(b[k]!)) k++;
  if (k === d || (d === i + 1 && k - d > 4) || b[k] !== 0x5d || b[k + 1] !== Ch.SPACE) return i;
  return k + 2;
}

/** After an -i instruction pointer at i (`[00007f98d4506ad7] `: 8 or 16 hex digits, or as many
 *  `?`s) and its space; i when there is none. */
function ipEnd(b: Uint8Array, i: number, end: number): number {
  if (b[i] !== 0x5b) return i;
  let k = i + 1;
  if (b[k] === 0x3f /* ? */) while (k < end && b[k] === 0x3f) k++;
  else while (k < end && isLowerHex(b[k]!)) k++;
  const n = k - i - 1;
  if ((n !== 8 && n !== 16) || b[k] !== 0x5d || b[k + 1] !== Ch.SPACE) return i;
  return k + 2;
}

/** A decimal of `digits` digits from `at` as a double: exact below 2^53 (15 digits). */
function decimal(b: Uint8Array, at: number, end: number): number {
  let v = 0;
  for (let i = at; i < end; i++) v = v * 10 + (b[i]! - 0x30);
  return v;
}

/**
 * The light call in b[start, end) (the line without its newline or a trailing `\r`), when
 * lightCall would take the same text and the syscall is one `isLight` accepts by name (given
 * as its bytes' range); false to leave the line to the string path. `out` is refilled.
 */
export function scanLightBytes(
  b: Uint8Array,
  start: number,
  end: number,
  isLight: (b: Uint8Array, from: number, to: number) => boolean,
  out: LightScan,
): boolean {
  out.argsNeeded = false;
  let i = start;
  let c = b[i];
  // `[pid N] ` or a bare pid of 1-7 digits followed by spaces (another `[` may be an -n number).
  let pid: number | null = null;
  let bracketed = false;
  let comm = false;
  if (c === 0x5b && b[i + 1] === 0x70) {
    if (b[i + 2] !== 0x69 || b[i + 3] !== 0x64 || b[i + 4] !== Ch.SPACE) return false;
    i += 5;
    while (b[i] === Ch.SPACE) i++;
    const d = i;
    let v = 0;
    for (let x; i < end && (x = b[i]!) >= 0x30 && x <= 0x39; i++) v = v * 10 + (x - 0x30);
    if (i === d || i - d > 15) return false;
    pid = v;
    comm = b[i] === Ch.LT;
    if (comm && (i = commEnd(b, i, end)) < 0) return false;
    if (b[i] !== 0x5d || b[i + 1] !== Ch.SPACE) return false;
    i += 2;
    bracketed = true;
  } else if (isDigit(c!) && !(b[i + 2] === 0x3a && isDigit(b[i + 1]!))) {
    const d = i;
    let v = 0;
    for (let x; i < end && (x = b[i]!) >= 0x30 && x <= 0x39; i++) v = v * 10 + (x - 0x30);
    if (i - d <= 7 && (b[i] === Ch.SPACE || b[i] === Ch.LT)) {
      pid = v;
      comm = b[i] === Ch.LT;
      if (comm && ((i = commEnd(b, i, end)) < 0 || b[i] !== Ch.SPACE)) return false;
      while (b[i] === Ch.SPACE) i++;
    } else i = d; // not a pid: an epoch, perhaps
  }
  // An optional `HH:MM:SS[.frac] ` clock, or a `-ttt` epoch or `-r` offset (`\d+\.\d+ `).
  let time = NaN;
  let stamp: LightScan["stamp"] = null;
  let stampDigits = 0;
  /** The plain scan leaves an epoch below 1e8 to the string path. */
  let plainLeads = true;
  c = b[i];
  if (isDigit(c!)) {
    if (
      !(isDigit(b[i + 1]!) && b[i + 2] === 0x3a && isDigit(b[i + 3]!) && isDigit(b[i + 4]!) && b[i + 5] === 0x3a && isDigit(b[i + 6]!) && isDigit(b[i + 7]!))
    ) {
      const d = i;
      let whole = 0;
      for (let x; i < end && (x = b[i]!) >= 0x30 && x <= 0x39; i++) whole = whole * 10 + (x - 0x30);
      if (i === d || b[i] !== 0x2e) return false;
      const dot = i++;
      let frac = 0;
      for (let x; i < end && (x = b[i]!) >= 0x30 && x <= 0x39; i++) frac = frac * 10 + (x - 0x30);
      const fracDigits = i - dot - 1;
      if (fracDigits < 1 || fracDigits > 15 || b[i] !== Ch.SPACE) return false;
      // +"S.F" is the double nearest S.F; so is SF / 10^|F| when SF is exact (one rounding).
      const scaled = whole * POW10[fracDigits]! + frac;
      if (!Number.isSafeInteger(scaled) || i - d - 1 > 16) return false;
      time = scaled / POW10[fracDigits]!;
      // An epoch (-ttt) has 9 digits or more before the dot, else an offset (-r).
      stamp = dot - d >= 9 ? "ttt" : "r";
      stampDigits = fracDigits;
      plainLeads = stamp === "r" || time >= 1e8;
      i++;
      c = -1;
    }
  }
  if (c !== -1 && isDigit(c!)) {
    const whole = ((b[i]! - 48) * 10 + b[i + 1]! - 48) * 3600 + ((b[i + 3]! - 48) * 10 + b[i + 4]! - 48) * 60 + (b[i + 6]! - 48) * 10 + b[i + 7]! - 48;
    i += 8;
    if (b[i] === 0x2e) {
      const d = ++i;
      let frac = 0;
      for (let x; i < end && (x = b[i]!) >= 0x30 && x <= 0x39; i++) frac = frac * 10 + (x - 0x30);
      const digits = i - d;
      // clockSeconds' own arithmetic: the fraction's digits over a power of ten, both exact.
      if (digits < 1 || digits > 15) return false;
      time = whole + frac / POW10[digits]!;
      stamp = "tt";
      stampDigits = digits;
    } else {
      time = whole;
      stamp = "t";
    }
    if (b[i] !== Ch.SPACE) return false;
    i++;
  }
  // -n and -i, in strace's order.
  let sysno = false;
  let ip = false;
  if (b[i] === 0x5b) {
    const afterSysno = sysnoEnd(b, i, end);
    const afterIp = ipEnd(b, afterSysno, end);
    sysno = afterSysno !== i;
    ip = afterIp !== afterSysno;
    i = afterIp;
  }
  const nameAt = i;
  // `name(` or `<... name resumed>`.
  let form: LightScan["form"];
  c = b[i];
  let nameStart: number;
  let nameEnd: number;
  if (isNameStart(c!)) {
    nameStart = i;
    while (i < end && isNameChar(b[i]!)) i++;
    nameEnd = i;
    if (b[i] !== 0x28) return false;
    form = "complete";
  } else if (c === 0x3c && matchAt(b, i, end, RESUMED_OPEN)) {
    i += RESUMED_OPEN.length;
    if (!isNameStart(b[i]!)) return false;
    nameStart = i;
    while (i < end && isNameChar(b[i]!)) i++;
    nameEnd = i;
    if (!matchAt(b, i, end, RESUMED_CLOSE)) return false;
    i += RESUMED_CLOSE.length;
    form = "resumed";
  } else if (c === 0x2b /* + */) return exitedLine(b, i, end, pid, time, out);
  else return false;
  const headEnd = i;
  if (!isLight(b, nameStart, nameEnd)) {
    out.argsNeeded = true;
    out.pid = pid;
    out.time = time;
    out.nameAt = plainLeads ? nameAt : -1;
    out.bracketedPid = bracketed;
    out.comm = comm;
    out.stamp = stamp;
    out.stampDigits = stampDigits;
    out.sysno = sysno;
    out.ip = ip;
    return false;
  }

  // The end: `) = ret[ ERRNO (text)][ <dur>]`, or ` <unfinished ...>` after a call's head.
  let e = end;
  let durationUs = -1;
  if (b[e - 1] === 0x3e /* > */ && isDigit(b[e - 2]!)) {
    // ` <D[.D]>`
    let k = e - 2;
    while (k > headEnd && isDigit(b[k]!)) k--;
    let intEnd = e - 1;
    let fracDigits = 0;
    if (b[k] === 0x2e) {
      fracDigits = e - 2 - k;
      intEnd = k;
      k--;
      if (!isDigit(b[k]!)) return false;
      while (k > headEnd && isDigit(b[k]!)) k--;
    }
    if (b[k] === 0x3c && b[k - 1] === Ch.SPACE) {
      const intDigits = intEnd - (k + 1);
      if (intDigits + fracDigits > 15) return false;
      const scaled = fracDigits > 0 ? decimal(b, k + 1, intEnd) * POW10[fracDigits]! + decimal(b, intEnd + 1, e - 1) : decimal(b, k + 1, intEnd);
      // +"I.F" is the double nearest I.F, as is scaled / 10^F (both exact, one rounding).
      durationUs = (scaled / POW10[fracDigits]!) * 1e6;
      e = k - 1;
    } else return false;
  } else if (form === "complete" && matchEnd(b, headEnd, end, UNFINISHED)) {
    fill(out, "unfinished", pid, time, nameStart, nameEnd, 0, -1, -1, -1);
    return true;
  }
  // `ERRNO (text)` before the duration: `(text)` holds no parenthesis.
  let errnoStart = -1;
  let errnoEnd = -1;
  if (b[e - 1] === 0x29 /* ) */) {
    let k = e - 2;
    while (k > headEnd && b[k] !== 0x28 && b[k] !== 0x29) k--;
    if (b[k] !== 0x28 || b[k - 1] !== Ch.SPACE) return false;
    errnoEnd = k - 1;
    let j = errnoEnd - 1;
    while (j > headEnd && ((b[j]! >= 0x41 && b[j]! <= 0x5a) || isDigit(b[j]!) || b[j] === 0x5f)) j--;
    // `E[A-Z0-9_]+`: an E and at least one more.
    if (b[j + 1] !== 0x45 /* E */ || errnoEnd - (j + 1) < 2 || b[j] !== Ch.SPACE) return false;
    errnoStart = j + 1;
    e = j;
  }
  // `) = ret`: ret is -?\d+ or 0x[0-9a-f]+.
  let k = e - 1;
  while (k > headEnd && (isLowerHex(b[k]!) || b[k] === 0x78)) k--;
  const retStart = k + 1;
  let neg = false;
  if (b[k] === 0x2d) {
    neg = true;
    k--;
  }
  if (b[k] !== Ch.SPACE || b[k - 1] !== 0x3d /* = */ || b[k - 2] !== Ch.SPACE) return false;
  let ret: number;
  const len = e - retStart;
  if (len === 0) return false;
  if (len > 2 && b[retStart] === 0x30 && b[retStart + 1] === 0x78) {
    if (neg || len - 2 > 13) return false;
    ret = 0;
    for (let p = retStart + 2; p < e; p++) {
      const h = b[p]!;
      if (h === 0x78) return false;
      ret = ret * 16 + (h <= 0x39 ? h - 0x30 : h - 0x57);
    }
  } else {
    // Plain decimal without a leading zero (intValue reads those as octal); "0" itself is fine.
    if (len > 15 || (b[retStart] === 0x30 && len > 1)) return false;
    ret = 0;
    for (let p = retStart; p < e; p++) {
      const x = b[p]!;
      if (x < 0x30 || x > 0x39) return false;
      ret = ret * 10 + (x - 0x30);
    }
    if (neg) {
      if (ret === 0) return false;
      ret = -ret;
    }
  }
  // `) +=`: one or more spaces before the `=`, after a `)` that lies past the head (lightCall's
  // check that the end does not overlap the leader).
  let p = k - 3;
  if (p < headEnd) return false;
  while (p > headEnd && b[p] === Ch.SPACE) p--;
  if (b[p] !== 0x29) return false;
  fill(out, form, pid, time, nameStart, nameEnd, ret, errnoStart, errnoEnd, durationUs);
  return true;
}

/** `+++ exited with N +++` from `at` to the end, N a decimal as JavaScript prints it (no
 *  leading zero, no `-0`, at most 9 digits): what lightCall and the exit reader make of it is
 *  then the text `exited with ${N}`. Other `+++` lines are left to the string path. */
function exitedLine(b: Uint8Array, at: number, end: number, pid: number | null, time: number, out: LightScan): boolean {
  if (!matchAt(b, at, end, EXITED) || !matchEnd(b, at, end, EXIT_END)) return false;
  let i = at + EXITED.length;
  const neg = b[i] === 0x2d;
  if (neg) i++;
  const d = i;
  const e = end - EXIT_END.length;
  while (i < e && isDigit(b[i]!)) i++;
  const digits = i - d;
  if (i !== e || digits === 0 || digits > 9 || (b[d] === 0x30 && (digits > 1 || neg))) return false;
  const code = decimal(b, d, i);
  fill(out, "exit", pid, time, -1, -1, neg ? -code : code, -1, -1, -1);
  return true;
}

function matchEnd(b: Uint8Array, headEnd: number, end: number, what: Uint8Array): boolean {
  return end - what.length >= headEnd && matchAt(b, end - what.length, end, what);
}

function fill(
  out: LightScan,
  form: LightScan["form"],
  pid: number | null,
  time: number,
  nameStart: number,
  nameEnd: number,
  ret: number,
  errnoStart: number,
  errnoEnd: number,
  durationUs: number,
): void {
  out.form = form;
  out.pid = pid;
  out.time = time;
  out.nameStart = nameStart;
  out.nameEnd = nameEnd;
  out.ret = ret;
  out.errnoStart = errnoStart;
  out.errnoEnd = errnoEnd;
  out.durationUs = durationUs;
}

/** Short ASCII words met in bytes (syscall names, errnos), as strings: one hash of a few bytes
 *  and a comparison instead of a new string each time. An open-addressing table of ids. */
export class WordTable {
  readonly words: string[] = [];
  private readonly ids = new Int32Array(WORD_SLOTS).fill(-1);
  private readonly hashes = new Int32Array(WORD_SLOTS);
  /** The id of the last word found (for tables of facts about words). */
  lastId = -1;

  get(b: Uint8Array, from: number, to: number): string {
    let h = 0x811c9dc5 ^ (to - from);
    for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    let slot = h & (WORD_SLOTS - 1);
    for (let probe = 0; probe < 16; probe++) {
      const id = this.ids[slot]!;
      if (id < 0) break;
      if (this.hashes[slot] === h && sameBytes(this.words[id]!, b, from, to)) {
        this.lastId = id;
        return this.words[id]!;
      }
      slot = (slot + 1) & (WORD_SLOTS - 1);
    }
    const word = latin1(b, from, to);
    if (this.ids[slot] === -1 && this.words.length < WORD_SLOTS / 2) {
      this.ids[slot] = this.words.length;
      this.hashes[slot] = h;
      this.lastId = this.words.length;
      this.words.push(word);
    } else this.lastId = -1;
    return word;
  }
}

/** Slots of a WordTable (a power of two; at most half are used). */
const WORD_SLOTS = 8192;

/** Syscall names with whether the fast path skips their arguments. */
export class NameTable {
  private readonly words = new WordTable();
  /** By word id: 1 light, 2 not, 0 not yet asked. */
  private readonly light = new Uint8Array(WORD_SLOTS);
  /** The name of the last range isLight looked at, and its id here (-1: none; ids stay). */
  last = "";
  lastId = -1;

  constructor(private readonly needsArgs: (name: string) => boolean) {}

  /** Whether the call named by b[from, to) is one lightCall takes (its arguments unneeded; not
   *  restart_syscall, which resumes a call whose arguments may be needed). Sets `last`. */
  readonly isLight = (b: Uint8Array, from: number, to: number): boolean => {
    const name = this.words.get(b, from, to);
    this.last = name;
    const id = this.words.lastId;
    this.lastId = id;
    const known = id >= 0 ? this.light[id]! : 0;
    if (known !== 0) return known === 1;
    const light = !this.needsArgs(name) && name !== "restart_syscall";
    if (id >= 0) this.light[id] = light ? 1 : 2;
    return light;
  };
}

function sameBytes(s: string, b: Uint8Array, from: number, to: number): boolean {
  if (s.length !== to - from) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[from + i]) return false;
  return true;
}
