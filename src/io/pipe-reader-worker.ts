// The thread that drains a pipe (pipe-reader.ts): it reads as fast as the writer writes, whatever
// the main thread is doing, into a ring of shared memory the main thread takes the bytes from.
// Nothing heavy is loaded here: it must start in milliseconds. No other module imports this one
// (it would run as a reader in any thread that did).
import { Socket, type OnReadOpts, type SocketConstructorOpts } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { FULL, TAKEN, WRITTEN } from "./pipe-reader.js";

export interface PipeReaderData {
  /** The pipe, opened non-blocking for this thread alone. */
  readonly fd: number;
  /** The ring the bytes go into. */
  readonly ring: SharedArrayBuffer;
  /** Uint32 counts: [WRITTEN] bytes written into the ring so far and [TAKEN] taken out by the
   *  main thread (both modulo 2^32); [FULL]. */
  readonly counts: SharedArrayBuffer;
}

/** To the main thread: bytes were written (it reads the count), the pipe ended, or failed. The
 *  main thread says "taken" when it took bytes while this thread waited for room. */
export type PipeReaderMessage =
  | { readonly kind: "data" }
  | { readonly kind: "end" }
  | { readonly kind: "error"; readonly code: string | null; readonly message: string };

/** A read takes at most this (what a pipe holds). */
const READ_BYTES = 64 * 1024;

const port = parentPort;
if (port !== null) {
  const { fd, ring: shared, counts: sharedCounts } = workerData as PipeReaderData;
  const ring = new Uint8Array(shared);
  const counts = new Uint32Array(sharedCounts);
  /** Bytes read that found no room in the ring yet (the pipe is paused meanwhile). */
  let waiting: Buffer | null = null;
  let told = false;
  let ended: PipeReaderMessage | null = null;

  const tell = (): void => {
    told = false;
    port.postMessage({ kind: "data" } satisfies PipeReaderMessage);
  };

  /** Put what fits of `b` into the ring; the bytes put. The main thread hears of them once per
   *  turn of this thread's loop. */
  const put = (b: Uint8Array): number => {
    const written = Atomics.load(counts, WRITTEN);
    let room = ring.length - ((written - Atomics.load(counts, TAKEN)) >>> 0);
    if (room < b.length && Atomics.load(counts, FULL) === 0) {
      // Short of room: the main thread says when it takes bytes once it sees this flag (set
      // before looking again, so that a take in between is not missed).
      Atomics.store(counts, FULL, 1);
      room = ring.length - ((written - Atomics.load(counts, TAKEN)) >>> 0);
    }
    const n = Math.min(room, b.length);
    if (n === 0) return 0;
    const at = written % ring.length;
    const first = Math.min(n, ring.length - at);
    ring.set(b.subarray(0, first), at);
    if (n > first) ring.set(b.subarray(first, n), 0);
    Atomics.store(counts, WRITTEN, (written + n) >>> 0);
    if (!told) {
      told = true;
      setImmediate(tell);
    }
    return n;
  };

  const finish = (m: PipeReaderMessage): void => {
    ended = m;
    if (waiting !== null) return; // said once the waiting bytes are in the ring
    port.postMessage(m);
    port.close();
  };

  // Every read goes into one buffer, then into the ring: a fresh buffer per read (the stream's
  // way), freed only when this thread collects its garbage, took 50 MB more memory.
  const readBuffer = Buffer.allocUnsafe(READ_BYTES);
  // And what did not fit waits in one buffer too (the pipe is paused until it is in the ring): a
  // copy per wait, freed only when this small heap collected its garbage, held 20 MB.
  const waitingStore = Buffer.allocUnsafe(READ_BYTES);
  // The typings give `onread` to connect() only; the constructor takes it too.
  const options: SocketConstructorOpts & { onread: OnReadOpts } = {
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer: readBuffer,
      callback: (n: number): boolean => {
        if (waiting !== null) {
          // A read after the pause (not expected): behind the waiting bytes, in order.
          waiting = Buffer.concat([waiting, readBuffer.subarray(0, n)]);
          return false;
        }
        const stored = put(readBuffer.subarray(0, n));
        if (stored === n) return true;
        // The ring is full: the rest waits, copied aside, and the pipe is not read meanwhile.
        waitingStore.set(readBuffer.subarray(stored, n));
        waiting = waitingStore.subarray(0, n - stored);
        return false;
      },
    },
  };
  const pipe = new Socket(options);
  pipe.on("end", () => finish({ kind: "end" }));
  pipe.on("error", (err: NodeJS.ErrnoException) => finish({ kind: "error", code: err.code ?? null, message: err.message }));
  // The main thread took bytes: the waiting ones may fit now.
  port.on("message", () => {
    if (waiting === null) return;
    const stored = put(waiting);
    if (stored < waiting.length) {
      waiting = waiting.subarray(stored);
      return;
    }
    waiting = null;
    if (ended !== null) finish(ended);
    else pipe.resume();
  });
}
