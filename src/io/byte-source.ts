// Opens one input (a file or stdin) as a stream of byte chunks, unpacking gzip found by its
// magic bytes (not by the name, and twice-gzipped logs too), and refusing binary formats with
// a message that names them.
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { once } from "node:events";
import { constants as zlibConstants, createGunzip, gunzipSync } from "node:zlib";
import { threadedPipe } from "./pipe-reader.js";
import { sniff } from "./sniff.js";

export const CHUNK_BYTES = 64 * 1024;
const MAX_GZIP_LAYERS = 3;

/** A readable input. `chunks` may be iterated once; a read error ends it and is reported
 * through `failure` (partial data already yielded stays valid). */
export interface ByteSource {
  readonly name: string;
  /** Size on disk (compressed size for gzip), null for stdin. */
  readonly size: number | null;
  readonly chunks: AsyncIterable<Buffer>;
  /** Raw bytes consumed so far (before unpacking): for progress. */
  readonly bytesRead: () => number;
  /** Set once the stream ended early: why, and how many unpacked bytes had been read. */
  readonly failure: () => SourceFailure | null;
  /** gzip layers unpacked (known after the first chunk). */
  readonly gzipLayers: () => number;
}

export interface SourceFailure {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** Thrown inside the chunk iterator when the content is a binary format; caught by the reader. */
export class NotTextError extends Error {
  constructor(readonly looksLike: string) {
    super(`looks like ${looksLike}`);
  }
}

/** `readBytes`: what a regular file is read (and handed on) at a time; smaller keeps less of
 *  it in memory at once (the files of an -ff set read side by side). */
export function fileSource(path: string, size: number | null, display = path, readBytes = FILE_READ_BYTES): ByteSource {
  return makeSource(display, size, () => fileChunks(path, readBytes));
}

export function streamSource(name: string, stream: AsyncIterable<Buffer | string>): ByteSource {
  return makeSource(name, null, () => stream);
}

/** Bytes read from a regular file at once. A read stream's 64 KiB reads cost 2.5 ms per MB
 *  here (a thread-pool round trip and a fresh buffer each); direct 256 KiB reads 0.2 ms. */
const FILE_READ_BYTES = 256 * 1024;
/** The read after a short one: usually it finds the end. */
const END_PROBE_BYTES = 4096;
/** Reads between two turns of the event loop (signals, timers, workers' messages). */
const READS_PER_TURN = 8;

/** A regular file read directly, `readBytes` at a time and handed on in CHUNK_BYTES pieces at
 *  most (each read into a fresh buffer: consumers may keep pieces); anything else as
 *  otherChunks reads it. */
async function* fileChunks(path: string, readBytes: number): AsyncGenerator<Buffer> {
  const file = openRegular(path);
  if (file === null) {
    yield* otherChunks(path);
    return;
  }
  try {
    // A small file gets a buffer of its size (an -ff set may hold thousands of them, and as
    // many 256 KiB buffers kept the garbage collector busy); after a short read, most likely the
    // end, a small one asks whether the file has grown.
    let want = Math.min(readBytes, file.size + 1);
    for (let reads = 1; ; reads++) {
      const buf = Buffer.allocUnsafe(want);
      const n = readSync(file.fd, buf, 0, want, null);
      if (n === 0) return;
      for (let at = 0; at < n; at += CHUNK_BYTES) yield buf.subarray(at, Math.min(n, at + CHUNK_BYTES));
      want = n === want ? readBytes : Math.min(readBytes, END_PROBE_BYTES);
      if (reads % READS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(file.fd);
  }
}

/** A regular file opened and sized on this thread (each step through the thread pool cost a set
 *  of thousands of short -ff files a third of its run); null for anything else, which is not
 *  opened here: opening a FIFO, even to close it at once, would let a writer waiting in its
 *  open (strace -o FIFO) go on and write to no reader. */
function openRegular(path: string): { fd: number; size: number } | null {
  if (!statSync(path).isFile()) return null;
  const fd = openSync(path, "r");
  let size = -1;
  try {
    const st = fstatSync(fd);
    if (st.isFile()) size = st.size;
  } finally {
    if (size < 0) closeSync(fd);
  }
  return size < 0 ? null : { fd, size };
}

/** A FIFO on a thread of its own; a character device through a read stream. */
async function* otherChunks(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, "r");
  try {
    const stat = await handle.stat();
    const pipe = stat.isFIFO() ? threadedPipe(handle.fd) : null;
    try {
      yield* pipe ?? (handle.createReadStream({ highWaterMark: CHUNK_BYTES, autoClose: false }) as AsyncIterable<Buffer>);
    } finally {
      pipe?.close();
    }
  } finally {
    await handle.close();
  }
}

/** Bytes headText reads: a few lines of text, or of gzip to unpack. */
const HEAD_BYTES = 4096;
/** What those bytes may unpack to, at most (text compresses about 10 to 1). */
const HEAD_UNPACKED_MAX = 1024 * 1024;

/** The start of a file's text (gzip unpacked as far as these bytes go), read without keeping
 *  the file open: an -ff set of thousands of files is peeked at this way. null when the file
 *  cannot be read or is not text (reading it for real reports why). */
export async function headText(path: string): Promise<string | null> {
  let buf: Buffer;
  try {
    // Only a regular file can be read twice: a FIFO would lose what the peek took (or block).
    const file = openRegular(path);
    if (file === null) return null;
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      buf = head.subarray(0, readSync(file.fd, head, 0, HEAD_BYTES, 0));
    } finally {
      closeSync(file.fd);
    }
  } catch {
    return null;
  }
  for (let layers = 0; ; layers++) {
    const kind = sniff(buf);
    if (kind.kind === "text") return buf.toString("latin1");
    if (kind.kind === "binary" || layers === MAX_GZIP_LAYERS) return null;
    const unpacked = unpackHead(buf);
    if (unpacked === null) return null;
    buf = unpacked;
  }
}

/** The first HEAD_BYTES that a cut gzip stream unpacks to (a sync flush unpacks as far as the
 *  input goes instead of failing). What it may unpack to is bounded: when the bytes unpack to
 *  more (very repetitive text, or a gzip bomb), fewer of them are tried. */
function unpackHead(gz: Buffer): Buffer | null {
  for (let n = gz.length; n >= 32; n >>= 3) {
    try {
      return gunzipSync(gz.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: HEAD_UNPACKED_MAX }).subarray(0, HEAD_BYTES);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE") return null;
    }
  }
  return null;
}

function makeSource(
  name: string,
  size: number | null,
  open: () => AsyncIterable<Buffer | string>,
): ByteSource {
  let bytesRead = 0;
  let failure: SourceFailure | null = null;
  let layers = 0;
  let unpackedBytes = 0;

  async function* raw(): AsyncGenerator<Buffer> {
    for await (const chunk of open()) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      bytesRead += buf.length;
      yield buf;
    }
  }

  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      let source: AsyncIterable<Buffer> = raw();
      for (;;) {
        const [head, rest, close] = await peek(source);
        if (head === null) return;
        const kind = sniff(head);
        if (kind.kind === "binary") {
          // Refused: the layers under this one (and the file) are closed before saying so.
          await close();
          throw new NotTextError(kind.looksLike);
        }
        if (kind.kind === "gzip" && layers < MAX_GZIP_LAYERS) {
          layers++;
          source = gunzip(rest);
          continue;
        }
        for await (const c of rest) {
          unpackedBytes += c.length;
          yield c;
        }
        return;
      }
    } catch (err) {
      if (err instanceof NotTextError) throw err;
      failure = describeFailure(err, layers, unpackedBytes);
    }
  }

  return {
    name,
    size,
    chunks: { [Symbol.asyncIterator]: () => chunks() },
    bytesRead: () => bytesRead,
    failure: () => failure,
    gzipLayers: () => layers,
  };
}

/** What to do about a trace one may not read: most often it was written under sudo. */
export const PERMISSION_HINT = "a trace written under sudo belongs to root: `sudo chown $USER FILE`, or read it with sudo";

function describeFailure(err: unknown, layers: number, unpacked: number): SourceFailure {
  const e = err as NodeJS.ErrnoException;
  if (layers > 0 && (e.code === "Z_BUF_ERROR" || /unexpected end/i.test(String(e.message)))) {
    return {
      code: "SR004",
      message: `gzip data ends early: the file is truncated after ${unpacked.toLocaleString("en-US")} unpacked bytes`,
      hint: "everything before that point was analysed; copy the whole file again if you can",
    };
  }
  if (layers > 0 && typeof e.code === "string" && e.code.startsWith("Z_")) {
    return {
      code: "SR005",
      message: `gzip data is corrupt (${e.message}) after ${unpacked.toLocaleString("en-US")} unpacked bytes`,
      hint: "everything before that point was analysed",
    };
  }
  if (e.code === "EACCES" || e.code === "EPERM") {
    return {
      code: "SR006",
      message: "read failed: permission denied",
      hint: PERMISSION_HINT,
    };
  }
  if (e.code === "EMFILE" || e.code === "ENFILE") {
    return {
      code: "SR006",
      message: `read failed: too many files open at once (${e.code})`,
      hint: "an -ff set is read with the files of all the processes alive at once open: raise the limit (ulimit -n)",
    };
  }
  return {
    code: "SR006",
    message: `read failed: ${e.message ?? String(err)}`,
  };
}

/** The first chunk, an iterable of all chunks (the first included), and how to close the
 *  source when that iterable is not read to its end (a reader that stops early closes it too). */
async function peek(
  source: AsyncIterable<Buffer>,
): Promise<[Buffer | null, AsyncIterable<Buffer>, () => Promise<void>]> {
  const it = source[Symbol.asyncIterator]();
  const close = async () => void (await it.return?.());
  const first = await it.next();
  if (first.done) return [null, source, close];
  const head = first.value;
  /** The first chunk, until it is handed on: not kept while the rest is read. */
  let held: Buffer | null = head;
  const all = (async function* () {
    try {
      const h = held!;
      held = null;
      yield h;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await close();
    }
  })();
  return [head, all, close];
}

async function* gunzip(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gz = createGunzip({ chunkSize: CHUNK_BYTES });
  /** Aborted when the reader stops early: the feeder leaves its wait and closes the input. */
  const stopped = new AbortController();
  let feedError: unknown = null;
  const feeding = (async () => {
    try {
      for await (const c of input) {
        if (!gz.write(c)) await once(gz, "drain", { signal: stopped.signal });
      }
      gz.end();
    } catch (err) {
      if (stopped.signal.aborted) return;
      feedError = err;
      gz.destroy(err as Error);
    }
  })();
  try {
    for await (const out of gz as AsyncIterable<Buffer>) yield out;
  } finally {
    stopped.abort();
    await feeding;
  }
  if (feedError) throw feedError;
}
