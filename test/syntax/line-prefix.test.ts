// The leader of a line: which bare number is a pid and which a timestamp (STRACE-FORMAT.md §1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { straceLineParser } from "../../grammars/strace-line-parser.js";
import fc from "fast-check";
import { clockSeconds, emptyPrefix, readPrefix } from "../../src/syntax/line-prefix.js";
import type { LinePrefix } from "../../src/syntax/line-prefix.js";

function prefixOf(line: string): LinePrefix {
  const r = straceLineParser.parseLine(line);
  assert.ok(r.value, line);
  return readPrefix(r.value.leaders, emptyPrefix());
}

test("a bare pid, and a bare epoch (--timestamps=unix,s) told apart by length", () => {
  const pid = prefixOf("29786 execve(\"/bin/true\", [\"true\"], 0x7ffd /* 3 vars */) = 0");
  assert.equal(pid.pid, 29786);
  assert.equal(pid.time, null);
  const epoch = prefixOf("1795560611 write(1, \"x\", 1) = 1 <0>");
  assert.equal(epoch.pid, null);
  assert.equal(epoch.time, 1795560611);
  assert.equal(epoch.stamp, "unix-s");
  const both = prefixOf("12492 1795563387 brk(NULL) = 0x5599f5501000");
  assert.deepEqual([both.pid, both.time], [12492, 1795563387]);
});

test("-t, -tt, -ttt with ns, -r, -t -r, -n, -i, -Y and [pid N]", () => {
  const t = prefixOf("9659  22:37:43 shutdown(3, SHUT_WR)     = 0");
  assert.deepEqual([t.pid, t.time, t.stamp], [9659, 22 * 3600 + 37 * 60 + 43, "t"]);
  const ns = prefixOf("9706  1795559864.350569232 shutdown(3, SHUT_WR) = 0 <0.000014467>");
  assert.equal(ns.stamp, "ttt");
  assert.equal(ns.stampDigits, 9);
  assert.ok(Math.abs(ns.time! - 1795559864.350569232) < 1e-6);
  const r = prefixOf("9686       0.000038 shutdown(3, SHUT_WR) = 0");
  assert.deepEqual([r.pid, r.time, r.stamp], [9686, 0.000038, "r"]);
  const tr = prefixOf("22:45:42 (+     0.000351) write(2, \"x\", 1) = 1");
  assert.deepEqual([tr.pid, tr.time, tr.stamp], [null, 22 * 3600 + 45 * 60 + 42, "t-r"]);
  const ni = prefixOf("12506<chatty> 23:36:27.275853 [  59] [00007f4665723ad7] execve(\"./c\", [\"./c\"], 0x7ffc /* 35 vars */) = 0");
  assert.deepEqual([ni.pid, ni.comm, ni.sysno, ni.ip, ni.stamp], [12506, "chatty", true, true, "tt"]);
  const bracket = prefixOf("[pid  9642] 22:37:43.000001 rseq(0x7f, 0x20, 0, 0x53053053) = 0");
  assert.deepEqual([bracket.pid, bracket.bracketedPid], [9642, true]);
});

test("-Y comms that the lexer reads as its marks are comms after a pid all the same", () => {
  // A program named `123` (strace -f -Y: `6756<123> brk(NULL) = ...`), or `unavailable`.
  for (const comm of ["123", "1.5", "unavailable", "sh"]) {
    const bare = prefixOf(`6756<${comm}> brk(NULL)                     = 0x556fe49aa000`);
    assert.deepEqual([bare.pid, bare.comm, bare.time], [6756, comm, null], comm);
    const timed = prefixOf(`6756<${comm}> 02:06:16.962905 brk(NULL) = 0x556fe49aa000`);
    assert.deepEqual([timed.pid, timed.comm, timed.stamp], [6756, comm, "tt"], comm);
    const bracketed = prefixOf(`[pid  6757<${comm}>] brk(NULL) = 0x556fe49aa000`);
    assert.deepEqual([bracketed.pid, bracketed.comm, bracketed.bracketedPid], [6757, comm, true], comm);
  }
});

test("a clock's seconds are exactly what converting its fraction as text gives, at every precision", () => {
  const two = (n: number) => String(n).padStart(2, "0");
  fc.assert(
    fc.property(fc.nat({ max: 23 }), fc.nat({ max: 59 }), fc.nat({ max: 59 }), fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 18 }), (h, m, s, frac) => {
      const text = `${two(h)}:${two(m)}:${two(s)}${frac === "" ? "" : "." + frac}`;
      const whole = h * 3600 + m * 60 + s;
      assert.equal(clockSeconds(text), frac === "" ? whole : whole + +text.slice(8), text);
    }),
    { numRuns: 20_000, seed: 7 },
  );
  assert.equal(clockSeconds("23:59:59.999999999"), 86399 + 0.999999999);
  assert.equal(clockSeconds("00:00:01."), 1 + +".");
});
