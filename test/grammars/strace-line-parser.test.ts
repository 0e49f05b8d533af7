// One strace line at a time: the prefix, every argument form and every return form, with real
// lines from STRACE-FORMAT.md and the shared corpora.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cStringLength, decodeCString, decodeWideCString, intValue, MAX_NESTING, slotValue, strLength, straceLineParser } from "../../grammars/strace-line-parser.js";
import type { ParsedBody, ParsedLine, ParsedResult } from "../../grammars/strace-line-parser.js";
import type { Value } from "../../src/syntax/events.js";

function parse(text: string): ParsedLine {
  const r = straceLineParser.parseLine(text);
  assert.ok(r.value, `did not parse: ${text}\n${r.parseErrors[0]?.message ?? r.lexErrors[0]?.message}`);
  return r.value;
}

type CallBody = Extract<ParsedBody, { kind: "call" | "resumed" }>;

function call(text: string): CallBody {
  const b = parse(text).body;
  assert.ok(b.kind === "call" || b.kind === "resumed", `not a call: ${text}`);
  return b;
}

function args(text: string): Value[] {
  return call(text).args.filter((s) => s.length > 0).map(slotValue);
}

function result(text: string): ParsedResult {
  const r = call(text).result;
  assert.ok(r, `no result: ${text}`);
  return r;
}

test("prefixes: bare pid, [pid N], -Y comm, clocks, epochs, -r, -t -r, -n, -i, secontext", () => {
  assert.deepEqual(parse("9724  shutdown(3, SHUT_WR) = 0").leaders, [{ kind: "int", text: "9724" }]);
  assert.deepEqual(parse("[pid  9642] rseq(0x7f, 0x20, 0, 0x53053053) = 0").leaders, [
    { kind: "pid", pid: 9642, bracketed: true },
  ]);
  assert.deepEqual(parse("[pid  1234<my comm>] read(3, \"\", 1) = 0").leaders, [
    { kind: "pid", pid: 1234, comm: "my comm", bracketed: true },
  ]);
  assert.deepEqual(parse("9828<race> clone(child_stack=NULL) = 9836<race>").leaders, [
    { kind: "int", text: "9828", comm: "race" },
  ]);
  assert.deepEqual(parse("9668  22:37:43.712183 shutdown(3, SHUT_WR) = 0 <0.000013>").leaders[1], {
    kind: "clock",
    text: "22:37:43.712183",
  });
  assert.deepEqual(parse("9706  1795559864.350569232 shutdown(3, SHUT_WR) = 0 <0.000014467>").leaders[1], {
    kind: "float",
    text: "1795559864.350569232",
  });
  assert.deepEqual(parse("1795560611 write(1, \"x\", 1) = 1 <0>").leaders, [{ kind: "int", text: "1795560611" }]);
  assert.deepEqual(parse("22:45:42 (+     0.000351) write(2, \"x\", 1) = 1").leaders, [
    { kind: "clock", text: "22:45:42" },
    { kind: "rel", text: "0.000351" },
  ]);
  assert.deepEqual(parse("9818  [   1] [00007f547c4b8350] write(3, \"a\", 1) = 1").leaders, [
    { kind: "int", text: "9818" },
    { kind: "sysno", no: 1 },
    { kind: "ip", text: "00007f547c4b8350" },
  ]);
  assert.equal(parse("12507<chatty> 23:36:27.299609 [  60] [????????????????] +++ exited with 0 +++").body.kind, "exit");
  assert.deepEqual(
    parse("151020 [unconfined_t] 14:37:21.990449 connect(3<UNIX-STREAM:[524197]> [unconfined_t], {sa_family=AF_UNIX, sun_path=\"/run/dbus/system_bus_socket\" [system_dbusd_var_run_t]}, 30) = 0 <0.000033>").leaders[1],
    { kind: "secontext", text: "unconfined_t" },
  );
});

test("fd decorations: sockets, nested char devices, escaped paths, deleted files", () => {
  assert.deepEqual(args("9724  shutdown(3<UNIX-STREAM:[20920->20921]>, SHUT_WR) = 0")[0], {
    kind: "fd",
    fd: 3,
    path: "UNIX-STREAM:[20920->20921]",
  });
  assert.deepEqual(args("11347 shutdown(4<TCPv6:[[::1]:60696->[::1]:56961]>, SHUT_RDWR) = 0")[0], {
    kind: "fd",
    fd: 4,
    path: "TCPv6:[[::1]:60696->[::1]:56961]",
  });
  assert.deepEqual(args("9724  close(15</dev/null<char 1:3>>)    = 0")[0], { kind: "fd", fd: 15, path: "/dev/null<char 1:3>" });
  assert.deepEqual(args("close(3</tmp/a\\74b\\76>) = 0")[0], { kind: "fd", fd: 3, path: "/tmp/a<b>" });
  assert.deepEqual(args("close(3</tmp/p>(deleted)) = 0")[0], { kind: "fd", fd: 3, path: "/tmp/p", deleted: true });
  assert.deepEqual(args("close(3</tmp/p (deleted)>) = 0")[0], { kind: "fd", fd: 3, path: "/tmp/p", deleted: true });
  assert.deepEqual(args('accept4(6<UNIX-STREAM:[25643,"/tmp/u.sock"]>, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 8')[0], {
    kind: "fd",
    fd: 6,
    path: 'UNIX-STREAM:[25643,"/tmp/u.sock"]',
  });
  assert.deepEqual(args('openat(AT_FDCWD</home/u>, "x", O_RDONLY) = 3')[0], { kind: "fd", fd: -100, path: "/home/u" });
  const r = result("9724  accept4(5<TCP:[127.0.0.1:43957]>, NULL, NULL, SOCK_CLOEXEC) = 7<TCP:[127.0.0.1:43957->127.0.0.1:46974]>");
  assert.equal(r.ret, 7);
  assert.equal(r.retPath, "TCP:[127.0.0.1:43957->127.0.0.1:46974]");
});

test("strings: escapes, -x/-xx hex, truncation marker, abstract socket names", () => {
  const w = args('9724  write(3, "AAAAAAAAAA\\n\\t\\1\\377\\"AAAAAAAAAAAAAAAAA"..., 65536) = 8064');
  assert.deepEqual(w[1], { kind: "str", value: 'AAAAAAAAAA\n\t\x01\xff"AAAAAAAAAAAAAAAAA', truncated: true });
  assert.deepEqual(args('write(1, "\\x68\\x69\\x0a", 3) = 3')[1], { kind: "str", value: "hi\n", truncated: false });
  assert.deepEqual(args('read(10, "something) ="..., 8192) = 8192')[1], { kind: "str", value: "something) =", truncated: true });
  const c = args('connect(3, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X0"}, 20) = 0')[1];
  assert.deepEqual(c, {
    kind: "struct",
    fields: [
      { name: "sa_family", value: { kind: "ident", name: "AF_UNIX" } },
      { name: "sun_path", value: { kind: "str", value: "/tmp/.X11-unix/X0", truncated: false, abstract: true } },
    ],
    elided: false,
  });
  assert.equal(decodeCString("\\0\\0\\217"), "\x00\x00\x8f");
});

test("numbers: decimal, hex, octal modes, -X raw, -X verbose comments", () => {
  assert.equal(intValue("0x1f80"), 8064);
  assert.equal(intValue("0644"), 0o644);
  assert.equal(intValue("-1"), -1);
  assert.equal(intValue("0"), 0);
  assert.deepEqual(args("9771  shutdown(3, 0x1)                  = 0")[1], { kind: "int", value: 1, text: "0x1" });
  assert.deepEqual(args("9780  shutdown(3, 0x1 /* SHUT_WR */)    = 0")[1], {
    kind: "int",
    value: 1,
    text: "0x1",
    comment: "SHUT_WR",
  });
  const raw = result("write(0x3, 0x55bef88a1200, 0x10000) = 0x1f80");
  assert.equal(raw.ret, 8064);
});

test("flags, alternatives, bit sets, arrays with elided tails, structs", () => {
  assert.deepEqual(args("socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 6")[1], {
    kind: "flags",
    parts: [
      { kind: "ident", name: "SOCK_STREAM" },
      { kind: "ident", name: "SOCK_NONBLOCK" },
    ],
  });
  assert.deepEqual(args("ioctl(1, TCGETS or SNDCTL_TMR_TIMEBASE, 0x7ffc) = 0")[1], {
    kind: "alternatives",
    options: [
      { kind: "ident", name: "TCGETS" },
      { kind: "ident", name: "SNDCTL_TMR_TIMEBASE" },
    ],
  });
  const m = args("rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], [HUP INT], 8) = 0");
  assert.deepEqual(m[1], { kind: "bitset", negated: true, items: ["RTMIN", "RT_1"] });
  assert.deepEqual(m[2], { kind: "bitset", negated: false, items: ["HUP", "INT"] });
  assert.deepEqual(args("rt_sigprocmask(0, ~[33], NULL, 8) = 0")[1], { kind: "bitset", negated: true, items: ["33"] });
  const iov = args('writev(3, [{iov_base="B", iov_len=1}, {iov_base="B", iov_len=1}, ...], 40) = 40')[1];
  assert.equal(iov.kind, "array");
  assert.equal(iov.kind === "array" && iov.elided, true);
  assert.equal(iov.kind === "array" && iov.items.length, 2);
  const st = args("fstat(3, {st_mode=S_IFREG|0644, st_size=4096, ...}) = 0")[1];
  assert.equal(st.kind === "struct" && st.elided, true);
  assert.equal(st.kind === "struct" && st.fields[0].name, "st_mode");
  const tio = args("ioctl(0, TCGETS, {c_iflags=0x2c00, c_line=0, c_cc[VMIN]=1, c_cc[VTIME]=0}) = 0")[2];
  assert.equal(tio.kind === "struct" && tio.fields[2].name, "c_cc[VMIN]");
  const nl = args("recvmsg(3, {msg_iov=[{iov_base=[{nla_len=8}, [[IPV4_DEVCONF_FORWARDING-1]=1]]}]}, 0) = 3");
  assert.equal(nl.length, 3);
});

test("changed values, indirect values, calls, expressions, comments, ???", () => {
  assert.deepEqual(args("accept4(5, NULL, [110 => 2], 0) = 8")[2], {
    kind: "array",
    items: [
      {
        kind: "changed",
        before: { kind: "int", value: 110, text: "110" },
        after: { kind: "int", value: 2, text: "2" },
      },
    ],
    elided: false,
  });
  assert.equal(args("getsockname(3, {sa_family=AF_INET}, [16->20]) = 0")[2].kind, "array");
  assert.deepEqual(args("sendfile(14, 12, [0] => [100], 100) = 100")[2], {
    kind: "changed",
    before: { kind: "indirect", value: { kind: "int", value: 0, text: "0" } },
    after: { kind: "indirect", value: { kind: "int", value: 100, text: "100" } },
  });
  assert.deepEqual(args("accept4(5, NULL, [16], SOCK_CLOEXEC) = 7")[2], {
    kind: "indirect",
    value: { kind: "int", value: 16, text: "16" },
  });
  const sin = args('connect(6, {sa_family=AF_INET, sin_port=htons(43957), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)')[1];
  assert.deepEqual(sin.kind === "struct" && sin.fields[1].value, {
    kind: "call",
    name: "htons",
    args: [{ kind: "int", value: 43957, text: "43957" }],
  });
  const w = args("wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 9726")[1];
  assert.deepEqual(w.kind === "array" && w.items[0], {
    kind: "struct",
    fields: [{ name: null, value: { kind: "expr", text: "WIFEXITED(s) && WEXITSTATUS(s) == 0" } }],
    elided: false,
  });
  assert.deepEqual(args('execve("/bin/ls", ["ls"], [/* 61 vars */]) = 0')[2], {
    kind: "array",
    items: [{ kind: "expr", text: "/* 61 vars */" }],
    elided: false,
  });
  assert.deepEqual(args('execve("/bin/ls", ["ls"], 0x7ffd7a4b8 /* 39 vars */) = 0')[2], {
    kind: "int",
    value: 0x7ffd7a4b8,
    text: "0x7ffd7a4b8",
    comment: "39 vars",
  });
  assert.deepEqual(args("read(3, ???, 10) = -1 EFAULT (Bad address)")[1], { kind: "unavailable" });
  assert.equal(args("setsockopt(3, SOL_RAW, ICMP_FILTER, ~(ICMP_ECHOREPLY|ICMP_DEST_UNREACH), 4) = 0")[3].kind, "expr");
  assert.equal(args("capget({version=_LINUX_CAPABILITY_VERSION_3, pid=2633}, {effective=1<<CAP_CHOWN|1<<CAP_FOWNER}) = 0").length, 2);
  assert.deepEqual(args("bind(3, {sa_family=AF_PACKET, sll_addr=00:00:00:00:00:00}, 20) = 0").length, 3);
});

test("old 4.x forms: msg_iov(1)=[...], unnamed timespecs, sigreturn aux", () => {
  const m = args('sendmsg(20, {msg_name(0)=NULL, msg_iov(1)=[{"\\0\\0\\0\\217", 147}], msg_controllen=0, msg_flags=0}, 0) = 147')[1];
  assert.equal(m.kind === "struct" && m.fields[1].name, "msg_iov(1)");
  assert.deepEqual(args("nanosleep({1, 0}, NULL) = 0")[0], {
    kind: "struct",
    fields: [
      { name: null, value: { kind: "int", value: 1, text: "1" } },
      { name: null, value: { kind: "int", value: 0, text: "0" } },
    ],
    elided: false,
  });
  assert.equal(result("14046 sigreturn() (mask [HUP INT TERM]) = -1 EINTR (Interrupted system call)").errno, "EINTR");
});

test("-N argument names", () => {
  assert.deepEqual(args("write(fd=1, buf=\"hi\", count=2) = 2")[0], {
    kind: "named",
    name: "fd",
    value: { kind: "int", value: 1, text: "1" },
  });
});

test("returns: errno with text, ERESTART, unavailable, aux, injected, delayed, durations", () => {
  assert.deepEqual(result("write(3, \"x\", 1) = -1 EAGAIN (Resource temporarily unavailable)"), {
    ret: -1,
    retText: "-1",
    errno: "EAGAIN",
    aux: ["Resource temporarily unavailable"],
    unavailable: false,
  });
  const r = result("<... read resumed>0x7ffc241b0ac0, 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
  assert.equal(r.ret, null);
  assert.equal(r.errno, "ERESTARTSYS");
  assert.equal(result("3619  <... futex resumed> ) = ? <unavailable>").unavailable, true);
  assert.deepEqual(result("fcntl(6, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)").aux, ["flags O_RDWR|O_NONBLOCK"]);
  assert.deepEqual(result("poll([{fd=7, events=POLLIN}], 1, 200) = 1 ([{fd=7, revents=POLLIN}])").aux, ["[{fd=7, revents=POLLIN}]"]);
  assert.deepEqual(
    result('write(3, "A"..., 65536) = -1 EAGAIN (Resource temporarily unavailable) (INJECTED)').aux,
    ["Resource temporarily unavailable", "INJECTED"],
  );
  assert.deepEqual(result("write(3, \"A\", 1) = 1 (INJECTED: args, retval) (DELAYED)").aux, ["INJECTED: args, retval", "DELAYED"]);
  assert.equal(result("close(3) = -1 524 (Unknown error 524)").errno, "524");
  assert.equal(parse("9989  <... epoll_wait resumed>[], 2, 1000) = 0 <1.012076>").durationText, "1.012076");
  assert.equal(parse("brk(NULL) = 0x55 <0>").durationText, "0");
  assert.equal(parse("brk(NULL) = 0x55 <0.000014467>").durationText, "0.000014467");
  assert.equal(parse("exit(0) = ?").body.kind, "call");
});

test("body kinds: unfinished (both separator styles), resumed, resumed-then-unfinished, restart, detached", () => {
  const u1 = call("9724  wait4(9726,  <unfinished ...>");
  assert.equal(u1.end, "unfinished");
  assert.deepEqual(u1.args.length, 2); // trailing separator: an empty second slot
  const u2 = call("29770 wait4(29772 <unfinished ...>");
  assert.equal(u2.args.length, 1);
  const r1 = call("9724  <... wait4 resumed>NULL, 0, NULL) = 9726");
  assert.equal(r1.kind, "resumed");
  assert.equal(r1.name, "wait4");
  const r2 = call("29770 <... wait4 resumed>, NULL, 0, NULL) = 29772");
  assert.equal(r2.args[0].length, 0); // leading separator: an empty first slot
  assert.equal(call("7113  00:09:47.789865 <... futex resumed> ) = -1 EAGAIN (Resource temporarily unavailable) <0.000017>").name, "futex");
  assert.equal(call("[pid 29778] <... clone3 resumed> => {parent_tid=[29779]}, 88) = 29779").args[0][0].kind, "changed");
  assert.equal(call("1700000052.321500 <... epoll_wait resumed> {}, 64, 100 <unfinished ...>").end, "unfinished");
  const ru = call("15874 20:12:51.109551 <... epoll_wait resumed> <unfinished ...>) = ?");
  assert.equal(ru.end, "unfinished");
  assert.equal(ru.result?.ret, null);
  assert.equal(call("nanosleep({tv_sec=123, tv_nsec=0} <unfinished ...>) = ?").result?.retText, "?");
  assert.equal(call("13994 ???( <unfinished ...>").name, "???");
  const rs = call("10514 restart_syscall(<... resuming interrupted clock_nanosleep ...> <unfinished ...>");
  assert.equal(rs.name, "restart_syscall");
  assert.equal(call('execve("../sleep", ["../sleep", "0"], NULL <detached ...>').end, "detached");
  assert.equal(call("close(3 <unfinished #7 ...>").end, "unfinished");
  assert.equal(call("<... close resumed #7>) = 0").name, "close");
});

test("signals, group-stops and exits", () => {
  const s = parse("9724  --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=9724, si_uid=0} ---").body;
  assert.equal(s.kind === "signal" && s.text.startsWith("SIGPIPE {"), true);
  assert.equal(parse("10514 --- stopped by SIGSTOP ---").body.kind, "signal");
  assert.equal(parse("--- SIGCHLD (Child exited) @ 0 (0) ---").body.kind, "signal");
  for (const line of [
    "+++ exited with 0 +++",
    "+++ killed by SIGKILL +++",
    "+++ killed by SIGSEGV (core dumped) +++",
    "11347 +++ superseded by execve in pid 11349 +++",
  ]) {
    const b = parse(line).body;
    assert.equal(b.kind, "exit", line);
  }
});

test("a rejected line is an error value with where and whether it was cut short", () => {
  const cut = straceLineParser.parseLine("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID");
  assert.equal(cut.value, null);
  assert.equal(cut.incomplete, true);
  assert.equal(cut.bodyStarted, true);
  const prose = straceLineParser.parseLine("hello, world");
  assert.equal(prose.value, null);
  assert.equal(prose.bodyStarted, false);
});

test("the loose fallback keeps a 4.x unbalanced struct as one expression", () => {
  const line =
    "6530  sysinfo({uptime=43675, loads=[2112, 2400, 7392] totalram=1049055232, bufferram=36012032} totalswap=1071640576, procs=361}) = 0";
  assert.equal(straceLineParser.parseLine(line).value, null);
  const r = straceLineParser.parseLooseLine(line);
  assert.ok(r.value);
  const b = r.value.body;
  assert.equal(b.kind === "call" && b.name, "sysinfo");
  assert.equal(b.kind === "call" && b.result?.ret, 0);
});

test("never throws: garbage, binary, huge and pathological lines", () => {
  const inputs = [
    "",
    "\u0000\u0001\u00ff\ufffd",
    "(((((((((((",
    "}}}}]]]])))",
    '"unterminated',
    "<<<<<<<<",
    "write(".repeat(2000),
    "x".repeat(200_000),
    '9724 write(3, "' + "A".repeat(100_000) + '"..., 65536) = 8064',
  ];
  for (let i = 0; i < 300; i++) {
    let s = "";
    for (let j = 0; j < 40; j++) s += String.fromCharCode(Math.floor(Math.random() * 128));
    inputs.push(s);
  }
  for (const text of inputs) {
    assert.doesNotThrow(() => straceLineParser.parseLine(text));
    assert.doesNotThrow(() => straceLineParser.parseLooseLine(text));
  }
});

test("the buffered C-string decoder agrees with the reference decoder on escape-heavy text", () => {
  const pieces = ["\\", "x", "X", "4", "7", "8", "f", "G", "0", "1", "n", "t", "e", "a", '"', "q", " ", "\u00e9", "\u20ac", "\\x4", "\\377", "\\400", "\\x", "\\\\"];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
      const body = parts.join("");
      assert.equal(decodeCString(body), decodeWideCString(body), JSON.stringify(body));
    }),
    { seed: 5, numRuns: 5000 },
  );
  assert.equal(decodeCString("\\x47\\x45\\x54 /\\r\\n\\0\\377\\x"), "GET /\r\n\0\xffx");
});

test("a string's length comes from its escapes without decoding it", () => {
  const pieces = ["\\", "x", "4", "7", "G", "0", "1", "n", "a", " ", "\\x4", "\\377", "\\400", "\\x", "\\\\", "\\x41"];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
      const body = parts.join("");
      assert.equal(cStringLength(body), decodeCString(body).length, JSON.stringify(body));
    }),
    { seed: 6, numRuns: 5000 },
  );
  const long = "GET / HTTP/1.1\\r\\n".repeat(200);
  const v = parse(`write(3, "${long}", 3200) = 3200`).body;
  assert.ok(v.kind === "call");
  const s = v.args[1][0];
  assert.ok(s.kind === "str");
  assert.equal(strLength(s), 3200);
  assert.equal(s.value, "GET / HTTP/1.1\r\n".repeat(200), "a lazily decoded string reads as its bytes");
});

test("nesting: strace's deepest (14 levels) and up to MAX_NESTING parse; deeper is rejected", () => {
  // The call's "(" is level 1 (and `[1]` would be one token: the innermost value is a word).
  const nested = (n: number) => `9501  ioctl(5, FOO, ${"[".repeat(n - 1)}x${"]".repeat(n - 1)}) = 0`;
  for (const n of [14, MAX_NESTING]) {
    const r = straceLineParser.parseLine(nested(n));
    assert.ok(r.value !== null, `${n} levels: ${r.parseErrors[0]?.message}`);
  }
  for (const text of [nested(MAX_NESTING + 1), nested(20_000), `9501  ioctl(5, ${"{a=".repeat(MAX_NESTING)}1${"}".repeat(MAX_NESTING)}) = 0`]) {
    const r = straceLineParser.parseLine(text);
    assert.equal(r.value, null);
    assert.equal(r.parseErrors[0]?.message, "nesting too deep");
    assert.equal(r.incomplete, false);
  }
  // The parser is left clean: the next line parses.
  assert.ok(straceLineParser.parseLine(nested(3)).value !== null);
});
