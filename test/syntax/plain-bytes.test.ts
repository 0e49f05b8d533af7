// The worker's byte scan of plain calls must give, for every line it takes, exactly what the
// string path gives the decoded line: the same event (values, keys and their order) and the same
// stats and flag evidence, directly and through the worker's record. Checked on chosen lines,
// every sample line and random edits of them (the corpora and the flag matrix by `npm run
// conformance`).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { lightByBytes, plainByBytes, plainByString, plainBytesDisagreement } from "../../scripts/conformance-bytes.js";
import { OMITTED, type SyscallEvent, type Value } from "../../src/syntax/events.js";
import { sampleTraces } from "../property/strace-text.js";

/** Taken by the byte scan, and read as the string path reads it. */
function same(line: string): boolean {
  assert.equal(plainBytesDisagreement(line), null, line);
  return plainByBytes(line, "direct") !== null;
}

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
  'writev(20, [{iov_base="GET / HTTP/1.1\\r\\n", iov_len=16}, {iov_base="", iov_len=0}], 2) = 16',
  'accept4(3<TCP:[0.0.0.0:80]>, {sa_family=AF_INET, sin_port=htons(5555), sin_addr=inet_addr("127.0.0.1")}, [128 => 16], SOCK_CLOEXEC) = 4<TCP:[2]>',
  'socketpair(AF_UNIX, SOCK_STREAM, 0, [3<UNIX-STREAM:[1]>, 4<UNIX-STREAM:[2]>]) = 0',
  'setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0',
  'newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=3, ...}, AT_EMPTY_PATH) = 0',
  'fstat(1, {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0x1), ...}) = 0',
  'clone3({flags=CLONE_VM|CLONE_FS, exit_signal=0, stack=0x7f00, stack_size=0x7fff00} => {parent_tid=[9643]}, 88) = 9643',
  'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = 9650',
  'poll([{fd=4, events=POLLIN}], 1, 1000) = 1 ([{fd=4, revents=POLLIN}])',
  'pipe2([4, 5], O_NONBLOCK) = 0',
  'recvfrom(3, "x", 1, 0, NULL, NULL) = 1',
  'read(3, "\\177ELF\\2\\1\\1\\3\\0\\0\\0"..., 832) = 832',
  // comments after a value: execve's environment count, -X verbose's names
  '9836  23:34:02.036549 execve("./dup-keeps-alive", ["./dup-keeps-alive"], 0x7ffd9424ddb8 /* 3 vars */) = 0 <0.000180>',
  'shutdown(3, 0x1 /* SHUT_WR */) = 0',
  'shutdown(3<TCP:[1]>, 0x1 /* SHUT_WR */ /* again */) = 0', // two: the last is the value's
  'write(1 /* stdout */, "hi", 2 /* bytes */) = 2', // on the fd and the count the scan inspects
  'read(3, "x" /* s */, 1) = 1',
  'fcntl(3, 0x4 /* F_SETFL */, 0x800 /* O_NONBLOCK */) = 0',
  'setsockopt(3, 0x1 /* SOL_SOCKET */, 0xd /* SO_LINGER */, {l_onoff=1 /* on */, l_linger=0}, 8) = 0',
  'openat(AT_FDCWD, "/*not a comment*/", O_RDONLY) = 3',
  // what the flag evidence and the splice check read, through a comment
  'read(3<TCP:[1]> /* x */, "x", 1) = 1',
  'read(3, "abc"... /* c */, 4096) = 3',
  'read(0x3 /* a */, 0x7ffd, 0x10) = 0x10',
  // -r offsets
  '0.000123 read(3, "", 1) = 0',
  '9844       0.000371 close(3) = 0 <0.000010>',
  '[pid  9845] 12.5 write(3, "x", 1) = 1',
  // -n syscall numbers and -i addresses: skipped, and noted as the flag evidence (-n, -i)
  '9373  [  59] [00007ff0394bead7] execve("./a", ["./a"], 0x7ffd1f43abd8 /* 3 vars */) = 0',
  // -Y comms: skipped, and noted as the flag evidence (-Y)
  '4860<sh> 02:06:16.963361 openat(AT_FDCWD</tmp>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>',
  '[pid  4876<Web Content>] write(3<TCP:[1]>, "x", 1) = 1',
  '12<a-b> read(3,  <unfinished ...>',
  '9818  22:37:43.712183 [   1] [00007f547c4b8350] write(3<TCP:[1]>, "x", 1) = 1 <0.000010>',
  '[   3] close(3) = 0',
  '[0000000000401000] close(3) = 0',
  '[pid  9642] [????????] <... read resumed>"x", 1) = 1',
  // hex escapes (-x, -xx): decoded as the grammar does, the line's text read for the evidence
  'read(3, "\\x41", 1) = 1',
  'ioctl(1, TCGETS, {c_iflag=ICRNL|IXON, c_cc="\\x03"}) = 0',
  '2633  1709301662.069308 openat(AT_FDCWD<\\x2f\\x72\\x6f\\x6f\\x74>, "\\x2f\\x65\\x74\\x63", O_RDONLY) = -1 ENOENT (No such file or directory) <0.000030>',
  'openat(AT_FDCWD, "\\x2f\\x74\\x6d\\x70", O_RDONLY) = 3<\\x2f\\x74\\x6d\\x70>',
  'write(3<TCP:[1]>, "\\x47\\x45\\x54\\x20\\x2f"..., 4096) = 4096', // -xx: all hex
  'write(3, "GET \\x2f HTTP", 10) = 10', // -x: mixed
  'read(3, "\\x4A\\x4a\\x4\\xg\\x", 5) = 5', // either case, one digit, none
  'write(1, "\\x68\\x69\\x0a", 3) = 3',
  // writes to stdout and stderr whose count is the string's length: no output spliced in
  'write(1, "hi\\n", 3) = 3',
  '9836  23:34:02.039606 write(1, "sending 655360 bytes on fd 4 (al"..., 42) = 42 <0.000018>',
  'write(2<pipe:[5]>, "x\\101\\102", 3) = 3',
  'pwrite64(1, "ab", 2, 0) = 2',
  'write(1, "x", 1 <unfinished ...>',
  'read(3<TCP:[1]> [unconfined_t], "x", 1) = 1',
  'write(7, "a\\\\b\\"c", 5) = 5 (INJECTED)',
  'read(3, "x", 1) = 1 () (DELAYED)',
  'close(3) = 0x10',
  'read(0x3, 0x7ffd, 0x10) = 0x10',
  'read(-1, "", 18446744073709551615) = 0',
  'read(3, "x", 010) = 1',
  // ints at the edges of the decimal form sent as a value alone (V_INT_DEC): zero, minus zero,
  // int32's bounds and one past, a negative hex
  'fcntl(3, F_SETFD, 0) = 0',
  'read(3, "x", -0) = 1',
  'read(3, "x", 2147483647) = 1',
  'read(3, "x", 2147483648) = 1',
  'read(-2147483648, "x", -2147483649) = 1',
  'read(3, "x", -0x10) = 1',
  'read(3,  <unfinished ...>',
  '9642  close(5 <unfinished ...>',
  '9642  <... read resumed>"hello", 4096) = 5',
  '<... accept4 resumed>, NULL, SOCK_CLOEXEC) = 9',
  '[pid 7] <... write resumed>) = 50000 <0.000045>',
  '<... clone3 resumed> => {parent_tid=[9644]}, 88) = 9644',
  '<... read resumed>"x", 1) = -1 EINTR (Interrupted system call) (INJECTED) <0.5>',
  '<... read resumed>"x", 1) = ?',
  // the commonest shapes, read in one pass (flatCall): ints, names, flags and strings as the
  // arguments; a return, an errno, a text and a duration after them; either half of a cut call
  '9642  <... close resumed>) = 0 <0.000012>',
  '<... recvfrom resumed>"abc"..., 65536, 0, NULL, NULL) = 16392 (a b) <0.1>',
  'recvfrom(6,  <unfinished ...>',
  'exit(0)           = ?',
  'sendto(6, "GET /big HTTP/1.1\\r\\n"..., 38, MSG_NOSIGNAL, NULL, 0 <unfinished ...>',
  'fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK|0) = 0',
  'accept4(4, NULL, NULL, SOCK_CLOEXEC|SOCK_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable) <0.000012>',
  'read(-1, "", 3) = -1 EBADF (Bad file descriptor)',
  'read(3,"ab"...,2)   =   2',
  'dup2(3, 999999999) = 999999999',
  'dup2(3, 1000000000) = 1000000000',
  'ioctl(5, TIOCOUTQ, [491563]) = 0',
  'ioctl(5, FIONREAD, [ 7]|[8]) = 0',
  'fcntl(4, F_GETFL) = 0x2 (flags O_RDWR)',
  'read(3, 4096, 16) = 0x10', // hex return, int arguments: -e raw='s look
  '<... fcntl resumed>) = 0xABC (flags O_RDWR|O_NONBLOCK)',
];

/** A write to stdout of a string longer than LAZY_STRING_CHARS with escapes (read lazily),
 *  `count` its count: its decoded length is 800. */
const longWrite = (count: number) => `write(1, "${"a\\n".repeat(400)}", ${count}) = 800`;
/** The same with hex escapes (-xx), cut by -s or not: its decoded length is 600. */
const longHexWrite = (count: number, cut: boolean) => `write(1, "${"\\x61\\x0a\\x3".repeat(200)}"${cut ? "..." : ""}, ${count}) = 600`;

test("the byte scan takes plain calls and reads them as the string path does", () => {
  let taken = 0;
  const more = [longWrite(800), longHexWrite(600, false), longHexWrite(4096, true)];
  for (const line of [...TAKEN, ...more]) if (same(line)) taken++;
  assert.equal(taken, TAKEN.length + more.length);
  assert.ok(same('read(3, "abc", 4096) = 3'));
});

const LEFT = [
  'write(1, "hi\\n", 4) = 3', // the count is not the string's length: output spliced in (2>&1)
  'write(2<pipe:[5]>, "x", 12) = 1', // "2" glued to a count of 1
  'write(1, "x", 01) = 1', // the count's text is not the length's
  'write(1, "x\\101\\102", 5) = 3', // escapes: the length is 3
  'write(1, "x", 1 2) = 1', // two tokens in the count
  'pwrite64(2, "ab", 3, 0) = 2',
  'write(01, "x", 1) = 1', // an fd the scan does not read as 1 or 2: left whatever it is
  '9642  futex(0x1, FUTEX_WAIT, 2, NULL <unfinished ...>', // a light call: the light scan's
  'shutdown(3, 0x1 /* SHUT_WR */ = 0', // a comment where it cannot be
  'close(3 /* x) = 0', // unclosed
  'close(3/* x */) = 0', // no space before it
  'write(1, "hi", 3 /* c */) = 2', // a count that is not the length, commented
  'read(3, "strace: x", 9) = 9',
  '<... read resumed>"x", 1 <unfinished ...>', // resumed and cut again
  'read(3, "é", 2) = 2',
  '000000000.5 read(3, "", 1) = 0', // an epoch before 1973: readPrefix's
  '0.5e3 read(3, "", 1) = 0',
  'read(3, "", 1) = 0 <1.5',
  'read(3, "%", 1) = 1',
  'read(3, "x", 1) = 1 (DELAYED) (INJECTED)', // flags in the other order
  'read(3, "x", 1) = 1 (a) (b)', // two aux texts
  '[12345] close(3) = 0', // 5 digits, no space: an address to the grammar, not to the scans
  '[0000000000401000] [  3] close(3) = 0', // not in strace's order
  '[  3]  close(3) = 0',
  '[?????????] close(3) = 0',
  '12<123> close(3) = 0', // -Y comms the scans leave to the grammar
  '12<a->b> close(3) = 0',
  '12<a-> close(3) = 0',
  '12<unavailable> close(3) = 0',
  '[pid 12<a"b>] close(3) = 0',
  '12<x>close(3) = 0',
  'write(-1, "x", 1) = -1 EBADF (Bad file descriptor)', // an fd the splice check cannot read
  'close(3) = ?x',
  'close(3) = 0 (a)(b)',
  'close(3) = 00',
  'close(3) = 0x',
  'close(3) = 0x12345678901234', // more hex digits than intOf reads
  'ioctl(5, TIOCOUTQ, [49x]) = 0',
];

test("anything else is left to the string path", () => {
  for (const line of [...LEFT, longWrite(801), longHexWrite(601, false)]) assert.equal(plainByBytes(line, "direct"), null, line);
});

test("every sample line the byte scan takes reads as the string path reads it, and in -f -tt -T traces nearly every needed call is taken", () => {
  let taken = 0;
  let needed = 0;
  for (const { name, text } of sampleTraces()) {
    const seen = new Set<string>();
    const plainFlags = name.endsWith("f-tt-T.strace");
    text.split("\n").forEach((line, i) => {
      if (seen.has(line)) return;
      seen.add(line);
      let took: boolean;
      try {
        took = same(line);
      } catch (err) {
        throw new Error(`${name}:${i + 1}: ${(err as Error).message}`);
      }
      // The recording flags the bench trace is made of; execve's `/* N vars */` is the string
      // path's by design.
      if (!plainFlags || lightByBytes(line) !== null || !/^\d+ +[\d:.]+ (<\.\.\. )?(read|write|close|openat|recvfrom|sendto|accept4|shutdown|socket|clone3|fcntl|newfstatat)\b/.test(line)) return;
      needed++;
      if (took) taken++;
    });
  }
  assert.ok(taken > 0.95 * needed, `taken ${taken} of ${needed} lines of needed calls`);
});

const EDGES = [
  " ", "  ", ",", ", ", "(", ")", "[", "]", "{", "}", "|", "=", " => ", "<", ">", "\"", "\\", "\\\"", "...", ".", "-",
  "0x", "0x1f", "12:34:56", "1.5", "(deleted)", " (deleted)", "<unfinished ...>", "<0.000012>", "?", "\t", "\r", "é",
  "[ 5]", "[5]", "[00000000]", "0", "00", "-0", "9999999999999999", "or", "INJECTED", "(INJECTED)", " (x)", "@", "~",
];

test("sample lines changed at random are never read differently by the byte scan", () => {
  const lines = [...new Set(sampleTraces().flatMap((t) => t.text.split("\n")))].filter((l) => plainByBytes(l, "direct") !== null);
  assert.ok(lines.length > 1000);
  const edit = fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...EDGES), fc.string({ maxLength: 3 })), fc.nat({ max: 3 }));
  fc.assert(
    fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 3 }), (pick, edits) => {
      let line = lines[pick % lines.length]!;
      for (const [at, piece, drop] of edits) {
        const i = at % (line.length + 1);
        line = line.slice(0, i) + piece + line.slice(i + drop);
      }
      same(line);
    }),
    { numRuns: 10_000, seed: 20261205 },
  );
});

/** The arguments of the line's one event as the projected byte scan reads them (through the
 *  record), checked against the string path by plainBytesDisagreement first. */
function projectedArgs(line: string): readonly Value[] {
  assert.equal(plainBytesDisagreement(line), null, line);
  const got = plainByBytes(line, "record", true);
  assert.ok(got !== null, `taken: ${line}`);
  const ev = got.events[0]!;
  assert.equal(ev.type, "syscall", line);
  return (ev as SyscallEvent).args;
}

const struct = (...fields: [string, Value][]): Value => ({ kind: "struct", fields: fields.map(([name, value]) => ({ name, value })), elided: false });
const flags = (...names: string[]): Value => ({ kind: "flags", parts: names.map((name) => ({ kind: "ident", name })) });
const mode = (type: string, octal: string): Value => ({ kind: "flags", parts: [{ kind: "ident", name: type }, { kind: "int", value: parseInt(octal, 8), text: octal }] });

test("the arguments analyze's model never reads are walked past: paths, argv, stat and clone3 structs but the field read", () => {
  assert.deepEqual(projectedArgs('openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3'), [
    { kind: "ident", name: "AT_FDCWD" },
    OMITTED,
    flags("O_RDONLY", "O_CLOEXEC"),
  ]);
  const execve = projectedArgs('9836  23:34:02.036549 execve("./a", ["./a", "-x", ...], 0x7ffd9424ddb8 /* 3 vars */) = 0 <0.000180>');
  assert.deepEqual(execve.slice(0, 2), [OMITTED, OMITTED]);
  assert.deepEqual(execve[2], { kind: "int", value: 0x7ffd9424ddb8, text: "0x7ffd9424ddb8", comment: "3 vars" });
  // `""` is read (AT_EMPTY_PATH: the call is about the fd), a path is not.
  assert.deepEqual(projectedArgs('newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=3, ...}, AT_EMPTY_PATH) = 0'), [
    { kind: "int", value: 3, text: "3" },
    { kind: "str", value: "", truncated: false },
    struct(["st_mode", mode("S_IFREG", "0644")]),
    { kind: "ident", name: "AT_EMPTY_PATH" },
  ]);
  assert.deepEqual(projectedArgs('newfstatat(AT_FDCWD, "/x,}\\"", {st_mode=S_IFREG|0644, st_size=3, ...}, 0) = 0')[1], OMITTED);
  // Fields walked past over calls, comments and strings that hold a `}`.
  assert.deepEqual(
    projectedArgs('fstat(1, {st_dev=makedev(0x8, 0x1), st_mode=S_IFCHR|0620, st_atime=1700000000 /* 2023-11-14T22:13:20+0000 */, x="}, y"}) = 0')[1],
    struct(["st_mode", mode("S_IFCHR", "0620")]),
  );
  // Dropped fields are read all the same (a line the full scan refuses is refused): a decoration.
  assert.deepEqual(projectedArgs("fstat(3, {st_mode=S_IFSOCK|0777, st_dev=3<x>}) = 0")[1], struct(["st_mode", mode("S_IFSOCK", "0777")]));
  assert.equal(plainByBytes("fstat(3, {st_mode=S_IFSOCK|0777, st_dev=3<x}) = 0", "direct", true), null);
  const clone3 = projectedArgs("clone3({flags=CLONE_VM|CLONE_THREAD, child_tid=0x7f4e, exit_signal=0, stack=0x7f00, stack_size=0x7fff00} => {parent_tid=[9643]}, 88) = 9643");
  assert.deepEqual(clone3, [
    { kind: "changed", before: struct(["flags", flags("CLONE_VM", "CLONE_THREAD")]), after: struct() },
    { kind: "int", value: 88, text: "88" },
  ]);
  // The first half of a cut call too; its struct is joined with the resumed half's as ever.
  assert.deepEqual(plainByBytes("9642  clone3({flags=CLONE_VM, stack=0x7f00}, 88 <unfinished ...>", "record", true)?.events[0], {
    ...(plainByBytes("9642  clone3({flags=CLONE_VM, stack=0x7f00}, 88 <unfinished ...>", "record")!.events[0] as SyscallEvent),
    args: [struct(["flags", { kind: "ident", name: "CLONE_VM" }]), { kind: "int", value: 88, text: "88" }],
  });
  assert.deepEqual(
    projectedArgs('statx(AT_FDCWD, "/tmp", AT_STATX_SYNC_AS_STAT, STATX_ALL, {stx_mask=STATX_ALL, stx_mode=S_IFDIR|0777, stx_size=4096, ...}) = 0')[4],
    struct(["stx_mode", mode("S_IFDIR", "0777")]),
  );
});

test("an argument of an unexpected shape is read in full, and the model's arguments always are", () => {
  const read = (line: string, k: number) => {
    const full = plainByBytes(line, "record")!.events[0] as SyscallEvent;
    assert.deepEqual(projectedArgs(line)[k], full.args[k], line);
  };
  read('openat(AT_FDCWD, "/x" /* c */, O_RDONLY) = 3', 1); // a comment after it
  read('openat(AT_FDCWD, "", O_RDONLY) = 3', 1); // empty
  read("execve(\"./a\", [], 0x7ffd /* 0 vars */) = 0", 1); // no string in the array
  read("execve(\"./a\", [\"a\" \"b\"], NULL) = 0", 1); // not `, ` between the strings
  read("fstat(3, {0x1, st_mode=S_IFREG}) = 0", 1); // a field with no name
  read("fstat(3, {st_mode=S_IFREG,st_size=1}) = 0", 1); // no space after the comma
  read("clone3({flags=CLONE_VM} /* c */, 88) = 5", 0);
  // the write family and the reads keep every argument
  read('write(3, "x", 1) = 1', 1);
  read('read(3, "x", 1) = 1', 1);
  // a resumed half's slots are not the call's positions
  const resumed = plainByBytes('<... openat resumed>"/x", O_RDONLY) = 3', "record", true);
  assert.ok(resumed === null || !JSON.stringify(resumed.events).includes('"omitted"'));
});

test("the -s evidence of a second argument left out is still noted", () => {
  const line = 'openat(AT_FDCWD, "/a/very/long/path/cut/by/strace\\x41"..., O_RDONLY) = 3';
  assert.equal(plainBytesDisagreement(line), null);
  assert.deepEqual(plainByBytes(line, "record", true)!.stats, plainByString(line).stats);
  assert.deepEqual(projectedArgs(line)[1], OMITTED);
});
