// Lines in, events out: joining unfinished/resumed per thread, rejoining calls cut by `2>&1`
// splices, classifying every physical line, and giving the same events however the lines are
// batched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { EventParser } from "../../src/syntax/event-parser.js";
import type { SyscallEvent, TraceEvent } from "../../src/syntax/events.js";

function run(text: string, opts: { pid?: number | null; batch?: number } = {}): { events: TraceEvent[]; parser: EventParser } {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const parser = createEventParser({ file: "t.log", pid: opts.pid ?? null });
  const events: TraceEvent[] = [];
  const size = opts.batch ?? lines.length;
  for (let i = 0; i < lines.length; i += size) parser.push(lines.slice(i, i + size), i + 1, events);
  parser.end(events);
  return { events, parser };
}

function syscalls(events: readonly TraceEvent[]): SyscallEvent[] {
  return events.filter((e): e is SyscallEvent => e.type === "syscall");
}

function lineTotal(p: EventParser): number {
  return Object.values(p.stats.lines).reduce((a, b) => a + b, 0);
}

test("a complete call becomes one syscall event with pid, ret, errno, duration and time", () => {
  const { events } = run(
    "9668  22:37:43.712183 write(3<UNIX-STREAM:[20920->20921]>, \"AAAA\"..., 65536) = -1 EAGAIN (Resource temporarily unavailable) <0.000013>\n",
  );
  assert.equal(events.length, 1);
  const ev = events[0] as SyscallEvent;
  assert.equal(ev.type, "syscall");
  assert.equal(ev.pid, 9668);
  assert.equal(ev.name, "write");
  assert.equal(ev.ret, -1);
  assert.equal(ev.errno, "EAGAIN");
  assert.equal(ev.aux, "Resource temporarily unavailable");
  assert.equal(ev.form, "complete");
  assert.equal(ev.line, 1);
  assert.ok(Math.abs(ev.time! - (22 * 3600 + 37 * 60 + 43.712183)) < 1e-6);
  assert.ok(Math.abs(ev.durationUs! - 13) < 1e-9);
  assert.deepEqual(ev.args[0], { kind: "fd", fd: 3, path: "UNIX-STREAM:[20920->20921]" });
  assert.equal(ev.args.length, 3);
});

test("unfinished + resumed join per thread with the arguments of both halves (6.1 and 7.x separators)", () => {
  const old = syscalls(
    run(
      [
        "9724  wait4(9726,  <unfinished ...>",
        "9725  write(3, \"x\", 1) = 1",
        "9724  <... wait4 resumed>NULL, 0, NULL) = 9726 <0.5>",
      ].join("\n"),
    ).events,
  );
  const wait = old.find((e) => e.name === "wait4")!;
  assert.equal(wait.form, "joined");
  assert.equal(wait.line, 1);
  assert.equal(wait.endLine, 3);
  assert.equal(wait.ret, 9726);
  assert.equal(wait.args.length, 4);
  assert.deepEqual(wait.args[0], { kind: "int", value: 9726, text: "9726" });
  assert.equal(wait.durationUs, 500000);
  // Events come in the order of effects: the write completed before the wait4.
  assert.deepEqual(old.map((e) => e.name), ["write", "wait4"]);

  const nu = syscalls(run("29770 wait4(29772 <unfinished ...>\n29770 <... wait4 resumed>, NULL, 0, NULL) = 29772\n").events);
  assert.equal(nu[0].args.length, 4);

  const clone3 = syscalls(
    run(
      "29778 clone3({flags=CLONE_VM, exit_signal=0} <unfinished ...>\n29778 <... clone3 resumed> => {parent_tid=[29779]}, 88) = 29779\n",
    ).events,
  )[0];
  assert.equal(clone3.args.length, 2);
  assert.equal(clone3.args[0].kind, "changed");
  assert.equal(clone3.ret, 29779);
});

test("resumed-then-unfinished accumulates; 4.x `resumed> )` with a space", () => {
  const evs = syscalls(
    run(
      [
        "1 epoll_wait(5,  <unfinished ...>",
        "1 <... epoll_wait resumed> [], 64, <unfinished ...>",
        "1 <... epoll_wait resumed> 100) = 0",
        "2 futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>",
        "2 <... futex resumed> ) = -1 EAGAIN (Resource temporarily unavailable)",
      ].join("\n"),
    ).events,
  );
  assert.equal(evs[0].name, "epoll_wait");
  assert.equal(evs[0].args.length, 4);
  assert.equal(evs[0].line, 1);
  assert.equal(evs[1].errno, "EAGAIN");
  assert.equal(evs[1].args.length, 4);
});

test("resumed with no start (after -p attach) is resumed-only; a call that never resumes is flushed", () => {
  const { events } = run(
    [
      "100 <... read resumed>\"abc\", 10) = 3",
      "101 nanosleep({tv_sec=5, tv_nsec=0},  <unfinished ...>",
      "102 write(3, \"x\", 1 <unfinished ...>",
      "102 +++ killed by SIGKILL +++",
    ].join("\n"),
  );
  const calls = syscalls(events);
  const read = calls.find((e) => e.name === "read")!;
  assert.equal(read.form, "resumed-only");
  assert.equal(read.args.length, 2);
  const write = calls.find((e) => e.name === "write")!;
  assert.equal(write.form, "never-resumed");
  assert.equal(write.ret, null);
  // The killed thread's call is flushed before its exit event; the sleeper at the end of input.
  const order = events.map((e) => (e.type === "syscall" ? e.name : e.type));
  assert.deepEqual(order, ["read", "write", "exit", "nanosleep"]);
});

test("execve by a non-leader thread resumes under the tgid", () => {
  const { events } = run(
    [
      "11349 execve(\"/bin/echo\", [\"echo\", \"superseded\"], 0x7ffd /* 39 vars */ <unfinished ...>",
      "11347 <... futex resumed>) = ?",
      "11347 +++ superseded by execve in pid 11349 +++",
      "11347 <... execve resumed>) = 0",
    ].join("\n"),
  );
  const exec = syscalls(events).find((e) => e.name === "execve")!;
  assert.equal(exec.form, "joined");
  assert.equal(exec.line, 1);
  assert.equal(exec.pid, 11347);
  assert.equal(exec.args.length, 3);
  const exit = events.find((e) => e.type === "exit")!;
  assert.equal(exit.type === "exit" && exit.how, "superseded");
  assert.equal(exit.type === "exit" && exit.newPid, 11349);
});

test("restart_syscall and <detached ...>", () => {
  const { events } = run(
    [
      "10514 restart_syscall(<... resuming interrupted clock_nanosleep ...> <unfinished ...>",
      "10514 <... restart_syscall resumed>) = 0",
      "restart_syscall(<... resuming interrupted read ...> <detached ...>",
    ].join("\n"),
  );
  const calls = syscalls(events);
  assert.equal(calls[0].form, "joined");
  assert.equal(calls[0].ret, 0);
  assert.equal(calls[1].form, "never-resumed");
  assert.ok(events.some((e) => e.type === "notice" && e.notice === "detached"));
});

test("signals, stops and exits become their events", () => {
  const { events } = run(
    [
      "9724  --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=9724, si_uid=0} ---",
      "10514 --- stopped by SIGSTOP ---",
      "9725  +++ exited with 7 +++",
      "9726  +++ killed by SIGSEGV (core dumped) +++",
    ].join("\n"),
  );
  assert.equal(events[0].type === "signal" && events[0].signal, "SIGPIPE");
  assert.equal(events[0].type === "signal" && events[0].info?.kind, "struct");
  assert.equal(events[1].type === "notice" && events[1].notice, "stopped");
  assert.deepEqual(events[2], { type: "exit", file: "t.log", line: 3, pid: 9725, time: null, how: "exited", code: 7 });
  assert.equal(events[3].type === "exit" && events[3].coreDumped, true);
});

test("2>&1: strace messages spliced into a call are cut out and the call rejoined", () => {
  const { events, parser } = run(
    [
      "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLDstrace: Process 9644 attached",
      ", child_tidptr=0x7f1303da6a10) = 9644",
      "clone3({flags=CLONE_VM, tls=0x7f39e0a906c0}/opt/strace/bin/strace: Process 29779 attached",
      " <unfinished ...>",
      "[pid 29779] rseq({cpu_id_start=0} <unfinished ...>",
      "[pid 29778] <... clone3 resumed> => {parent_tid=[29779]}, 88) = 29779",
    ].join("\n"),
  );
  const calls = syscalls(events);
  const clone = calls.find((e) => e.name === "clone")!;
  assert.equal(clone.ret, 9644);
  assert.equal(clone.args.length, 3);
  assert.equal(clone.line, 1);
  const notices = events.filter((e) => e.type === "notice");
  assert.deepEqual(notices.map((n) => n.type === "notice" && n.pid), [9644, 29779]);
  assert.equal(parser.stats.lines.unrecognized, 0);
  assert.equal(parser.stats.lines.foreign, 0);
  assert.equal(lineTotal(parser), 6);
});

test("2>&1: a write cut by strace's message after its count, its bytes and rest on the next line", () => {
  // Seen in a real `-f 2>&1` capture: the message landed between the count and the output.
  const { events, parser } = run(
    [
      '[pid 21772] write(1, "~chatty~ done, partial line with"..., 44strace: Process 21788 attached',
      "~chatty~ done, partial line without newline~) = 44",
      "[pid 21772] close(3) = 0",
    ].join("\n"),
  );
  const calls = syscalls(events);
  assert.deepEqual(calls.map((c) => [c.name, c.line, c.ret]), [["write", 1, 44], ["close", 3, 0]]);
  assert.deepEqual(calls[0]!.args.map((a) => a.kind), ["int", "str", "int"]);
  const foreign = events.filter((e) => e.type === "foreign").map((e) => e.type === "foreign" && e.text);
  assert.deepEqual(foreign, ["~chatty~ done, partial line without newline~"]);
  assert.equal(parser.stats.lines.unrecognized, 0);
  assert.equal(lineTotal(parser), 3);
});

test("2>&1: a write's bytes, then strace's message, then the call's rest on the next line", () => {
  // Seen in a real `-f -s 4096 -x 2>&1` capture on a busy machine: the output came first, the
  // message after it. Also output cut by the message, with its line break after it (-s cut it).
  const { events, parser } = run(
    [
      'write(1, "~chatty~ done, partial line without newline~", 44~chatty~ done, partial line without newline~strace: Process 6955 attached',
      ") = 44",
      'write(1, "ab\\ncd", 5abstrace: Process 6956 attached',
      "",
      "cd) = 5",
      'write(2, "abc"..., 10abcdefstrace: Process 6957 attached',
      "ghij) = 10",
    ].join("\n"),
  );
  const calls = syscalls(events);
  assert.deepEqual(calls.map((c) => [c.name, c.line, c.endLine, c.ret, c.args.length]), [
    ["write", 1, 2, 44, 3],
    ["write", 3, 5, 5, 3],
    ["write", 6, 7, 10, 3],
  ]);
  const foreign = events.filter((e) => e.type === "foreign").map((e) => e.type === "foreign" && e.text);
  assert.deepEqual(foreign, ["~chatty~ done, partial line without newline~", "ab", "cd", "abcdef", "ghij"]);
  assert.equal(events.filter((e) => e.type === "notice").length, 3);
  assert.equal(parser.stats.lines.unrecognized, 0);
  assert.equal(lineTotal(parser), 7);
});

test("2>&1: program output glued to a write is skipped using the write's own string", () => {
  const { events, parser } = run(
    [
      'write(1, "program stdout line 1\\n", 22program stdout line 1',
      ") = 22",
      'write(2, "program stderr no newline...", 28program stderr no newline...) = 28',
      '[pid 12469] write(1, "child says hi\\nsecond line", 25child says hi',
      "second line) = 25",
      'write(1, "42", 242) = 2',
      "unrelated program output",
    ].join("\n"),
  );
  const writes = syscalls(events);
  assert.deepEqual(
    writes.map((w) => [w.ret, w.args.length, w.args[2]]),
    [
      [22, 3, { kind: "int", value: 22, text: "22" }],
      [28, 3, { kind: "int", value: 28, text: "28" }],
      [25, 3, { kind: "int", value: 25, text: "25" }],
      [2, 3, { kind: "int", value: 2, text: "2" }],
    ],
  );
  const foreign = events.filter((e) => e.type === "foreign").map((e) => e.type === "foreign" && e.text);
  assert.deepEqual(foreign, [
    "program stdout line 1",
    "program stderr no newline...",
    "child says hi",
    "second line",
    "42",
    "unrelated program output",
  ]);
  assert.equal(parser.stats.lines.unrecognized, 0);
  assert.equal(lineTotal(parser), 7);
});

test("non-strace lines are foreign, never dropped; -k frames attach to their call; hex dumps and summaries are classified", () => {
  const { events, parser } = run(
    [
      "hello from the program",
      "9724  shutdown(3, SHUT_WR) = 0",
      " > /usr/lib/x86_64-linux-gnu/libc.so.6(shutdown+0x7) [0x10ad97]",
      " > /tmp/race(main+0x139) [0x2653]",
      'write(15, "line1\\nline2\\n", 12) = 12',
      " | 00000  6c 69 6e 65 31 0a 6c 69  6e 65 32 0a              line1.line2.     |",
      "",
      "% time     seconds  usecs/call     calls    errors syscall",
      "------ ----------- ----------- --------- --------- ----------------",
      " 60.00    0.000006           6         1           write",
      "100.00    0.000010           5         2         1 total",
    ].join("\n"),
  );
  assert.equal(events[0].type, "foreign");
  const shutdown = syscalls(events)[0];
  assert.deepEqual(shutdown.stack, ["/usr/lib/x86_64-linux-gnu/libc.so.6(shutdown+0x7) [0x10ad97]", "/tmp/race(main+0x139) [0x2653]"]);
  const s = parser.stats;
  assert.equal(s.lines.stack, 2);
  assert.equal(s.lines.hexdump, 1);
  assert.equal(s.lines.summary, 4);
  assert.equal(s.lines.blank, 1);
  assert.equal(s.lines.foreign, 1);
  assert.equal(s.lines.unrecognized, 0);
  assert.equal(lineTotal(parser), 11);
  assert.ok(s.flags.has("-k") && s.flags.has("-c"));
});

test("--color escape codes are stripped; CRLF endings tolerated; -ff pid from the file name", () => {
  const { events, parser } = run("\x1b[1mwrite\x1b[0m(3, \"x\", 1) = \x1b[32m1\x1b[0m\r\n", { pid: 4242 });
  const w = syscalls(events)[0];
  assert.equal(w.ret, 1);
  assert.equal(w.pid, 4242);
  assert.ok(parser.stats.flags.has("--color"));
});

test("ret of hex-printed values is converted; fd returns keep their decoration", () => {
  const evs = syscalls(
    run(
      [
        "fcntl(6, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)",
        "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 6<TCP:[20931]>",
        "write(0x3, 0x55bef88a1200, 0x10000) = 0x1f80",
        "write(3, \"AAAA\", 4) = -1 EAGAIN (Resource temporarily unavailable) (INJECTED)",
      ].join("\n"),
    ).events,
  );
  assert.equal(evs[0].ret, 0x802);
  assert.equal(evs[0].aux, "flags O_RDWR|O_NONBLOCK");
  assert.equal(evs[1].retPath, "TCP:[20931]");
  assert.equal(evs[2].ret, 8064);
  assert.equal(evs[3].injected, true);
  assert.equal(evs[3].aux, "Resource temporarily unavailable");
});

test("stats count lines by kind, syscalls, pids and flag evidence", () => {
  const { parser } = run(
    [
      "9724  1795559863.915271 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 6<TCP:[20931]> <0.000013>",
      "9725  1795559863.915280 write(6<TCP:[1.2.3.4:5->6.7.8.9:10]>, \"AAAA\"..., 100) = 4 <0.000013>",
      "9725  1795559863.915290 write(6<TCP:[1.2.3.4:5->6.7.8.9:10]>, \"AAAA\"..., 100) = 4 <0.000013>",
    ].join("\n"),
  );
  const s = parser.stats;
  assert.equal(s.lines.syscall, 3);
  assert.equal(s.syscalls.get("write"), 2);
  assert.deepEqual([...s.pids].sort(), [9724, 9725]);
  for (const f of ["-f", "-ttt", "-T", "-yy"]) assert.ok(s.flags.has(f), f);
  assert.equal(s.truncatedStringBytes, 4);
});

test("the fast path counts lines and pids as the full parse does, but no syscalls by name", () => {
  const lines = [
    "9724  1795559863.915271 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f00 <0.000013>",
    "9725  1795559863.915280 write(6, \"AAAA\"..., 100) = 4 <0.000013>",
  ];
  const fast = createEventParser({ file: "t.log", pid: null, needsArgs: (n) => n === "write" });
  const full = createEventParser({ file: "t.log", pid: null });
  for (const p of [fast, full]) {
    p.push(lines, 1, []);
    p.end([]);
  }
  assert.deepEqual(fast.stats.lines, full.stats.lines);
  assert.deepEqual([...fast.stats.pids], [...full.stats.pids]);
  assert.deepEqual([...full.stats.syscalls], [["mmap", 1], ["write", 1]]);
  assert.equal(fast.stats.syscalls.size, 0);
});

test("the same events whether fed whole, line by line, or in 7-line batches", () => {
  const text = [
    "9724  close(5) = 0",
    " > /tmp/race(main+0x100) [0x2600]",
    "9724  wait4(9726,  <unfinished ...>",
    "clone(child_stack=NULL, flags=SIGCHLDstrace: Process 9644 attached",
    ") = 9644",
    'write(1, "a\\nb\\n", 4a',
    "b",
    ") = 4",
    "9724  shutdown(3, SHUT_WR) = 0",
    " > /tmp/race(main+0x139) [0x2653]",
    "9726  +++ exited with 0 +++",
    "9724  <... wait4 resumed>NULL, 0, NULL) = 9726",
    "random program output",
    "9724  +++ exited with 0 +++",
  ].join("\n");
  const whole = run(text).events;
  assert.equal((whole[0] as SyscallEvent).stack?.length, 1);
  assert.deepEqual(run(text, { batch: 7 }).events, whole);
  assert.deepEqual(run(text, { batch: 2 }).events, whole);
  assert.deepEqual(run(text, { batch: 1 }).events, whole);
});

test("the last call is held for its frames until the next event, flush or end; flush hands it out", () => {
  const parser = createEventParser({ file: "t.log" });
  const out: TraceEvent[] = [];
  parser.push(["1 close(3) = 0", "1 close(4) = 0"], 1, out);
  assert.equal(out.length, 1); // close(4) may still get frames from the next batch
  parser.push([" > /lib/libc.so.6(close+0x14) [0x1149a4]"], 3, out);
  assert.equal(out.length, 1);
  parser.flush(out); // the input paused (a live pipe): no frame is coming
  assert.equal(out.length, 2);
  const second = out[1];
  assert.deepEqual(second?.type === "syscall" && second.stack, ["/lib/libc.so.6(close+0x14) [0x1149a4]"]);
  parser.flush(out);
  assert.equal(out.length, 2, "nothing held, nothing handed out");
  parser.push(["1 shutdown(5, SHUT_WR) = 0"], 4, out);
  assert.equal(out.length, 2);
  parser.end(out);
  assert.equal(out.length, 3);
});

test("never throws and accounts for every physical line on garbage input", () => {
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    let s = "";
    const n = Math.floor(Math.random() * 80);
    for (let j = 0; j < n; j++) s += String.fromCharCode(Math.floor(Math.random() * 256));
    lines.push(Math.random() < 0.3 ? `write(1, "x", 1${s}` : s);
  }
  lines.push("(".repeat(5000), "x".repeat(1_000_000), "\ufffd\ufffd\u0000");
  const parser = createEventParser({ file: "g" });
  const out: TraceEvent[] = [];
  assert.doesNotThrow(() => {
    parser.push(lines, 1, out);
    parser.end(out);
  });
  assert.equal(parser.stats.totalLines, lines.length);
  assert.equal(lineTotal(parser), lines.length);
});

test("multi-megabyte strings (-s 655350 and more) parse in one piece", () => {
  const plain = `write(3, "${"A".repeat(20_000_000)}", 20000000) = 20000000`;
  const hex = `write(3, "${"\\x41".repeat(1_000_000)}", 1000000) = 1000000`;
  for (const [line, n] of [[plain, 20_000_000], [hex, 1_000_000]] as const) {
    const { events } = run(line);
    assert.equal(events.length, 1);
    const w = events[0] as SyscallEvent;
    assert.equal(w.ret, n);
    assert.equal(w.args[1].kind === "str" && w.args[1].value.length, n);
  }
});

test("strace notices: personality changes, detach splices, pidns comments", () => {
  const { events, parser } = run(
    [
      "[ Process PID=1234 runs in 32 bit mode. ]",
      "restart_syscall(<... resuming interrupted read ...>strace: Process 10534 detached",
      " <detached ...>",
      "getpid() = 123 /* 456 in strace's PID NS */",
      "strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted",
    ].join("\n"),
  );
  assert.equal(parser.stats.lines.unrecognized, 0);
  assert.equal(parser.stats.lines.foreign, 0);
  assert.deepEqual(
    events.map((e) => (e.type === "notice" ? `notice:${e.notice}` : e.type === "syscall" ? `${e.name}:${e.form}` : e.type)),
    ["notice:message", "notice:detached", "notice:detached", "restart_syscall:never-resumed", "getpid:complete", "notice:message"],
  );
});

test("-z/-Z (strace 6.1): a bare second half joins the call most recently cut", () => {
  const { events, parser } = run(
    [
      "5120  fcntl(5, F_DUPFD, 100 <unfinished ...>",
      ")                                       = 100",
      "5126  rt_sigaction(SIGPIPE, {sa_handler=SIG_DFL, sa_mask=[PIPE]},  <unfinished ...>",
      "{sa_handler=0x55fc6d67a439, sa_mask=[], sa_flags=SA_RESTORER}, 8) = 0",
    ].join("\n"),
  );
  const calls = syscalls(events);
  assert.deepEqual(
    calls.map((c) => [c.name, c.pid, c.ret, c.form, c.args.length]),
    [
      ["fcntl", 5120, 100, "joined", 3],
      ["rt_sigaction", 5126, 0, "joined", 4],
    ],
  );
  assert.equal(parser.stats.lines.foreign, 0);
});

test("2>&1 without -f: output of untraced processes inside a call is cut out by the grammar", () => {
  const { events, parser } = run(
    [
      "clone3({flags=CLONE_VM, tls=0x7fdad65326c0}~chatty~ thread line 0",
      " => {parent_tid=[19938]}, 88) = 19938",
      'openat(AT_FDCWD, "/tmp/x", O_RDWR|O_CREAT|O_TRUNC, 0644~chatty~ thread line 1',
      ") = 5",
      "wait4(19968, ~chatty~ exec child running",
      "~chatty~ exec child stderr, no newline[{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 19968",
      "~chatty~ no newline at the endstrace: Process 5187 detached",
    ].join("\n"),
  );
  assert.deepEqual(
    syscalls(events).map((c) => [c.name, c.ret, c.args.length, c.line]),
    [
      ["clone3", 19938, 2, 1],
      ["openat", 5, 4, 3],
      ["wait4", 19968, 4, 5],
    ],
  );
  assert.deepEqual(
    events.filter((e) => e.type === "foreign").map((e) => e.type === "foreign" && e.text),
    [
      "~chatty~ thread line 0",
      "~chatty~ thread line 1",
      "~chatty~ exec child running",
      "~chatty~ exec child stderr, no newline",
      "~chatty~ no newline at the end",
    ],
  );
  assert.equal(parser.stats.lines.unrecognized, 0);
  assert.equal(lineTotal(parser), 7);
});

test("2>&1: another process's output inside a cut call keeps the call's trailing separator", () => {
  const { events } = run(
    [
      '[pid 10914] write(1, "~chatty~ child says hi\\n", 23strace: Process 10915 attached',
      " <unfinished ...>",
      "[pid 10915] rt_sigaction(SIGPIPE, {sa_handler=SIG_DFL, sa_mask=[PIPE]}, ~chatty~ child says hi",
      " <unfinished ...>",
      "[pid 10914] <... write resumed>)        = 23",
      "[pid 10915] <... rt_sigaction resumed>{sa_handler=0x5649c96ae439, sa_mask=[]}, 8) = 0",
    ].join("\n"),
  );
  const sig = syscalls(events).find((e) => e.name === "rt_sigaction")!;
  assert.equal(sig.form, "joined");
  assert.equal(sig.args.length, 4);
  assert.equal(sig.line, 3);
});

test("2>&1: a write to another fd is not mistaken for the writer of output spliced into it", () => {
  const { events } = run(
    [
      '[pid 14353] write(1</dev/pts/0>, "~chatty~ thread line 0\\n", 23 <unfinished ...>',
      '[pid 14350] write(5</tmp/data.bin>, "DDDDDDDD"..., 8192~chatty~ thread line 0',
      " <unfinished ...>",
      "[pid 14353] <... write resumed>) = 23",
      "[pid 14350] <... write resumed>) = 8192",
      "[pid 14350] close(5</tmp/data.bin>) = 0",
    ].join("\n"),
  );
  assert.deepEqual(
    syscalls(events).map((e) => [e.pid, e.name, e.ret, e.args.length]),
    [
      [14353, "write", 23, 3],
      [14350, "write", 8192, 3],
      [14350, "close", 0, 1],
    ],
  );
  assert.deepEqual(events.filter((e) => e.type === "foreign").map((e) => e.type === "foreign" && e.text), ["~chatty~ thread line 0"]);
});

test("stderr -f: a call's halves with and without a pid prefix still join", () => {
  const { events } = run(
    [
      "clone3({flags=CLONE_VM, tls=0x7f39e0a906c0}/opt/strace/bin/strace: Process 29779 attached",
      " <unfinished ...>",
      "[pid 29779] rseq({cpu_id_start=0} <unfinished ...>",
      "[pid 29778] <... clone3 resumed> => {parent_tid=[29779]}, 88) = 29779",
      "[pid 29779] <... rseq resumed>) = 0",
      "[pid 29778] wait4(29779,  <unfinished ...>",
      "[pid 29779] +++ exited with 0 +++",
      "<... wait4 resumed>NULL, 0, NULL) = 29779",
    ].join("\n"),
  );
  const calls = syscalls(events);
  assert.deepEqual(
    calls.map((c) => [c.name, c.form, c.pid, c.ret, c.args.length]),
    [
      ["clone3", "joined", 29778, 29779, 2], // the pid learned from the resumed half
      ["rseq", "joined", 29779, 0, 1],
      ["wait4", "joined", 29778, 29779, 4],
    ],
  );
});

test("2>&1: program output and the call's rest on the same line", () => {
  const { events, parser } = run(
    [
      "[pid 29742] rt_sigprocmask(SIG_SETMASK, [], ~chatty~ done, partial line without newline~ <unfinished ...>",
      "[pid 29742] <... rt_sigprocmask resumed>NULL, 8) = 0",
    ].join("\n"),
  );
  const c = syscalls(events)[0];
  assert.deepEqual([c.name, c.form, c.ret, c.args.length, c.line], ["rt_sigprocmask", "joined", 0, 4, 1]);
  assert.deepEqual(events.filter((e) => e.type === "foreign").map((e) => e.type === "foreign" && e.text), [
    "~chatty~ done, partial line without newline~",
  ]);
  assert.equal(lineTotal(parser), 2);
});

test("2>&1: a whole strace line glued after program output that had no newline is read", () => {
  // Seen in real `strace -f ./chatty 2>&1` captures when the machine is busy: the output of a
  // write cut by `<unfinished ...>` (or of an untraced child) ends without a newline, and
  // strace's next line lands right after it.
  const { events, parser } = run(
    [
      '[pid 16693] write(1, "~chatty~ done, partial line with"..., 44 <unfinished ...>',
      "[pid 16711] <... clone3 resumed> => {parent_tid=[16712]}, 88) = 16712",
      "~chatty~ done, partial line without newline~[pid 16693] <... write resumed>)        = 44",
      "~chatty~ exec child stderr, no newline~wait4(16375, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 16375",
      "~out~--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=16375, si_uid=0, si_status=3, si_utime=0, si_stime=0} ---",
      "~out~00:24:06.278944 close(3) = 0",
      "no newline+++ exited with 0 +++",
      // Program text is not taken for a call: a name after a space or a letter is not a start.
      "~chatty~ f(x) = 1",
      "result: wait4(1) = 1",
    ].join("\n"),
  );
  assert.deepEqual(
    syscalls(events).map((c) => [c.name, c.form, c.ret, c.line, c.endLine ?? c.line]),
    [
      ["clone3", "resumed-only", 16712, 2, 2],
      ["write", "joined", 44, 1, 3],
      ["wait4", "complete", 16375, 4, 4],
      ["close", "complete", 0, 6, 6],
    ],
  );
  assert.deepEqual(
    events.filter((e) => e.type === "signal" || e.type === "exit").map((e) => [e.type, e.line]),
    [
      ["signal", 5],
      ["exit", 7],
    ],
  );
  assert.deepEqual(events.filter((e) => e.type === "foreign").map((e) => e.type === "foreign" && e.text), [
    "~chatty~ done, partial line without newline~",
    "~chatty~ exec child stderr, no newline~",
    "~out~",
    "~out~",
    "no newline",
    "~chatty~ f(x) = 1",
    "result: wait4(1) = 1",
  ]);
  assert.equal(parser.stats.lines.foreign, 2);
  assert.equal(parser.stats.lines.unrecognized, 0);
  assert.equal(lineTotal(parser), 9);
});

test("a message spliced right after a comment keeps the comment's closing slash", () => {
  const { events, parser } = run(
    [
      '[pid  1229] execve("/nonexistent/prog", ["/nonexistent/prog"], 0x7ffe26717290 /* 35 vars */strace: Process 1230 attached',
      " <unfinished ...>",
      "[pid  1229] <... execve resumed>) = -1 ENOENT (No such file or directory)",
    ].join("\n"),
  );
  const c = syscalls(events)[0];
  assert.deepEqual([c.name, c.form, c.errno, c.args.length], ["execve", "joined", "ENOENT", 3]);
  assert.equal(parser.stats.lines.foreign, 0);
});
