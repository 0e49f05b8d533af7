// The fast path's plain-line scan must read every line it takes exactly as the grammar does,
// and leave everything else to the grammar. Checked on chosen lines both ways, on every line of
// the samples, and on sample lines mutated at random (the corpora and the flag matrix are
// checked the same way by `npm run conformance`).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { straceLineParser } from "../../grammars/strace-line-parser.js";
import { plainLine } from "../../src/syntax/plain-line.js";
import { plainScanDisagreement } from "../../scripts/conformance-plain.js";
import { sampleTraces } from "../property/strace-text.js";

/** Lines of the forms the scan is for: it must take each, and read it as the grammar does. */
const TAKEN = [
  'read(3, "abc", 4096) = 3',
  '9724  12:00:00.000001 write(3<TCP:[127.0.0.1:8080->127.0.0.1:5555]>, "HTTP/1.1 200 OK\\r\\n"..., 1048576) = 219264 <0.000031>',
  '[pid  9642] write(5<UNIX-STREAM:[9087->9086]>, "x", 1) = -1 EAGAIN (Resource temporarily unavailable)',
  '1700000000.123456 openat(AT_FDCWD</tmp>, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3</etc/passwd>',
  'openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)',
  'fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)',
  'close(7</dev/pts/0 (deleted)>) = 0',
  'shutdown(3<TCP:[1]>, SHUT_WR) = 0',
  'exit_group(0) = ?',
  '9642  read(4,  <unfinished ...>',
  '9642  futex(0x1, FUTEX_WAIT, 2, NULL <unfinished ...>',
  '9642  <... read resumed>"hello", 4096) = 5',
  '<... wait4 resumed>, NULL) = 9',
  'writev(20, [{iov_base="GET / HTTP/1.1\\r\\n", iov_len=16}, {iov_base="", iov_len=0}], 2) = 16',
  'accept4(3<TCP:[0.0.0.0:80]>, {sa_family=AF_INET, sin_port=htons(5555), sin_addr=inet_addr("127.0.0.1")}, [128 => 16], SOCK_CLOEXEC) = 4<TCP:[2]>',
  'socketpair(AF_UNIX, SOCK_STREAM, 0, [3<UNIX-STREAM:[1]>, 4<UNIX-STREAM:[2]>]) = 0',
  'setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0',
  'setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0',
  'newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=3, ...}, AT_EMPTY_PATH) = 0',
  'fstat(1, {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0x1), ...}) = 0',
  'clone3({flags=CLONE_VM|CLONE_FS, exit_signal=0, stack=0x7f00, stack_size=0x7fff00} => {parent_tid=[9643]}, 88) = 9643',
  '<... clone3 resumed> => {parent_tid=[9644]}, 88) = 9644',
  'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = 9650',
  'poll([{fd=4, events=POLLIN}], 1, 1000) = 1 ([{fd=4, revents=POLLIN}])',
  'rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0',
  'rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8) = 0',
  'pipe2([4, 5], O_NONBLOCK) = 0',
  'getpid()                                = 9642',
  'recvfrom(3, "x", 1, 0, NULL, NULL) = 1',
  'rt_sigprocmask(SIG_UNBLOCK, [RTMIN RT_1], NULL, 8) = 0',
  'read(3<TCP:[1]> [unconfined_t], "x", 1) = 1', // --secontext
  '9642  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=9643, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
  '--- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=9642, si_uid=0} ---',
  '--- stopped by SIGSTOP ---',
  '[pid  9643] +++ exited with 0 +++',
  '12:00:00.5 +++ superseded by execve in pid 9644 +++',
  'foo(1 -2) = 0', // two ints side by side, to the lexer too
  'shutdown(3, 0x1 /* SHUT_WR */) = 0', // -X verbose: a comment after a term
  '9836  23:34:02.036549 execve("./a", ["./a"], 0x7ffd9424ddb8 /* 3 vars */) = 0 <0.000180>',
  'f(1 /* a */ /* b */, {x=2 /* c */}, "s" /**/) = 0', // several, in a struct, empty
  '9373  [  59] [00007ff0394bead7] read(3, "x", 1) = 1', // -n and -i
  '9818  22:37:43.712183 [   1] [00007f547c4b8350] write(3, "x", 1) = 1',
  '[00007f0000000000] read(3, "x", 1) = 1',
  '[0000000000401000] read(3, "x", 1) = 1', // an address all in decimal digits
  '[12345] read(3, "x", 1) = 1', // more than 4 digits, no space: an address to the grammar
  '[1234] read(3, "x", 1) = 1',
  '[????????] close(3) = 0',
  '9867  [ 231] [????????????????] +++ exited with 0 +++',
  '[pid 12<comm>] read(3, "x", 1) = 1', // -Y comms
  '12<comm> read(3, "x", 1) = 1',
  '4860<sh> 02:06:16.963361 openat(AT_FDCWD</tmp>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>',
  '[pid  4876<Web Content>] 02:06:16.988301 write(3, "x", 1) = 1',
  '12<> read(3, "x", 1) = 1',
];

/** Lines outside the plain forms: the scan must leave each to the grammar. */
const LEFT = [
  'write(1, "x", 1) = 1 /* 1 entry */', // comments
  'f(1 /* a */| 2) = 0', // a comment before an operator
  'f(x /* a */(1)) = 0', // a comment inside a call's name
  'f(1 /* a) = 0', // a comment never closed
  'ioctl(1, TCGETS, {c_cc[VMIN]=1}) = 0', // subscripted field
  'openat(AT_FDCWD, "x", O_RDONLY) = 3</x> <0.000012> extra', // trailing text
  'read(3,\t"x", 1) = 1', // a tab
  '12<123> read(3, "x", 1) = 1', // -Y comms the lexer may read as its marks, or that hold `->`
  '12<unavailable> read(3, "x", 1) = 1',
  '12<a->b> read(3, "x", 1) = 1',
  '12<a...> read(3, "x", 1) = 1',
  '[pid 12<a"b>] read(3, "x", 1) = 1',
  '12<x>read(3, "x", 1) = 1',
  '0x7f00 read(3, "x", 1) = 1', // an -i address unbracketed
  'read(3</etc/passwd> [system_u:object_r:etc_t:s0], "x", 1) = 1', // `:` in a secontext
  'rt_sigprocmask(SIG_SETMASK [], NULL, 8) = 0', // the grammar reads `[]` as a subscript
  'write(1, "abc" ..., 3) = 3', // a cut string, spaced
  'ioctl(5, TIOCOUT(x) [4]) = 0', // a subscripted call
  'foo(A|B => C) = 0', // mixed operators
  'foo(A => B|C) = 0',
  'foo(1.5) = 0', // a float
  'foo(00:11:22:33:44:55) = 0', // a MAC address lexes as a clock
  'foo(a or b) = 0',
  'foo([deadbeef]) = 0', // -i style bracket
  'close(7</x>(deleted)) = 0', // strace >= 5.19 deleted
  'read(3, "x", 1) = 1 (INJECTED "x")', // quotes in aux text
  'read(3, "x", 1) = ? <unavailable>',
  'futex(0x1, FUTEX_WAIT <unfinished ...>) = ?',
  'read(3, "x"..., 1) = 1 <1.5',
  '<... read resumed #1>"x", 1) = 1',
  'wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 9',
  'kill(9, SIGTERM) = 0 (+ 1)',
  '+++ killed by SIGKILL (core dumped) +++',
  '--- SIGCHLD {si_signo=SIGCHLD} --- x',
  '--- SIGCHLD {si_signo=SIGCHLD}---',
  'foo(A  => B) = 0',
  'foo(A |B) = 0',
  'foo(1 - 2) = 0',
  '[00007f] read(3, "x", 1) = 1', // an -i address is 8 or 16 hex digits
  '[???????] close(3) = 0',
  '[ 1a] close(3) = 0',
  '[unconfined_t] close(3) = 0',
];

test("the scan takes the plain forms and reads them as the grammar does", () => {
  for (const line of TAKEN) {
    const grammar = straceLineParser.parseLine(line).value;
    assert.ok(grammar !== null, `the grammar parses ${line}`);
    const plain = plainLine(line);
    assert.ok(plain !== null, `the scan takes ${line}`);
    assert.deepEqual(plain, grammar, line);
  }
});

test("anything else is left to the grammar", () => {
  for (const line of LEFT) assert.equal(plainLine(line), null, line);
});

test("every sample line the scan takes reads as the grammar reads it, and most calls are taken", () => {
  let taken = 0;
  let calls = 0;
  for (const { name, text } of sampleTraces()) {
    text.split("\n").forEach((line, i) => {
      if (/^[^"]*\b[a-z_0-9]+\(/.test(line)) calls++;
      const plain = plainLine(line);
      if (plain === null) return;
      taken++;
      assert.equal(plainScanDisagreement(line, plain), null, `${name}:${i + 1}: ${line}`);
    });
  }
  assert.ok(taken > 0.5 * calls, `taken ${taken} of ${calls} call lines`);
});

/** Pieces that sit at the edges of the plain forms. */
const EDGES = [
  " ", "  ", ",", ", ", "(", ")", "[", "]", "{", "}", "|", "||", "=", "==", " => ", "=>", "->", "<", ">", "<<", "\"",
  "\\", "\\\"", "...", ".", "-", "0x", "0x1f", "12:34:56", "1.5", "1e5", "[pid 3] ", "(deleted)", " (deleted)",
  "/* x */", " or ", "or", "<unfinished ...>", " <unfinished ...>", "<... x resumed>", "<0.000012>", "<1>", "?",
  "???", "@", "~", "&", "*", "\t", "\r", "\x1b", "é", "A", "_x", "9", "[ 5]", "[5]", "[00000000]", "`", "%", "'",
];

test("sample lines changed at random are never read differently from the grammar", () => {
  const lines = [...new Set(sampleTraces().flatMap((t) => t.text.split("\n")))].filter((l) => plainLine(l) !== null);
  assert.ok(lines.length > 1000);
  const edit = fc.tuple(fc.nat(), fc.nat(), fc.oneof(fc.constantFrom(...EDGES), fc.string({ maxLength: 4 })), fc.nat({ max: 3 }), fc.boolean());
  fc.assert(
    fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 3 }), (pick, edits) => {
      let line = lines[pick % lines.length]!;
      for (const [at, len, piece, drop, replace] of edits) {
        const i = at % (line.length + 1);
        line = line.slice(0, i) + piece + line.slice(i + (replace ? Math.min(drop, len % 4) : 0));
      }
      const problem = plainScanDisagreement(line);
      assert.equal(problem, null, `${JSON.stringify(line)}: ${problem}`);
    }),
    { numRuns: 20_000, seed: 20261125 },
  );
});
