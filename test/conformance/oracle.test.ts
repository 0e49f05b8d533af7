// The field oracle itself: it must read strace's tricky lines right, and its comparison must
// report a wrong field (otherwise the matrix field test could not fail).
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareFields, expectFromLines, guessMode, plainNumber, removeSplices, splitArgs } from "../../scripts/conformance-oracle.js";
import type { OracleMode } from "../../scripts/conformance-oracle.js";
import type { SyscallEvent, Value } from "../../src/syntax/events.js";

const BARE: OracleMode = { pidPrefix: "bare", filePid: null };
const NONE: OracleMode = { pidPrefix: "none", filePid: null };
const BRACKET: OracleMode = { pidPrefix: "bracket", filePid: null };

function one(line: string, mode: OracleMode) {
  const { complete } = expectFromLines([line], mode);
  assert.equal(complete.length, 1, `not read as a complete call: ${line}`);
  const { pid, name, ret, errno } = complete[0]!;
  return { pid, name, ret, errno };
}

test("complete lines: pid, name, return value and errno", () => {
  const cases: [string, OracleMode, ReturnType<typeof one>][] = [
    [
      '9724  write(3<UNIX-STREAM:[20920->20921]>, "AAAA"..., 65536) = -1 EAGAIN (Resource temporarily unavailable)',
      BARE,
      { pid: 9724, name: "write", ret: -1, errno: "EAGAIN" },
    ],
    [
      '4450  openat(AT_FDCWD</tmp>, "/tmp/a) = 5.txt", O_RDWR|O_CREAT, 0644) = 5</tmp/a) = 5.txt>',
      BARE,
      { pid: 4450, name: "openat", ret: 5, errno: null },
    ],
    ["18769 1795563678.325579 brk(NULL)       = 0x55c3188c9000 <0.000014>", BARE, { pid: 18769, name: "brk", ret: 0x55c3188c9000, errno: null }],
    [
      '18893 23:41:18.831500 [  59] [00007f184ba8cad7] execve("/x", ["x"], 0x7ffe /* 35 vars */) = 0 <0.000197>',
      BARE,
      { pid: 18893, name: "execve", ret: 0, errno: null },
    ],
    ["18922<chatty> clone(child_stack=NULL, flags=SIGCHLD) = 9836<chatty>", BARE, { pid: 18922, name: "clone", ret: 9836, errno: null }],
    ["1795560611 write(1, \"x\", 1) = 1 <0>", NONE, { pid: null, name: "write", ret: 1, errno: null }],
    [
      "read(5, 0x7fff6dd3ed30, 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)",
      NONE,
      { pid: null, name: "read", ret: null, errno: "ERESTARTSYS" },
    ],
    ['write(1, "x) = 3", 6)                  = 6', NONE, { pid: null, name: "write", ret: 6, errno: null }],
    ['18960 write(1, "~chatty~ f"..., 38) = 5 (INJECTED)', BARE, { pid: 18960, name: "write", ret: 5, errno: null }],
    [
      '1 write(3, "x", 1) = -1 EAGAIN (Resource temporarily unavailable) (INJECTED) <0.000010>',
      BARE,
      { pid: 1, name: "write", ret: -1, errno: "EAGAIN" },
    ],
    ["fcntl(5, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)", NONE, { pid: null, name: "fcntl", ret: 0x8002, errno: null }],
    ["poll([{fd=6, events=POLLOUT}], 1, 200) = 1 ([{fd=6, revents=POLLOUT}])", NONE, { pid: null, name: "poll", ret: 1, errno: null }],
    ["[pid  1234] exit_group(0)                     = ?", BRACKET, { pid: 1234, name: "exit_group", ret: null, errno: null }],
    ["[pid 26530<chatty>] close(3) = 0", BRACKET, { pid: 26530, name: "close", ret: 0, errno: null }],
    ["close(3) = 0", BRACKET, { pid: null, name: "close", ret: 0, errno: null }],
    ["     0.000038 shutdown(3, SHUT_WR) = 0", NONE, { pid: null, name: "shutdown", ret: 0, errno: null }],
    ['22:45:42 (+     0.000351) write(2, "x", 1) = 1', NONE, { pid: null, name: "write", ret: 1, errno: null }],
    ["9771  write(0x3, 0x55bef88a1200, 0x10000) = 0x1f80", BARE, { pid: 9771, name: "write", ret: 8064, errno: null }],
    ["3619  futex(0x1, FUTEX_WAIT, 0, NULL) = ? <unavailable>", BARE, { pid: 3619, name: "futex", ret: null, errno: null }],
    ["7 close(3</tmp/x>(deleted)) = 0", BARE, { pid: 7, name: "close", ret: 0, errno: null }],
  ];
  for (const [line, mode, want] of cases) assert.deepEqual(one(line, mode), want, line);
});

test("lines that are not complete calls are not read as such", () => {
  const lines = [
    "9724  wait4(9726,  <unfinished ...>",
    "9724  --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=9724, si_uid=0} ---",
    "9724  +++ exited with 0 +++",
    " > /usr/lib/x86_64-linux-gnu/libc.so.6(shutdown+0x7) [0x10ad97]",
    "100.00    0.017083         115       148        15 total",
    '4450  write(1, "~chatty~ x\\n", 11',
  ];
  assert.deepEqual(expectFromLines(lines, BARE).complete, []);
});

test("unfinished and resumed halves are paired per pid and name, arguments split per half", () => {
  const lines = [
    "9724  wait4(9726,  <unfinished ...>",
    "9725  exit(0)                           = ?",
    "9724  <... wait4 resumed>NULL, 0, NULL) = 9726",
    "4450  clone3({flags=CLONE_VM|CLONE_FILES, stack=0x7f1} <unfinished ...>",
    "4450  <... clone3 resumed> => {parent_tid=[4451]}, 88) = 4451",
    "4455  pipe2( <unfinished ...>",
    "4455  <... pipe2 resumed>[5<pipe:[5739]>, 6<pipe:[5739]>], 0) = 0",
    "2634  epoll_pwait(3,  <unfinished ...>",
    "2634  <... epoll_pwait resumed> <unfinished ...>) = ?",
  ];
  const { joined } = expectFromLines(lines, BARE);
  assert.deepEqual(
    joined.map((j) => [j.line, j.endLine, j.pid, j.name, j.ret, j.firstHalf, j.secondHalf, j.continuesLastArg]),
    [
      [1, 3, 9724, "wait4", 9726, ["9726"], ["NULL", "0", "NULL"], false],
      [4, 5, 4450, "clone3", 4451, ["{flags=CLONE_VM|CLONE_FILES, stack=0x7f1}"], ["=> {parent_tid=[4451]}", "88"], true],
      [6, 7, 4455, "pipe2", 0, [], ["[5<pipe:[5739]>, 6<pipe:[5739]>]", "0"], false],
    ],
  );
});

test("stderr captures: an unprefixed half is never paired, and it voids pending calls of its name", () => {
  const lines = [
    "[pid  8871] clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>",
    "<... clone resumed>, child_tidptr=0x7f69482e7a10) = ? ERESTARTNOINTR (To be restarted)",
    "clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>",
    "[pid  8871] <... clone resumed>, child_tidptr=0x7f69482e7a10) = 8878",
    "[pid  8871] wait4(8877,  <unfinished ...>",
    "[pid  8871] <... wait4 resumed>NULL, 0, NULL) = 8877",
  ];
  assert.deepEqual(
    expectFromLines(lines, BRACKET).joined.map((j) => [j.line, j.endLine, j.name]),
    [[5, 6, "wait4"]],
  );
});

test("argument splitting skips strings, comments, brackets and fd decorations", () => {
  assert.deepEqual(splitArgs('5</tmp/we\\74i\\76rd, {name}\\n\\"q\\" \\303\\251.txt>(deleted), "after, unlink\\n", 13'), [
    '5</tmp/we\\74i\\76rd, {name}\\n\\"q\\" \\303\\251.txt>(deleted)',
    '"after, unlink\\n"',
    "13",
  ]);
  assert.deepEqual(splitArgs("0x1 /* AF_UNIX, really */, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0"), [
    "0x1 /* AF_UNIX, really */",
    "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]",
    "0",
  ]);
  assert.deepEqual(splitArgs("[{fd=6<TCP:[127.0.0.1:34932->127.0.0.1:44431]>, events=POLLOUT}], 1, 200"), [
    "[{fd=6<TCP:[127.0.0.1:34932->127.0.0.1:44431]>, events=POLLOUT}]",
    "1",
    "200",
  ]);
  assert.deepEqual(splitArgs(""), []);
  assert.equal(plainNumber("3<UNIX-STREAM:[1->2]>"), 3);
  assert.equal(plainNumber("0x10"), 16);
  assert.equal(plainNumber("0644"), null);
  assert.equal(plainNumber("NULL"), null);
});

function ev(line: number, fields: Partial<SyscallEvent>): SyscallEvent {
  return {
    type: "syscall",
    file: "t",
    line,
    pid: 9724,
    time: null,
    name: "write",
    args: [],
    ret: 0,
    errno: null,
    form: "complete",
    ...fields,
  };
}

test("the comparison reports every wrong field as path:line: expected X got Y", () => {
  const lines = [
    '9724  write(3, "x", 1) = -1 EAGAIN (Resource temporarily unavailable)',
    "9724  close(3) = 0",
    "9724  wait4(9726,  <unfinished ...>",
    "9724  <... wait4 resumed>NULL, 0, NULL) = 9726",
    "9724  dup(3) = 4",
  ];
  const expected = expectFromLines(lines, BARE);
  const int = (n: number): Value => ({ kind: "int", value: n, text: String(n) });
  const ident = (s: string): Value => ({ kind: "ident", name: s });
  const right = [
    ev(1, { ret: -1, errno: "EAGAIN" }),
    ev(2, { name: "close" }),
    ev(3, { name: "wait4", ret: 9726, form: "joined", endLine: 4, args: [int(9726), ident("NULL"), int(0), ident("NULL")] }),
    ev(5, { name: "dup", ret: 4 }),
  ];
  assert.deepEqual(compareFields("t", right, expected), []);
  const wrong = [
    ev(1, { ret: 1, errno: null }),
    ev(2, { name: "close", pid: null, form: "never-resumed" }),
    ev(3, { name: "wait4", ret: 9726, form: "joined", endLine: 4, args: [int(9726)] }),
  ];
  assert.deepEqual(compareFields("t", wrong, expected), [
    "t:1: ret: expected -1 got 1",
    't:1: errno: expected "EAGAIN" got null',
    "t:2: pid: expected 9724 got null",
    't:2: form: expected "complete" got "never-resumed"',
    "t:5: expected syscall dup got no event",
    "t:3: args: expected 4 (1 before <unfinished ...>, 3 after resumed) got 1",
  ]);
  const badArg = [ev(3, { name: "wait4", ret: 9726, form: "resumed-only", endLine: 4, args: [int(1), ident("NULL"), int(0), ident("NULL")] })];
  const problems = compareFields("t", badArg, { complete: [], joined: expected.joined });
  assert.deepEqual(problems, [
    't:3: form: expected "joined" got "resumed-only"',
    't:3: arg 0 (from the unfinished half, "9726"): expected 9726 got {"kind":"int","value":1,"text":"1"}',
  ]);
  const shifted = [ev(3, { name: "wait4", ret: 9726, form: "joined", endLine: 4, args: [int(9726), int(0), ident("NULL"), ident("NULL")] })];
  assert.deepEqual(compareFields("t", shifted, { complete: [], joined: expected.joined }), [
    't:3: arg 2 (from the resumed half, "0"): expected 0 got {"kind":"ident","name":"NULL"}',
  ]);
});

test("the pid layout of a trace with unknown flags is guessed from its lines", () => {
  assert.deepEqual(guessMode(["9724  close(3) = 0", "9725  close(4) = 0", ""]), BARE);
  assert.deepEqual(guessMode(["1795560611 close(3) = 0", "1795560612 close(4) = 0"]), NONE);
  assert.deepEqual(guessMode(["close(3) = 0", "[pid  12] close(4) = 0"]), BRACKET);
  assert.deepEqual(guessMode(["00:09:47.789648 close(3) = 0"]), NONE);
  assert.deepEqual(guessMode([]), NONE);
});

test("2>&1 captures: program and strace messages are cut out and strace's lines rebuilt", () => {
  const text = [
    'write(1, "~chatty~ hi\\n", 12~chatty~ hi',
    ") = 12",
    "~chatty~ a whole line of output",
    'write(2, "~chatty~ nn~", 12~chatty~ nn~) = 12',
    "clone(child_stack=NULL, flags=SIGCHLDstrace: Process 5 attached",
    ", child_tidptr=0x1) = 5",
    "strace: Process 6 attached",
    "[pid     5] exit_group(0) = ?",
    "",
  ].join("\n");
  const r = removeSplices(text);
  assert.deepEqual(r.lines, [
    'write(1, "~chatty~ hi\\n", 12) = 12',
    'write(2, "~chatty~ nn~", 12) = 12',
    "clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0x1) = 5",
    "[pid     5] exit_group(0) = ?",
  ]);
  assert.deepEqual(r.origin, [1, 4, 5, 8]);
  assert.deepEqual(r.span, [2, 1, 2, 1]);
});
