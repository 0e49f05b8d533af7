// The worker's byte scan of light lines must give exactly what lightCall gives the decoded line,
// for every line it takes, and leave the rest to the string path (a line refused for its name
// must be one lightCall refuses too). Checked on chosen lines, on every sample line, and on
// sample lines mutated at random (the corpora and the flag matrix by `npm run conformance`).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { lightByBytes, lightByString, lightBytesDisagreement } from "../../scripts/conformance-bytes.js";
import { sampleTraces } from "../property/strace-text.js";

const TAKEN = [
  "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fd3dccee000",
  "9836  23:34:02.036845 brk(NULL)         = 0x5641bf568000 <0.000009>",
  "[pid  9642] futex(0x5581, FUTEX_WAIT_PRIVATE, 2, NULL <unfinished ...>",
  "9642  <... futex resumed>) = -1 EAGAIN (Resource temporarily unavailable) <0.000041>",
  "access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)",
  "1700000000.123456 getpid() = 42",
  "9840  1795563242.047268 brk(NULL)       = 0x560b1e4fb000",
  "12:00:00 getuid() = 0",
  "12:00:00.5 rt_sigreturn({mask=[]}) = 3 <12>",
  "[pid 7] umask(022) = 18",
  "9836  23:34:02.040887 +++ exited with 0 +++",
  "[pid  9642] 1700000000.123456 +++ exited with 255 +++",
  "+++ exited with -1 +++",
  "+++ exited with 123456789 +++",
  "9844       0.000371 brk(NULL)           = 0x55ef8ddea000", // -r
  "0.5 getpid() = 1",
  "[pid 7] 12.000001 futex(0x1, FUTEX_WAKE, 1 <unfinished ...>",
  // -n syscall numbers and -i addresses
  "9373  [  12] [00007fbd5df37c47] brk(NULL) = 0x56293d14b000",
  "9818  22:37:43.712183 [   9] [00007f547c4b8350] mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f00 <0.000010>",
  "[ 202] futex(0x1, FUTEX_WAKE, 1 <unfinished ...>",
  "[1234] getpid() = 1",
  "[00007fbd5df37c47] getpid() = 1",
  "[0000000000401000] getpid() = 1",
  "[pid  9642] [ 202] [00007f07868ba38d] <... futex resumed>) = 0",
  "9867  [ 231] [????????????????] +++ exited with 0 +++",
  "[????????] +++ exited with 1 +++",
  // -Y comms after the pid
  "4860<sh> 02:06:16.962905 brk(NULL)      = 0x562dfda4f000",
  "[pid  4876<sh>] 02:06:16.988301 set_robust_list(0x7f4f1ab98a20, 24) = 0",
  "12<Web Content> getpid() = 1",
  "12<a-b> futex(0x1, FUTEX_WAKE, 1 <unfinished ...>",
  "12<> getpid() = 1",
  "12<kworker/0:1> +++ exited with 0 +++",
];

/** -Y comms the scans leave to the grammar (its marks, `->`, quotes, no space after). */
const COMMS_LEFT = ["12<123> getpid() = 1", "12<a-> getpid() = 1", "12<.x> getpid() = 1", "12<a->b> getpid() = 1", "12<a...> getpid() = 1", "12<unavailable> getpid() = 1", '12<a"b> getpid() = 1', "12<x>getpid() = 1", "[pid 12<a]b>] getpid() = 1", "12<\u00e9> getpid() = 1"];

const LEFT = [
  "read(3, \"abc\", 4096) = 3", // its arguments are needed
  "restart_syscall(<... resumed interrupted call ...>) = 0",
  "+++ killed by SIGKILL +++", // exit lines other than `exited with N`
  "umask(0) = 02", // octal return
  "+++ exited with 007 +++", // not as JavaScript prints the number
  "+++ exited with -0 +++",
  "+++ exited with 1234567890 +++",
  "+++ exited with 0 +++ ",
  "+++ exited with  0 +++",
  "+++ superseded by execve in pid 9 +++",
  "getpid() = -0",
  "getpid() = 0x",
  "mmap() = 12ab",
  "getpid() =  1", // two spaces after =
  "getpid()= 1",
  "getpid() = 1 E (x)", // an errno of one letter
  "getpid() = 1 Eagain (x)",
  "getpid() = 1 EAGAIN (x) (y)",
  "poll([{fd=4}], 1, 0) = 0 (Timeout)",
  "getpid() = 1 <0.5",
  "getpid() = 1 <.5>",
  "getpid(12345678 getuid() = 1",
  "12345678 getpid() = 1", // 8 digits: not a pid
  "getpid() = 1\t",
  "[pid 9] <... getpid resumed> = 1",
  "<... getpid resumed>) = ?",
  "getpid() = 1 <0.0000000000000001>",
  "[12345] getpid() = 1", // 5 digits, no space: an address to the grammar, not 8 or 16 digits
  "[00007fbd5df37c47] [  39] getpid() = 1", // not in strace's order
  "[  39]  getpid() = 1",
  "[ 39] [00007fbd5df37c4] getpid() = 1",
  "[?????????] getpid() = 1",
  "[ 3a] getpid() = 1",
];

test("the byte scan reads the lines it takes as lightCall does", () => {
  for (const line of TAKEN) {
    const got = lightByBytes(line);
    assert.ok(got !== null, `the byte scan takes ${line}`);
    assert.deepEqual(got, lightByString(line), line);
  }
  for (const line of LEFT) assert.equal(lightBytesDisagreement(line), null, line);
  for (const line of [...LEFT.slice(0, 4), ...LEFT.filter((l) => l.startsWith("+++"))]) assert.equal(lightByBytes(line), null, line);
  for (const line of COMMS_LEFT) {
    assert.equal(lightByBytes(line), null, line);
    assert.equal(lightByString(line), null, line);
  }
});

test("every sample line the byte scan takes reads as lightCall reads it, and nearly every light line is taken", () => {
  let taken = 0;
  let light = 0;
  for (const { name, text } of sampleTraces()) {
    text.split("\n").forEach((line, i) => {
      if (lightByString(line) !== null) light++;
      if (lightByBytes(line) !== null) taken++;
      assert.equal(lightBytesDisagreement(line), null, `${name}:${i + 1}: ${line}`);
    });
  }
  assert.ok(taken > 0.98 * light, `taken ${taken} of ${light} light lines`);
});

const EDGES = [
  " ", "  ", ")", "(", "=", " = ", "-", "0x", "x", "E", "EAGAIN", " (", "()", "<", ">", "<1>", " <1.5>", ".", "\t",
  "\r", "é", "[pid 3] ", "12:00:00 ", "1700000000.5 ", "<... x resumed>", " <unfinished ...>", "9", "0", "_",
];

test("sample lines changed at random are never read differently by the byte scan", () => {
  const lines = [...new Set(sampleTraces().flatMap((t) => t.text.split("\n")))].filter((l) => lightByString(l) !== null);
  assert.ok(lines.length > 1000);
  const edit = fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...EDGES), fc.string({ maxLength: 3 })), fc.nat({ max: 3 }));
  fc.assert(
    fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 3 }), (pick, edits) => {
      let line = lines[pick % lines.length]!;
      for (const [at, piece, drop] of edits) {
        const i = at % (line.length + 1);
        line = line.slice(0, i) + piece + line.slice(i + drop);
      }
      assert.equal(lightBytesDisagreement(line), null, JSON.stringify(line));
    }),
    { numRuns: 20_000, seed: 20261205 },
  );
});
