// Splits a byte stream into batches of complete lines: the one seam every input goes through.
// Chunks stay at 64 KiB (larger string chunks decode slower); no per-line await.
import { StringDecoder } from "node:string_decoder";
import { CHUNK_BYTES } from "./byte-source.js";

export interface LineBatch {
  /** Physical lines without their "\n" (a trailing "\r" is removed too). */
  readonly lines: string[];
  /** 1-based number of the first line in `lines`. */
  readonly firstLine: number;
}

/** A line longer than this is cut to this many characters and reported: one runaway line
 * (a binary blob, a `-s 1000000` dump) must not hold the whole input in memory. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** A copy of `text` that keeps nothing else alive: a line is a slice of the chunk it was cut
 *  from, and a slice kept for long (a sample line, a file's first line) keeps the whole chunk
 *  (an -ff set of 9,200 files held 40 MB of chunks for their first lines alone). */
export function ownText(text: string): string {
  // V8 copies a substring shorter than 13 characters rather than slice it (most syscall names).
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/** The first line of `lines` with more than blanks in it (ownText: it is kept), or null. */
export function firstLineOf(lines: readonly string[]): string | null {
  const line = lines.find((l) => l.trim() !== "");
  return line === undefined ? null : ownText(line);
}

export interface LineSplitEvents {
  /** A line was longer than MAX_LINE_CHARS and was cut. */
  onLongLine?(line: number, chars: number): void;
  /** The input ended without a newline after its last line (strace killed, a file cut short). */
  onUnterminated?(line: number, text: string): void;
}

/** Incremental splitter: feed decoded text, get batches of whole lines. */
export class LineSplitter {
  #partial = "";
  #partialTooLong = 0;
  #nextLine = 1;
  readonly #events: LineSplitEvents;

  /** `firstLine`: the number of the first line it will hand out. */
  constructor(events: LineSplitEvents = {}, firstLine = 1) {
    this.#events = events;
    this.#nextLine = firstLine;
  }

  /** Lines completed by `text`, or null when none is complete yet. */
  push(text: string): LineBatch | null {
    const lines: string[] = [];
    let start = 0;
    let nl = text.indexOf("\n");
    if (nl < 0) {
      this.#appendPartial(text);
      return null;
    }
    // The first line completes whatever was pending from the previous chunk.
    this.#appendPartial(text.slice(0, nl));
    lines.push(this.#takeLine(this.#partial, this.#nextLine));
    this.#partial = "";
    start = nl + 1;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      lines.push(this.#takeLine(text.slice(start, nl), this.#nextLine + lines.length));
      start = nl + 1;
    }
    this.#appendPartial(text.slice(start));
    const firstLine = this.#nextLine;
    this.#nextLine += lines.length;
    return { lines, firstLine };
  }

  /** The unterminated last line, if any (a trace cut mid-line still has its last words). */
  end(): LineBatch | null {
    if (this.#partial.length === 0 && this.#partialTooLong === 0) return null;
    const line = this.#takeLine(this.#partial, this.#nextLine);
    this.#partial = "";
    this.#events.onUnterminated?.(this.#nextLine, line);
    const batch = { lines: [line], firstLine: this.#nextLine };
    this.#nextLine += 1;
    return batch;
  }

  /** The number the next line will get. */
  get nextLine(): number {
    return this.#nextLine;
  }

  #appendPartial(text: string): void {
    if (text.length === 0) return;
    if (this.#partialTooLong > 0) {
      this.#partialTooLong += text.length;
      return;
    }
    if (this.#partial.length + text.length > MAX_LINE_CHARS) {
      this.#partialTooLong = this.#partial.length + text.length;
      this.#partial = (this.#partial + text).slice(0, MAX_LINE_CHARS);
      return;
    }
    this.#partial += text;
  }

  #takeLine(raw: string, lineNo: number): string {
    let line = raw;
    if (this.#partialTooLong > 0 || line.length > MAX_LINE_CHARS) {
      const total = this.#partialTooLong > 0 ? this.#partialTooLong : line.length;
      this.#events.onLongLine?.(lineNo, total);
      line = line.slice(0, MAX_LINE_CHARS);
      this.#partialTooLong = 0;
    }
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    return line;
  }
}

/** The lines of `bytes` (whole lines, but for an unterminated last one that stays in the
 *  splitter), decoded CHUNK_BYTES at a time: a string of 128 KiB or more is a large object to
 *  V8, whose allocation cost 20x the decoding itself (measured on 128 KiB segments). */
export function splitBytes(bytes: Uint8Array, splitter: LineSplitter): (LineBatch | null)[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new StringDecoder("utf8");
  const batches: (LineBatch | null)[] = [];
  for (let at = 0; at < buf.length; at += CHUNK_BYTES) {
    batches.push(splitter.push(decoder.write(buf.subarray(at, Math.min(buf.length, at + CHUNK_BYTES)))));
  }
  const rest = decoder.end();
  if (rest !== "") batches.push(splitter.push(rest));
  return batches;
}

/** Reads a byte stream as UTF-8 text (invalid bytes become U+FFFD, never an error) and yields
 * batches of lines, numbered from `firstLine`. */
export async function* readLineBatches(
  chunks: AsyncIterable<Buffer | string>,
  events: LineSplitEvents = {},
  firstLine = 1,
): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder("utf8");
  const splitter = new LineSplitter(events, firstLine);
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    const batch = splitter.push(text);
    if (batch) yield batch;
  }
  const rest = decoder.end();
  if (rest) {
    const batch = splitter.push(rest);
    if (batch) yield batch;
  }
  const last = splitter.end();
  if (last) yield last;
}
