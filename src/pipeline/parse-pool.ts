// Worker threads that read segments of trace files (parse-worker.ts), shared by every file being
// read at the moment and stopped when the last one is done.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { learnWords, type OpRecord } from "../syntax/assembler-codec.js";
import type { SegmentReply, SegmentRequest, WorkerMessage } from "./parse-worker.js";

/** A segment's reading, or why the worker could not give it (then the main thread reads it). */
export type SegmentOutcome = SegmentReply | { readonly failed: string };

/** A segment to read: its bytes as the pieces of the chunks it was read in, copied straight
 *  into the buffer the worker is handed (no joined copy of them is made). */
export interface SegmentSubmission extends Omit<SegmentRequest, "id" | "bytes"> {
  readonly bytes: readonly Uint8Array[];
}

interface Slot {
  readonly worker: Worker;
  busy: number;
  dead: string | null;
  /** The worker has loaded its code and is waiting for segments. */
  ready: boolean;
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, { slot: Slot; resolve: (o: SegmentOutcome) => void }>();
  private nextId = 1;
  /** Segments handed to the workers so far. */
  submitted = 0;

  constructor(readonly size: number) {
    const url = new URL("./parse-worker.js", import.meta.url);
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: new Worker(url, { resourceLimits: WORKER_LIMITS }), busy: 0, dead: null, ready: false };
      // An idle worker does not keep the process alive; one with a segment does.
      slot.worker.unref();
      slot.worker.on("message", (m: WorkerMessage) => {
        if ("ready" in m) slot.ready = true;
        else {
          if ("spent" in m && m.spent !== undefined && this.spareBytes.length < MAX_SPARES) this.spareBytes.push(m.spent.buffer as ArrayBuffer);
          // The words a record brings are the later records' too: taken in as each arrives, in
          // the worker's order, whatever becomes of the record.
          if ("record" in m && !learnWords(m.record)) {
            this.recycle(m.record);
            this.settle(m.id, { failed: "parse worker record out of step" });
          } else this.settle(m.id, "error" in m ? { failed: m.error } : m);
        }
      });
      const die = (why: string) => {
        slot.dead ??= why;
        for (const [id, w] of [...this.waiting]) if (w.slot === slot) this.settle(id, { failed: why });
      };
      slot.worker.on("error", (err) => die(`parse worker failed: ${err.message}`));
      slot.worker.on("exit", (code) => die(`parse worker exited (code ${code})`));
      this.slots.push(slot);
    }
  }

  /** Some worker has started and can read a segment at once (a live input reads its segments
   *  itself until then, rather than wait for the workers' start-up). */
  get ready(): boolean {
    return this.slots.some((s) => s.ready && s.dead === null);
  }

  /** Read a segment on the least busy live worker. */
  submit(req: SegmentSubmission): Promise<SegmentOutcome> {
    const live = this.slots.filter((s) => s.dead === null);
    if (live.length === 0) return Promise.resolve({ failed: this.slots[0]?.dead ?? "no parse worker" });
    const slot = live.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    this.submitted++;
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise((resolve) => {
      this.waiting.set(id, { slot, resolve });
      // A copy of exactly the segment's bytes, handed over without a second copy, in a buffer
      // a worker gave back when there is one big enough; with a replayed record's buffers.
      let length = 0;
      for (const b of req.bytes) length += b.length;
      const bytes = new Uint8Array(this.bytesFor(length), 0, length);
      let at = 0;
      for (const b of req.bytes) {
        bytes.set(b, at);
        at += b.length;
      }
      const recycled = this.spareRecords.pop() ?? null;
      const transfer: ArrayBuffer[] = [bytes.buffer as ArrayBuffer];
      if (recycled !== null) transfer.push(recycled.ints.buffer as ArrayBuffer, recycled.nums.buffer as ArrayBuffer);
      slot.worker.postMessage({ ...req, id, bytes, recycled }, transfer);
    });
  }

  /** A record this thread has replayed: its buffers go back to a worker with the next segment
   *  (a worker otherwise makes new ones for each record, and both threads' collectors see them). */
  recycle(record: OpRecord): void {
    // Never dropped here: a worker makes only so many pairs (a dozen), and counts them back.
    if (record.recyclable === true) this.spareRecords.push({ ints: record.ints, nums: record.nums, recyclable: true });
  }

  private readonly spareRecords: Pick<OpRecord, "ints" | "nums" | "recyclable">[] = [];
  private readonly spareBytes: ArrayBuffer[] = [];

  /** A buffer of at least `n` bytes: one handed back, or a new one (a big one rounded up, so
   *  that most segments of a file fit in the buffers of earlier ones; the small segments of an
   *  -ff set's files, thousands in flight, get their exact size). */
  private bytesFor(n: number): ArrayBuffer {
    const spare = this.spareBytes.pop();
    if (spare !== undefined && spare.byteLength >= n && spare.byteLength <= 2 * n) return spare;
    return new ArrayBuffer(n < BYTES_GRAIN * 4 ? n : Math.ceil(n / BYTES_GRAIN) * BYTES_GRAIN);
  }

  close(): void {
    for (const s of this.slots) {
      s.dead ??= "closed";
      void s.worker.terminate();
    }
    for (const id of [...this.waiting.keys()]) this.settle(id, { failed: "closed" });
  }

  private settle(id: number, outcome: SegmentOutcome): void {
    const w = this.waiting.get(id);
    if (w === undefined) return;
    this.waiting.delete(id);
    if (--w.slot.busy === 0) w.slot.worker.unref();
    w.resolve(outcome);
  }
}

/** Workers worth starting on this machine: one per core beside the main thread's (which replays
 *  their records and runs the model), up to three; none on a single core. Measured on two cores,
 *  a second worker on the main thread's core made the run slower and 60 MB bigger. */
export function poolSize(): number {
  const cores = availableParallelism();
  return Math.min(cores - 1, 3);
}

let shared: { pool: ParsePool; users: number } | null = null;

/** The pool for one more file being read; give it back with releasePool. */
export function acquirePool(): ParsePool | null {
  const size = poolSize();
  if (size === 0) return null;
  shared ??= { pool: new ParsePool(size), users: 0 };
  shared.users++;
  return shared.pool;
}

export function releasePool(pool: ParsePool): void {
  if (shared === null || shared.pool !== pool) return;
  if (--shared.users > 0) return;
  // Kept a moment for the next file of a run (an -ff set, several traces); its idle workers
  // never hold the process up.
  const idle = shared;
  setTimeout(() => {
    if (shared !== idle || idle.users > 0) return;
    idle.pool.close();
    shared = null;
  }, POOL_LINGER_MS).unref();
}

const POOL_LINGER_MS = 500;

/** Segment buffers kept for reuse (about as many as segments in flight). */
const MAX_SPARES = 8;
/** Segment buffers are made in multiples of this. */
const BYTES_GRAIN = 16 * 1024;

/** A worker holds one segment and its record at a time: a small heap keeps the process's
 *  memory flat (V8 would otherwise let each thread's heap grow far past what it uses). */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 };
