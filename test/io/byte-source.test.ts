import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { fileSource, headText, NotTextError } from "../../src/io/byte-source.js";

const dir = mkdtempSync(join(tmpdir(), "sr-bytes-"));
const TEXT = Buffer.from("9724  shutdown(3, SHUT_WR) = 0\n".repeat(5000));

async function readAll(path: string) {
  const src = fileSource(path, null);
  const parts: Buffer[] = [];
  for await (const c of src.chunks) parts.push(c);
  return { data: Buffer.concat(parts), src };
}

test("plain text passes through unchanged", async () => {
  const p = join(dir, "plain.log");
  writeFileSync(p, TEXT);
  const { data, src } = await readAll(p);
  assert.deepEqual(data, TEXT);
  assert.equal(src.gzipLayers(), 0);
  assert.equal(src.failure(), null);
  assert.equal(src.bytesRead(), TEXT.length);
});

test("gzip is found by its magic bytes, whatever the name, and twice-gzipped too", async () => {
  const once = join(dir, "trace.txt");
  writeFileSync(once, gzipSync(TEXT));
  assert.deepEqual((await readAll(once)).data, TEXT);
  const twice = join(dir, "trace.gz");
  writeFileSync(twice, gzipSync(gzipSync(TEXT)));
  const r = await readAll(twice);
  assert.deepEqual(r.data, TEXT);
  assert.equal(r.src.gzipLayers(), 2);
});

test("a truncated gzip yields what it could unpack and says it stopped early", async () => {
  const big = Buffer.from(
    Array.from({ length: 200000 }, (_, i) => `${1000 + (i % 7)}  write(3, "x", 1) = 1\n`).join(""),
  );
  const gz = gzipSync(big);
  const p = join(dir, "cut.gz");
  writeFileSync(p, gz.subarray(0, Math.floor(gz.length / 2)));
  const { data, src } = await readAll(p);
  assert.ok(data.length > 0, "some data was unpacked");
  assert.ok(data.length < big.length);
  assert.deepEqual(data, big.subarray(0, data.length));
  assert.equal(src.failure()?.code, "SR004");
  assert.match(src.failure()!.message, /truncated/);
});

test("binary formats are refused with a name", async () => {
  const p = join(dir, "capture.pcap");
  writeFileSync(p, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0]));
  await assert.rejects(readAll(p), (e: unknown) => e instanceof NotTextError && /pcap/.test(e.looksLike));
  const q = join(dir, "garbage.bin");
  writeFileSync(q, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  await assert.rejects(readAll(q), NotTextError);
});

/** The fds this process has open (Linux). */
const openFds = () => readdirSync("/proc/self/fd").length;

test("a refused input's file is closed, gzipped or not", async () => {
  const pcap = Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, ...new Array(300_000).fill(0)]);
  const plain = join(dir, "closed.pcap");
  writeFileSync(plain, pcap);
  const packed = join(dir, "closed.pcap.gz");
  writeFileSync(packed, gzipSync(pcap));
  const before = openFds();
  for (const p of [plain, packed, plain, packed]) await assert.rejects(readAll(p), NotTextError);
  assert.equal(openFds(), before, "every refused file was closed");
});

test("a reader that stops early closes the file, gzipped or not", async () => {
  const big = Buffer.from(TEXT.toString().repeat(20)); // 3 MB: many reads
  const plain = join(dir, "early.log");
  writeFileSync(plain, big);
  const packed = join(dir, "early.log.gz");
  writeFileSync(packed, gzipSync(big));
  const before = openFds();
  for (const p of [plain, packed]) {
    let seen = 0;
    for await (const c of fileSource(p, null).chunks) {
      seen += c.length;
      break;
    }
    assert.ok(seen > 0);
  }
  assert.equal(openFds(), before, "both files were closed");
});

test("headText: a file's first text, gzip unpacked as far as its first bytes go, bounded", async () => {
  const varied = Buffer.from(Array.from({ length: 20000 }, (_, i) => `10:00:${String(i % 60).padStart(2, "0")}.${i} write(3, "${i}", 9) = 9\n`).join(""));
  const cases: [string, Buffer, string | null][] = [
    ["plain", varied, "10:00:00.0 write"],
    ["gzip", gzipSync(varied), "10:00:00.0 write"],
    ["gzip twice", gzipSync(gzipSync(varied)), "10:00:00.0 write"],
    ["gzip of one line repeated (unpacks 1000 to 1)", gzipSync(TEXT), "9724  shutdown"],
    ["gzip bomb", gzipSync(gzipSync(Buffer.alloc(20_000_000))), null],
    ["binary", Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]), null],
  ];
  const before = openFds();
  for (const [what, bytes, start] of cases) {
    const p = join(dir, `head-${what.replace(/\W+/g, "-")}`);
    writeFileSync(p, bytes);
    const rss = process.memoryUsage().rss;
    const head = await headText(p);
    if (start === null) assert.equal(head, null, what);
    else {
      assert.ok(head !== null && head.startsWith(start), `${what}: ${JSON.stringify(head?.slice(0, 30))}`);
      assert.ok(head.length <= 4096, `${what}: at most 4 KiB`);
    }
    assert.ok(process.memoryUsage().rss - rss < 64e6, `${what}: no large allocation`);
  }
  assert.equal(await headText(join(dir, "missing")), null);
  assert.equal(await headText(dir), null, "a folder");
  const fifo = join(dir, "trace.fifo");
  spawnSync("mkfifo", [fifo]);
  assert.equal(await headText(fifo), null, "a FIFO is not peeked at (nor waited on)");
  assert.equal(openFds(), before, "every file was closed");
});
