// The pipe reader's thread: it drains a pipe while the main thread is blocked (strace is not
// held back by our garbage collection or a long replay), keeps every byte in order when its
// ring is full, and a close ends a read that waits on a quiet pipe.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadedPipe } from "../../src/io/pipe-reader.js";
import { fifoEnds as fifo } from "../../scripts/trace-feed.js";

const dir = mkdtempSync(join(tmpdir(), "sr-pipe-reader-"));

/** `n` bytes no shift or reorder leaves unchanged: each is its offset modulo a prime. */
function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

/** A second process writing `bytes` into the pipe's write end (inherited as its fd 3), writing
 *  down when it finished (ms since the epoch) in `doneFile`. */
function writer(writeFd: number, bytes: number, doneFile: string) {
  const code = `const fs = require("node:fs");
const b = Buffer.allocUnsafe(${bytes}); for (let i = 0; i < b.length; i++) b[i] = i % 251;
for (let at = 0; at < b.length; ) at += fs.writeSync(3, b, at, Math.min(65536, b.length - at));
fs.closeSync(3); fs.writeFileSync(${JSON.stringify(doneFile)}, String(Date.now()));`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "inherit", "inherit", writeFd] });
  return new Promise<number | null>((resolve) => child.on("close", resolve));
}

async function drain(chunks: AsyncIterable<Buffer>, pause?: () => Promise<void>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) {
    parts.push(c);
    await pause?.();
  }
  return Buffer.concat(parts);
}

test("the pipe is drained while the main thread is blocked: the writer finishes meanwhile", { timeout: 30_000 }, async () => {
  const { readFd, writeFd } = fifo();
  const pipe = threadedPipe(readFd);
  assert.ok(pipe !== null, "a FIFO is read on a thread");
  closeSync(readFd); // the thread opened its own
  const done = join(dir, "drained.done");
  const BYTES = 2 * 1024 * 1024; // 32 times what the pipe holds, half the reader's ring
  const exited = writer(writeFd, BYTES, done);
  closeSync(writeFd);
  // The main thread busy for 3 s: no event loop, no reads here. A writer that depended on this
  // thread would wait for it, blocked on a full pipe, and finish only after the block.
  const blockedUntil = Date.now() + 3000;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
  const reading = drain(pipe);
  assert.equal(await exited, 0);
  const finishedAt = Number(readFileSync(done, "utf8"));
  assert.ok(finishedAt < blockedUntil, `the writer finished ${finishedAt - blockedUntil} ms after the main thread came back; it had to wait for it`);
  const got = await reading;
  assert.equal(got.length, BYTES);
  assert.ok(got.equals(pattern(BYTES)), "every byte, in order");
});

test("a ring smaller than the input: the writer waits, nothing is lost or reordered", { timeout: 30_000 }, async () => {
  for (const ring of [4096, 64 * 1024]) {
    const { readFd, writeFd } = fifo();
    const pipe = threadedPipe(readFd, ring);
    assert.ok(pipe !== null);
    closeSync(readFd);
    const BYTES = 3 * 1024 * 1024 + 17;
    const exited = writer(writeFd, BYTES, join(dir, `ring-${ring}.done`));
    closeSync(writeFd);
    let pieces = 0;
    // A slow consumer: the ring fills again and again.
    const got = await drain(pipe, () => (++pieces % 16 === 0 ? new Promise((r) => setTimeout(r, 5)) : Promise.resolve()));
    assert.equal(await exited, 0);
    assert.equal(got.length, BYTES, `ring ${ring}`);
    assert.ok(got.equals(pattern(BYTES)), `ring ${ring}: every byte, in order`);
    assert.ok(pieces >= BYTES / ring, `ring ${ring}: taken in pieces no larger than the ring (${pieces})`);
  }
});

test("a socket (a Node parent's stdin pipe) is read on the thread too", { timeout: 30_000 }, async () => {
  // The child reads its stdin socket through the reader and prints how many bytes and a sum.
  const code = `import(${JSON.stringify(new URL("../../src/io/pipe-reader.js", import.meta.url).href)}).then(async ({ threadedPipe }) => {
  const pipe = threadedPipe(0);
  if (pipe === null) { console.log("null"); return; }
  let n = 0, ok = true;
  for await (const c of pipe) { for (let i = 0; i < c.length; i++) ok &&= c[i] === (n + i) % 251; n += c.length; }
  console.log(n, ok);
});`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  const BYTES = 1024 * 1024 + 3;
  child.stdin.end(pattern(BYTES));
  await new Promise((r) => child.on("close", r));
  assert.equal(out.trim(), `${BYTES} true`);
});

test("close ends a read waiting on a quiet pipe, and the thread keeps nothing alive", { timeout: 10_000 }, async () => {
  const { readFd, writeFd } = fifo();
  const pipe = threadedPipe(readFd);
  assert.ok(pipe !== null);
  closeSync(readFd);
  const it = pipe[Symbol.asyncIterator]();
  const waiting = it.next();
  setTimeout(() => pipe.close(), 100);
  // The write end stays open (strace still running, writing nothing): only close ends the read.
  assert.deepEqual(await waiting, { done: true, value: undefined });
  closeSync(writeFd);
});

test("what is not a pipe or socket is not taken: a file, a character device", () => {
  const file = join(dir, "plain.txt");
  writeFileSync(file, "x\n");
  for (const path of [file, "/dev/null"]) {
    const fd = openSync(path, constants.O_RDONLY);
    try {
      assert.equal(threadedPipe(fd), null, path);
    } finally {
      closeSync(fd);
    }
  }
});
