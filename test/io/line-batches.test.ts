import { test } from "node:test";
import assert from "node:assert/strict";
import { LineSplitter, MAX_LINE_CHARS, readLineBatches } from "../../src/io/line-batches.js";

async function collect(chunks: (Buffer | string)[]) {
  const lines: string[] = [];
  const firsts: number[] = [];
  for await (const b of readLineBatches(
    (async function* () {
      yield* chunks;
    })(),
  )) {
    assert.equal(b.firstLine, lines.length + 1, "batches are consecutive");
    firsts.push(b.firstLine);
    lines.push(...b.lines);
  }
  return lines;
}

function pieces(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

const TEXT =
  '9724  write(3<UNIX-STREAM:[20920->20921]>, "é\\n", 3) = 3\r\n' +
  "9724  shutdown(3, SHUT_WR) = 0\n\n" +
  "+++ exited with 0 +++";

test("same lines whole, in 1-byte, 7-byte and 64 KiB pieces (UTF-8 split across chunks)", async () => {
  const buf = Buffer.from(TEXT + "\nprogram output: ünïcode\n", "utf8");
  const whole = await collect([buf]);
  assert.deepEqual(whole, [
    '9724  write(3<UNIX-STREAM:[20920->20921]>, "é\\n", 3) = 3',
    "9724  shutdown(3, SHUT_WR) = 0",
    "",
    "+++ exited with 0 +++",
    "program output: ünïcode",
  ]);
  for (const size of [1, 7, 65536]) assert.deepEqual(await collect(pieces(buf, size)), whole);
});

test("a last line without newline is kept; CRLF endings are stripped", async () => {
  assert.deepEqual(await collect([Buffer.from("a\r\nb")]), ["a", "b"]);
  assert.deepEqual(await collect([]), []);
});

test("invalid UTF-8 never throws and keeps line structure", async () => {
  const lines = await collect([Buffer.from([0x61, 0xff, 0xfe, 0x0a, 0x62, 0x0a])]);
  assert.equal(lines.length, 2);
  assert.equal(lines[1], "b");
});

test("an overlong line is cut and reported with its line number", () => {
  const reports: [number, number][] = [];
  const s = new LineSplitter({ onLongLine: (line, chars) => reports.push([line, chars]) });
  const big = "x".repeat(1024 * 1024);
  s.push("first\n");
  for (let i = 0; i < 20; i++) assert.equal(s.push(big), null);
  const b = s.push("\nlast\n");
  assert.ok(b);
  assert.equal(b.firstLine, 2);
  assert.equal(b.lines[0]!.length, MAX_LINE_CHARS);
  assert.equal(b.lines[1], "last");
  assert.deepEqual(reports, [[2, 20 * 1024 * 1024]]);
});
