// A pipe, FIFO or socket read on a thread of its own (pipe-reader-worker.ts). Read on the main thread, a
// pipe is drained only between two stretches of work there (replaying a segment, a garbage
// collection, code compiling in the first seconds); strace's pipe holds 64 KiB, a few
// milliseconds of a busy trace, after which strace, and the program it traces, wait. The reading
// thread keeps draining meanwhile, up to MAX_AHEAD bytes the main thread has not taken yet.
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { PipeReaderData, PipeReaderMessage } from "./pipe-reader-worker.js";

/** Bytes read ahead of the main thread at most (a power of two): half a second of a busy
 *  `strace -f` of short lines (8 MB/s), 80 ms of bulk writes at 50 MB/s, far more than the main
 *  thread's longest stalls (about 0.1 s, in its first second). All of it is resident once the
 *  main thread has fallen that far behind: 8 MiB cost 6 MB more RSS than 4 MiB for no gain. */
export const MAX_AHEAD = 4 * 1024 * 1024;
/** The ring's counts (PipeReaderData.counts): bytes written into it and taken out of it so far
 *  (modulo 2^32), and FULL, set by the reading thread when it found no room, cleared here as
 *  bytes are taken. */
export const WRITTEN = 0;
export const TAKEN = 1;
export const FULL = 2;

/** Bytes handed on at most in one piece: 64 KiB pieces (a stream's) took 10% more time and
 *  10 MB more memory than 256 KiB ones. */
const PIECE_BYTES = 256 * 1024;

/** The bytes of a pipe, in order, as the reading thread hands them on. `close` stops the thread
 *  (a read still waiting then ends as the input's end). */
export interface PipeChunks extends AsyncIterable<Buffer> {
  close(): void;
}

/** The thread holds a read or two at a time (their bytes outside its heap): a small heap. */
const READER_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 };

const open = new Set<ThreadedPipe>();

/** Stop every pipe still being read (when the process stops reading before their ends). */
export function closePipeReaders(): void {
  for (const p of [...open]) p.close();
}

/**
 * The pipe, FIFO or socket open on `fd`, read on a thread of its own; null when `fd` is none of
 * them (a terminal, a file), or a FIFO that cannot be opened again (no /proc): it is read here
 * then. For a FIFO the thread opens its own file description, non-blocking, so that `fd` keeps
 * its flags and stays open; a socket (the "pipe" a Node or libuv parent gives its child) cannot
 * be opened again: the thread takes `fd` itself and closes it when done. `ringBytes`, a power
 * of two, is what may be read ahead.
 */
export function threadedPipe(fd: number, ringBytes = MAX_AHEAD): PipeChunks | null {
  // A caller's mistake, said as such (not taken for "not a pipe" below).
  if (ringBytes <= 0 || (ringBytes & (ringBytes - 1)) !== 0) throw new RangeError("the ring's size is a power of two");
  let own: number;
  try {
    const stat = fstatSync(fd);
    if (stat.isFIFO()) own = openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
    else if (stat.isSocket()) own = fd;
    else return null;
  } catch {
    return null;
  }
  try {
    return new ThreadedPipe(own, ringBytes);
  } catch {
    if (own !== fd) closeSync(own);
    return null;
  }
}

class ThreadedPipe implements PipeChunks {
  private readonly worker: Worker;
  private readonly ring: Uint8Array;
  private readonly counts: Uint32Array;
  private ended = false;
  private failure: Error | null = null;
  private waiter: (() => void) | null = null;
  private iterated = false;

  constructor(fd: number, ringBytes: number) {
    const data: PipeReaderData = { fd, ring: new SharedArrayBuffer(ringBytes), counts: new SharedArrayBuffer(3 * 4) };
    this.ring = new Uint8Array(data.ring);
    this.counts = new Uint32Array(data.counts);
    this.worker = new Worker(new URL("./pipe-reader-worker.js", import.meta.url), { workerData: data, resourceLimits: READER_LIMITS });
    // Alive only while the main thread waits for its bytes: a reader that stopped early does not
    // keep the process running.
    this.worker.unref();
    this.worker.on("message", (m: PipeReaderMessage) => {
      if (m.kind === "end") this.finish(null);
      else if (m.kind === "error") this.finish(Object.assign(new Error(m.message), { code: m.code ?? undefined }));
      this.wake();
    });
    this.worker.on("error", (err) => this.finish(err));
    this.worker.on("exit", () => this.finish(this.ended ? null : new Error("the pipe's reading thread stopped")));
    open.add(this);
  }

  close(): void {
    this.finish(null);
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.iterated) throw new Error("a pipe is read once");
    this.iterated = true;
    return {
      next: async () => {
        for (;;) {
          if (this.available() > 0) {
            // A turn of the event loop per piece, as a stream read here gives: what reads the
            // pieces would otherwise run on through every message of the reading thread, and
            // the loop would not see a worker's reply or a timer until the pipe went quiet.
            await new Promise((resolve) => setImmediate(resolve));
            return { done: false, value: this.take() };
          }
          if (this.failure !== null) throw this.failure;
          if (this.ended) return { done: true, value: undefined };
          this.worker.ref();
          await new Promise<void>((resolve) => (this.waiter = resolve));
          this.worker.unref();
        }
      },
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  private available(): number {
    return (Atomics.load(this.counts, WRITTEN) - Atomics.load(this.counts, TAKEN)) >>> 0;
  }

  /** A copy of the next bytes of the ring (at most PIECE_BYTES); the reading thread, if it
   *  found the ring full, is told there is room. */
  private take(): Buffer {
    const taken = Atomics.load(this.counts, TAKEN);
    const at = taken % this.ring.length;
    const n = Math.min(this.available(), PIECE_BYTES, this.ring.length - at);
    const piece = Buffer.allocUnsafe(n);
    piece.set(this.ring.subarray(at, at + n));
    Atomics.store(this.counts, TAKEN, (taken + n) >>> 0);
    if (Atomics.load(this.counts, FULL) === 1) {
      Atomics.store(this.counts, FULL, 0);
      if (!this.ended) this.worker.postMessage("taken");
    }
    return piece;
  }

  private finish(failure: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    open.delete(this);
    // The thread's socket owns the fd: it closes it as the thread ends.
    void this.worker.terminate();
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
