// The stream model and the loss rules on inline strace snippets: fd reuse, dup, fork copies,
// shared tables, -p attach, restarts, elided iovecs, every shutdown spelling, non-streams.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createAnalyzer } from "../../src/analysis.js";
import { createEventParser } from "../../src/syntax/event-parser.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { analyzeLines, brief } from "./analyze-lines.js";
import { STAT_TRACE } from "../helpers/stat-trace.js";

describe("byte timeline", () => {
  test("the hyper trace: one short sendto, no EAGAIN, then shutdown", () => {
    const { findings } = analyzeLines(`
      1977315 1770641958.930401 sendto(20, "HTTP/1.1 200 OK\\r\\nContent-Length: 14896092\\r\\n"..., 14896450, MSG_NOSIGNAL, NULL, 0) = 219264
      1977315 1770641958.930539 shutdown(20, SHUT_WR) = 0
      1977315 1770641958.930601 epoll_ctl(8, EPOLL_CTL_DEL, 20, NULL) = 0
      1977315 1770641958.930700 close(20) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 2, unsentBytes: 14896450 - 219264 }]);
    const f = findings[0]!;
    assert.equal(f.elapsedUs, 138);
    assert.equal(f.unsentExact, true);
    assert.deepEqual(f.lastWrite, { file: "trace.log", line: 1, pid: 1977315, syscall: "sendto", requested: 14896450, result: "219264", accepted: 219264 });
    // The close that followed is evidence on the same finding, not a second finding.
    assert.equal(f.evidence.at(-1)?.line, 4);
  });

  test("a retry of the tail clears the unsent bytes", () => {
    const { findings } = analyzeLines(`
      100 socketpair(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0, [3, 4]) = 0
      100 write(3, "AAAA"..., 65536) = 8064
      100 write(3, "AAAA"..., 57472) = -1 EAGAIN (Resource temporarily unavailable)
      100 poll([{fd=3, events=POLLOUT}], 1, -1) = 1 ([{fd=3, revents=POLLOUT}])
      100 write(3, "AAAA"..., 57472) = 57472
      100 shutdown(3, SHUT_WR) = 0
      100 close(3) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("EINTR and ERESTARTSYS are not losses and claim nothing", () => {
    const { findings } = analyzeLines(`
      100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
      100 write(3, "AAAA"..., 1000) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)
      100 --- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---
      100 rt_sigreturn({mask=[]}) = 1000
      100 write(3, "AAAA"..., 1000) = -1 EINTR (Interrupted system call)
      100 write(3, "AAAA"..., 1000) = 1000
      100 shutdown(3, SHUT_WR) = 0
      100 write(3, "BBBB", 10) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)
      100 close(3) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("an elided iovec array makes the count a lower bound", () => {
    const { findings, analyzer } = analyzeLines(`
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 writev(3, [{iov_base="B", iov_len=100}, {iov_base="B", iov_len=100}, ...], 40) = 150
      100 shutdown(3, SHUT_RDWR) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 3, unsentBytes: 50 }]);
    assert.equal(findings[0]!.unsentExact, false);
    assert.ok(analyzer.notes.some((n) => n.code === "SR204"));
  });

  test("sendmsg counts Σ iov_len; sendmmsg counts the sent messages' msg_len", () => {
    const { findings } = analyzeLines(`
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="AAAAA", iov_len=5}, {iov_base="hello\\n", iov_len=6}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, MSG_NOSIGNAL) = 7
      100 shutdown(3, SHUT_WR) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0
      100 sendmmsg(5, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="one", iov_len=3}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, {msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="two\\n", iov_len=4}], msg_iovlen=1, msg_controllen=0, msg_flags=0}}], 2, 0) = 1
      100 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [
      { rule: "shutdown-with-unsent", line: 3, unsentBytes: 4 },
      { rule: "close-with-unsent", line: 6, unsentBytes: 4 },
    ]);
  });

  test("strace 4.x iovecs and msghdr: `{\"data\", 147}` and `msg_iov(1)=[...]`", () => {
    const { findings } = analyzeLines(`
      20    socket(PF_INET, SOCK_STREAM, IPPROTO_TCP) = 20
      20    sendmsg(20, {msg_name(0)=NULL, msg_iov(2)=[{"\\0\\0\\0\\217"..., 147}, {"abc", 300}], msg_controllen=0, msg_flags=0}, 0) = 100
      20    writev(20, [{"GET / HTTP/1.0\\r\\n", 16}, {"Host: x\\r\\n\\r\\n", 200}], 2) = 16
      20    close(20) = 0
    `);
    // 447 intended by the sendmsg, 116 accepted in all (the writev's range lies inside it).
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 4, unsentBytes: 331 }]);
  });

  test("-X raw: hex values everywhere", () => {
    const { findings } = analyzeLines(`
      100 socketpair(0x1, 0x1|0x800, 0, [3, 4]) = 0
      100 write(0x3, 0x55bef88a1200, 0x10000) = 0x1f80
      100 shutdown(0x3, 0x1) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 3, unsentBytes: 0x10000 - 0x1f80 }]);
  });

  test("sendfile and splice count on their output fd", () => {
    const { findings } = analyzeLines(`
      100 accept4(5, NULL, NULL, SOCK_CLOEXEC) = 7
      100 pipe2([13, 14], O_CLOEXEC) = 0
      100 splice(13, NULL, 7, NULL, 100, SPLICE_F_MOVE|SPLICE_F_NONBLOCK) = 60
      100 sendfile(7, 12, NULL, 4096) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(7) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 5, unsentBytes: 4096 }]);
  });
});

describe("copying calls (splice, sendfile, copy_file_range)", () => {
  test("a file copied through a pipe until splice returns 0 is clean (glib's g_file_copy)", () => {
    const { findings } = analyzeLines(`
      4142  open("/mnt/b/test.txt", O_RDONLY|O_LARGEFILE) = 3
      4142  open("/mnt/c/test.txt", O_WRONLY|O_CREAT|O_EXCL|O_LARGEFILE, 0664) = 4
      4142  pipe2([5, 6], O_CLOEXEC)          = 0
      4142  splice(3, [0], 6, NULL, 65536, SPLICE_F_MORE) = 18
      4142  splice(5, NULL, 4, [0], 18, SPLICE_F_MORE) = 18
      4142  splice(3, [18], 6, NULL, 65536, SPLICE_F_MORE) = 0
      4142  close(5)                          = 0
      4142  close(6)                          = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("splice from a socket that has nothing to give is not a loss on the pipe", () => {
    const { findings } = analyzeLines(`
      100 accept4(5, NULL, NULL, SOCK_NONBLOCK) = 7
      100 pipe2([8, 9], O_NONBLOCK) = 0
      100 splice(7, NULL, 9, NULL, 65536, SPLICE_F_MOVE|SPLICE_F_NONBLOCK) = 1397
      100 splice(7, NULL, 9, NULL, 65536, SPLICE_F_MOVE|SPLICE_F_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(9) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("HAProxy #2749: bytes left in the pipe when the socket is shut down", () => {
    const { findings } = analyzeLines(`
      100 accept4(5, NULL, NULL, SOCK_NONBLOCK) = 7
      100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 10
      100 pipe2([8, 9], O_NONBLOCK) = 0
      100 splice(10, NULL, 9, NULL, 65536, SPLICE_F_MOVE|SPLICE_F_NONBLOCK) = 5000
      100 splice(8, NULL, 7, NULL, 5000, SPLICE_F_MOVE|SPLICE_F_NONBLOCK) = 3603
      100 splice(8, NULL, 7, NULL, 1397, SPLICE_F_MOVE|SPLICE_F_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable)
      100 shutdown(7, SHUT_WR) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 7, unsentBytes: 1397 }]);
  });

  test("a count meaning 'until EOF' is not a claim", () => {
    const { findings } = analyzeLines(`
      100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
      100 openat(AT_FDCWD, "/etc/hosts", O_RDONLY) = 4
      100 copy_file_range(4, NULL, 3, NULL, 9223372035781033984, 0) = 220
      100 close(3) = 0
    `);
    assert.deepEqual(findings, []);
  });
});

describe("shutdown spellings", () => {
  const spellings: [string, boolean][] = [
    ["SHUT_WR", true],
    ["SHUT_RDWR", true],
    ["1", true],
    ["2", true],
    ["0x1", true],
    ["0x1 /* SHUT_WR */", true],
    ["how=SHUT_WR", true],
    ["SHUT_RD", false],
    ["0", false],
  ];
  for (const [how, loses] of spellings) {
    test(`shutdown(3, ${how}) ${loses ? "ends" : "does not end"} the write side`, () => {
      const { findings } = analyzeLines(`
        100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
        100 write(3, "AAAA"..., 65536) = 8064
        100 shutdown(3, ${how}) = 0
      `);
      assert.deepEqual(findings.map(brief), loses ? [{ rule: "shutdown-with-unsent", line: 3, unsentBytes: 65536 - 8064 }] : []);
    });
  }

  test("-N argument names", () => {
    const { findings } = analyzeLines(`
      100 socketpair(domain=AF_UNIX, type=SOCK_STREAM, protocol=0, sv=[3<UNIX-STREAM:[1->2]>, 4<UNIX-STREAM:[2->1]>]) = 0
      100 write(fd=3<UNIX-STREAM:[1->2]>, buf="AAAA"..., count=65536) = 8064
      100 shutdown(sockfd=3<UNIX-STREAM:[1->2]>, how=SHUT_WR) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 3, unsentBytes: 65536 - 8064 }]);
    assert.equal(findings[0]!.stream, "UNIX-STREAM:[1->2]");
  });

  test("a failed shutdown is not a point of no return", () => {
    const { findings } = analyzeLines(`
      100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
      100 write(3, "AAAA"..., 100) = 10
      100 shutdown(3, SHUT_WR) = -1 ENOTCONN (Transport endpoint is not connected)
    `);
    assert.deepEqual(findings, []);
  });
});

describe("fd tables", () => {
  test("fd reuse: the closed stream is reported once, the new one on the same number is clean", () => {
    const { findings } = analyzeLines(`
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0
      100 write(4, "AAAA"..., 655360) = 219264
      100 write(4, "AAAA"..., 436096) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(4) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 6]) = 0
      100 write(4, "HTTP/1.1 204 No Content\\r\\n\\r\\n", 25) = 25
      100 shutdown(4, SHUT_WR) = 0
      100 close(4) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 4, unsentBytes: 436096 }]);
  });

  test("-yy: a new inode on a known fd number is a new stream even without its close", () => {
    const { findings } = analyzeLines(`
      100 write(4<UNIX-STREAM:[10->11]>, "AAAA"..., 1000) = 100
      100 write(4<UNIX-STREAM:[20->21]>, "BBBB", 4) = 4
      100 shutdown(4<UNIX-STREAM:[20->21]>, SHUT_WR) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("-yy pipes: both ends print the same inode, yet closing the read end loses nothing", () => {
    const { findings } = analyzeLines(`
      100 pipe2([3<pipe:[9001]>, 4<pipe:[9001]>], 0) = 0
      100 write(4<pipe:[9001]>, "AAAA"..., 100000) = 65536
      101 close(3<pipe:[9001]>) = 0
      100 write(4<pipe:[9001]>, "AAAA"..., 34464) = 34464
      100 close(4<pipe:[9001]>) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("a dup keeps the stream alive; closing the last reference loses the tail", () => {
    const kept = analyzeLines(`
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 write(3, "AAAA"..., 1000) = 100
      100 dup(3) = 6
      100 close(3) = 0
      100 write(6, "AAAA"..., 900) = 900
      100 shutdown(6, SHUT_WR) = 0
      100 close(6) = 0
    `);
    assert.deepEqual(kept.findings, []);
    const lost = analyzeLines(`
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 write(3, "AAAA"..., 1000) = 100
      100 fcntl(3, F_DUPFD_CLOEXEC, 10) = 10
      100 close(3) = 0
      100 close(10) = 0
    `);
    assert.deepEqual(lost.findings.map(brief), [{ rule: "close-with-unsent", line: 5, unsentBytes: 900 }]);
  });

  test("dup2 onto an open fd closes it", () => {
    const { findings } = analyzeLines(`
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 write(3, "AAAA"..., 1000) = 100
      100 open("/dev/null", O_RDWR) = 5
      100 dup2(5, 3) = 3
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 4, unsentBytes: 900 }]);
  });

  test("fork copies the table: the child's close is not the last; the parent's later close is", () => {
    const { findings } = analyzeLines(`
      100 execve("./srv", ["./srv"], 0x7ffd /* 3 vars */) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [4, 5]) = 0
      100 write(4, "AAAA"..., 524288) = 219264
      100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7ff3d27a6a10) = 101
      101 close(4) = 0
      101 exit_group(0) = ?
      101 +++ exited with 0 +++
      100 close(4) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 8, unsentBytes: 524288 - 219264 }]);
  });

  test("-X raw clone flags: 0x400 (CLONE_FILES) shares the table", () => {
    const { findings } = analyzeLines(`
      100 execve("./srv", ["./srv"], 0x7ffd /* 3 vars */) = 0
      100 socketpair(0x1, 0x1, 0, [4, 5]) = 0
      100 write(0x4, 0x5555, 0x1000) = 0x100
      100 clone(child_stack=0x7f00, flags=0x400|17) = 101
      101 close(0x4) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 5, unsentBytes: 0x1000 - 0x100 }]);
  });

  test("threads share the table: another thread's shutdown and close", () => {
    const { findings } = analyzeLines(`
      100 execve("./srv", ["./srv"], 0x7ffd /* 3 vars */) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [4, 5]) = 0
      100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f, parent_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7fff80, tls=0x7f} => {parent_tid=[101]}, 88) = 101
      101 writev(4, [{iov_base="HTTP"..., iov_len=62}, {iov_base="ABCD"..., iov_len=786432}], 2) = 219264
      101 writev(4, [{iov_base="WXYZ"..., iov_len=567230}], 1) = -1 EAGAIN (Resource temporarily unavailable)
      100 shutdown(4, SHUT_WR) = 0
      101 +++ exited with 0 +++
      100 close(4) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 6, unsentBytes: 567230 }]);
    assert.equal(findings[0]!.fromOtherTask, "thread");
    assert.deepEqual(findings[0]!.pids, [101, 100]);
  });

  test("a child printing before its clone resumed: a fork child's close stays its own", () => {
    const { findings } = analyzeLines(`
      100 execve("./srv", ["./srv"], 0x7ffd /* 3 vars */) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0
      100 write(4, "AAAA"..., 1000) = 100
      100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f <unfinished ...>
      101 close(4) = 0
      100 <... clone resumed>) = 101
      100 write(4, "AAAA"..., 900) = 900
      100 shutdown(4, SHUT_WR) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("a thread printing before its clone3 resumed: its close closes the shared fd", () => {
    const { findings } = analyzeLines(`
      100 execve("./srv", ["./srv"], 0x7ffd /* 3 vars */) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0
      100 write(4, "AAAA"..., 1000) = 100
      100 clone3({flags=CLONE_VM|CLONE_FILES|CLONE_THREAD|CLONE_SIGHAND, exit_signal=0, stack=0x7f, stack_size=0x7fff80, tls=0x7f} <unfinished ...>
      101 close(4) = 0
      100 <... clone3 resumed> => {parent_tid=[101]}, 88) = 101
      100 write(4, "x", 1) = -1 EBADF (Bad file descriptor)
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 5, unsentBytes: 900 }]);
  });

  test("-p attach: unknown pids are threads sharing one table", () => {
    const { findings, analyzer } = analyzeLines(`
      23457 epoll_wait(5<anon_inode:[eventpoll]>, [{events=EPOLLOUT, data={u32=8, u64=8}}], 1024, -1) = 1
      23457 writev(8<UNIX-STREAM:[158659->158658]>, [{iov_base="HTTP"..., iov_len=64}, {iov_base="AAAA"..., iov_len=4194321}], 2) = 219264
      23457 writev(8<UNIX-STREAM:[158659->158658]>, [{iov_base="AAAA"..., iov_len=3975121}], 1) = -1 EAGAIN (Resource temporarily unavailable)
      23458 shutdown(8<UNIX-STREAM:[158659->158658]>, SHUT_WR) = 0
      23458 close(8<UNIX-STREAM:[158659->158658]>) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 4, unsentBytes: 3975121 }]);
    assert.equal(findings[0]!.stream, "UNIX-STREAM:[158659->158658]");
    assert.ok(analyzer.notes.some((n) => n.code === "SR202"));
  });

  test("-p A -p B: getpid() shows an unknown pid is another process, with its own fds", () => {
    const text = (bPid: number): string => `
      500 write(8, "AAAA"..., 5000) = 3000
      500 shutdown(8, SHUT_RD) = 0
      700 getpid() = ${bPid}
      700 close(8) = 0
      500 write(8, "AAAA"..., 2000) = 2000
      500 close(8) = 0
    `;
    // Another process: its fd 8 is not ours; ours is retried and then closed cleanly.
    assert.deepEqual(analyzeLines(text(700)).findings, []);
    // A thread of 500 (getpid says 500): its close closes our fd 8 with 2,000 bytes unsent.
    assert.deepEqual(analyzeLines(text(500)).findings.map(brief), [{ rule: "close-with-unsent", line: 4, unsentBytes: 2000 }]);
  });

  test("-p attach without decorations: a close by another thread of an fd it never opened", () => {
    const { findings } = analyzeLines(`
      500 sendto(9, "HTTP"..., 5000, MSG_NOSIGNAL, NULL, 0) = 3000
      501 shutdown(9, SHUT_RD) = 0
      501 close(9) = 0
    `);
    // sendto says socket; the close in the other thread drops the only reference.
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 3, unsentBytes: 2000 }]);
  });

  test("2>&1 capture: unprefixed lines are the root until its pid shows; its thread is 'another thread'", () => {
    const { findings } = analyzeLines(`
      execve("./srv", ["./srv"], 0x7ffd /* 3 vars */) = 0
      socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0
      clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, exit_signal=0, stack=0x7f, stack_size=0x7fff80, tls=0x7f}strace: Process 201 attached
       => {parent_tid=[201]}, 88) = 201
      [pid   201] write(4, "AAAA"..., 1000) = 100
      [pid   200] shutdown(4, SHUT_WR) = 0
      [pid   201] +++ exited with 0 +++
      close(4) = 0
      +++ exited with 0 +++
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 6, unsentBytes: 900 }]);
    assert.equal(findings[0]!.fromOtherTask, "thread");
  });

  test("-p attach through 2>&1: announced threads share the attached process's table", () => {
    const { findings } = analyzeLines(`
      strace: Process 500 attached with 2 threads
      strace: Process 501 attached
      [pid   501] write(8, "AAAA"..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
      [pid   500] close(8) = 0
      [pid   501] write(8, "AAAA"..., 1000) = -1 EBADF (Bad file descriptor)
    `);
    // Undecorated fd 8 is not known to be a socket: no finding, but the close did reach it.
    assert.deepEqual(findings, []);
    const decorated = analyzeLines(`
      strace: Process 500 attached with 2 threads
      strace: Process 501 attached
      [pid   501] write(8<TCP:[10.0.0.1:80->10.0.0.2:5000]>, "AAAA"..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
      [pid   500] close(8<TCP:[10.0.0.1:80->10.0.0.2:5000]>) = 0
    `);
    assert.deepEqual(decorated.findings.map(brief), [{ rule: "close-with-unsent", line: 4, unsentBytes: 1000 }]);
  });

  test("-p attach of a process seen forking: a new pid is a child with its own copy", () => {
    const { findings } = analyzeLines(`
      600 write(8<UNIX-STREAM:[1->2]>, "AAAA"..., 1000) = 100
      600 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 601
      601 exit_group(0) = ?
      601 +++ exited with 0 +++
      600 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f <unfinished ...>
      602 close(8<UNIX-STREAM:[1->2]>) = 0
      600 <... clone resumed>) = 602
      600 write(8<UNIX-STREAM:[1->2]>, "AAAA"..., 900) = 900
      600 shutdown(8<UNIX-STREAM:[1->2]>, SHUT_WR) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("an fd passed with SCM_RIGHTS lives on in the receiver: the sender's close is not the last", () => {
    const { findings } = analyzeLines(`
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 accept4(5, NULL, NULL, SOCK_NONBLOCK) = 7
      100 write(7, "AAAA"..., 100000) = 30000
      100 sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="F", iov_len=1}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[7]}], msg_controllen=24, msg_flags=0}, 0) = 1
      100 close(7) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("close-on-exec at execve drops the reference; close_range too", () => {
    const { findings } = analyzeLines(`
      100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3
      100 write(3, "AAAA"..., 100) = 50
      100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4
      100 write(4, "AAAA"..., 100) = 40
      100 execve("/bin/true", ["true"], 0x7ffd /* 3 vars */) = 0
      100 close_range(3, 4294967295, 0) = 0
    `);
    assert.deepEqual(findings.map(brief), [
      { rule: "close-with-unsent", line: 5, unsentBytes: 50 },
      { rule: "close-with-unsent", line: 6, unsentBytes: 60 },
    ]);
  });

  test("stdout pipe: a short write then exit is exit-with-unsent (a warning)", () => {
    const { findings } = analyzeLines(`
      300 write(1<pipe:[9001]>, "{\\"data\\": [1, 2, 3"..., 100000) = 65536
      300 exit_group(0) = ?
      300 +++ exited with 0 +++
    `);
    // The program's own decision, exit_group, is the point of no return; `+++ exited` reports it.
    assert.deepEqual(findings.map(brief), [{ rule: "exit-with-unsent", line: 2, unsentBytes: 100000 - 65536 }]);
    assert.equal(findings[0]!.severity, "warning");
  });

  test("killed with the tail unsent", () => {
    const { findings } = analyzeLines(`
      300 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      300 write(3, "AAAA"..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
      300 +++ killed by SIGKILL +++
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "exit-with-unsent", line: 3, unsentBytes: 1000 }]);
  });
});

describe("no truncation findings for non-streams", () => {
  test("UDP, UNIX-DGRAM, SOCK_DGRAM, eventfd, files and a peer that is gone", () => {
    const { findings } = analyzeLines(`
      100 socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) = 3
      100 sendto(3, "dgram", 5, 0, {sa_family=AF_INET, sin_port=htons(47159), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(3) = 0
      100 write(9<UDP:[127.0.0.1:43986->127.0.0.1:47159]>, "AAAA", 4) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(9<UDP:[127.0.0.1:43986->127.0.0.1:47159]>) = 0
      100 socketpair(AF_UNIX, SOCK_DGRAM, 0, [5, 6]) = 0
      100 write(5, "AAAA", 4) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(5) = 0
      100 eventfd2(0, EFD_NONBLOCK|EFD_CLOEXEC) = 7
      100 write(7, "\\1\\0\\0\\0\\0\\0\\0\\0", 8) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(7) = 0
      100 openat(AT_FDCWD, "/tmp/out", O_WRONLY|O_CREAT, 0644) = 8
      100 write(8, "AAAA", 4) = 2
      100 close(8) = 0
      100 write(10<anon_inode:[timerfd]>, "AAAA", 4) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(10<anon_inode:[timerfd]>) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [11, 12]) = 0
      100 write(11, "AAAA"..., 1000) = 10
      100 write(11, "AAAA"..., 990) = -1 EPIPE (Broken pipe)
      100 --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=100, si_uid=0} ---
      100 close(11) = 0
    `);
    assert.deepEqual(findings, []);
  });
});

describe("a peer that is gone", () => {
  test("a reset seen by recv before the close: the tail could not have been delivered", () => {
    const { findings } = analyzeLines(`
      100 accept4(5, NULL, NULL, SOCK_NONBLOCK) = 7
      100 write(7, "AAAA"..., 100000) = 30000
      100 write(7, "AAAA"..., 70000) = -1 EAGAIN (Resource temporarily unavailable)
      100 epoll_wait(4, [{events=EPOLLIN|EPOLLERR|EPOLLHUP, data={u32=7, u64=7}}], 64, -1) = 1
      100 recvfrom(7, 0x7ffd, 4096, 0, NULL, NULL) = -1 ECONNRESET (Connection reset by peer)
      100 close(7) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("killed by SIGPIPE after a short write: the reader went away (tar | gzip | head)", () => {
    const { findings } = analyzeLines(`
      1949 write(1<pipe:[262043]>, "ustar"..., 10240) = 4096
      1949 --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=1949, si_uid=0} ---
      1949 +++ killed by SIGPIPE +++
      1951 write(1<pipe:[262044]>, "gz"..., 163840) = 65536
      1951 +++ killed by SIGPIPE +++
    `);
    assert.deepEqual(findings, []);
  });

  test("poll reporting POLLERR or POLLHUP on the fd", () => {
    const { findings } = analyzeLines(`
      100 pipe2([3, 4], O_NONBLOCK) = 0
      100 write(4, "AAAA"..., 100000) = 65536
      100 poll([{fd=4, events=POLLOUT}], 1, -1) = 1 ([{fd=4, revents=POLLERR}])
      100 close(4) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0
      100 write(5, "AAAA"..., 100000) = 65536
      100 poll([{fd=6, events=POLLIN}, {fd=5, events=POLLOUT}], 2, -1) = 1 ([{fd=5, revents=POLLOUT}])
      100 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 8, unsentBytes: 34464 }]);
  });

  test("an end of file from the peer is not enough: a half-closed peer still reads", () => {
    const { findings } = analyzeLines(`
      100 accept4(5, NULL, NULL, SOCK_NONBLOCK) = 7
      100 write(7, "AAAA"..., 100000) = 30000
      100 recvfrom(7, "", 4096, 0, NULL, NULL) = 0
      100 close(7) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 4, unsentBytes: 70000 }]);
  });
});

describe("analyzer", () => {
  test("findings come out as soon as the call that completes them is handed out, and batching changes nothing", () => {
    const text = `
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 write(3, "AAAA"..., 1000) = 100
      100 shutdown(3, SHUT_WR) = 0
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0
      100 write(5, "AAAA"..., 1000) = 100
      100 write(5, "AAAA"..., 900) = 900
      100 write(6, "AAAA"..., 50) = -1 EAGAIN (Resource temporarily unavailable)
      100 close(6) = 0
    `;
    // Live, line by line, the input pausing after each: the push (and flush) of the line itself.
    const byLine = analyzeLines(text, { batchLines: 1, flushEachBatch: true });
    assert.deepEqual(byLine.perBatch.map((b) => b.map((f) => f.line)), [[], [], [3], [], [], [], [], [8]]);
    // Without pauses the last call of a batch waits for the next line (its -k frames would come
    // first), or for the end of the input.
    const held = analyzeLines(text, { batchLines: 1 });
    assert.deepEqual(held.perBatch.map((b) => b.map((f) => f.line)), [[], [], [], [3], [], [], [], []]);
    assert.deepEqual(held.findings.map(brief), byLine.findings.map(brief));
    for (const n of [2, 3, 7, 100]) assert.deepEqual(analyzeLines(text, { batchLines: n }).findings.map(brief), byLine.findings.map(brief));
  });

  test("rule, pid, fd and minUnsent filters", () => {
    const text = `
      100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      100 write(3, "AAAA"..., 1000) = 100
      100 shutdown(3, SHUT_WR) = 0
      100 write(4, "AAAA"..., 20) = 10
      100 close(4) = 0
    `;
    assert.equal(analyzeLines(text).findings.length, 2);
    assert.deepEqual(analyzeLines(text, { rules: ["close-with-unsent"] }).findings.map((f) => f.line), [5]);
    assert.deepEqual(analyzeLines(text, { fd: 3 }).findings.map((f) => f.line), [3]);
    assert.deepEqual(analyzeLines(text, { pid: 999 }).findings, []);
    assert.deepEqual(analyzeLines(text, { minUnsent: 11 }).findings.map((f) => f.line), [3]);
  });

  test("a trace recorded without -f while threads were started says so", () => {
    const { analyzer } = analyzeLines(`
      execve("./srv", ["./srv"], 0x7ffd /* 3 vars */) = 0
      socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, exit_signal=0, stack=0x7f, stack_size=0x7fff80, tls=0x7f} => {parent_tid=[101]}, 88) = 101
      write(3, "AAAA"..., 1000) = 1000
      close(3) = 0
      +++ exited with 0 +++
    `);
    assert.deepEqual(analyzer.notes.map((n) => n.code), ["SR203", "SR205"]);
  });

  test("a call resumed after attach has only its tail arguments: it is skipped, not guessed", () => {
    // Whatever the tail holds (here it happens to look like a whole write), it is not read as one.
    const { findings } = analyzeLines(`
      700 <... write resumed>3, "AAAA"..., 5000) = 10
      700 shutdown(3, SHUT_WR) = 0
    `);
    assert.deepEqual(findings, []);
  });

  test("fstat tells an inherited stdout is a pipe, without -y (Node.js process.exit after a write)", () => {
    const { findings } = analyzeLines(STAT_TRACE);
    assert.deepEqual(findings.map(brief), [
      { rule: "exit-with-unsent", line: 4, unsentBytes: 934464 },
      { rule: "exit-with-unsent", line: 11, unsentBytes: 990 },
    ]);
  });

  test("a launched program using an fd it never created: the trace was filtered, say so", () => {
    const { analyzer } = analyzeLines(`
      100 execve("./srv", ["./srv"], 0x7ffd /* 3 vars */) = 0
      100 write(1, "hello\\n", 6) = 6
      100 write(6, "AAAA"..., 100) = 100
      100 close(6) = 0
    `);
    const note = analyzer.notes.find((n) => n.code === "SR208");
    assert.match(note?.message ?? "", /^fd 6 was used at trace\.log:3 without the call that created it/);
  });

  test("an inherited fd of unknown kind that ends with unsent bytes is a note, not a finding", () => {
    const { findings, analyzer } = analyzeLines(`
      300 write(1, "{\\"data\\": [1, 2, 3"..., 100000) = 65536
      300 exit_group(0) = ?
      300 +++ exited with 0 +++
    `);
    assert.deepEqual(findings, []);
    const note = analyzer.notes.find((n) => n.code === "SR207");
    assert.match(note?.message ?? "", /first: fd 1 at trace\.log:2, 34,464 bytes/);
  });

  test("io_uring hides writes from strace: a note says so", () => {
    const { analyzer } = analyzeLines(`
      100 io_uring_setup(256, {flags=0, sq_thread_cpu=0, sq_thread_idle=0, sq_entries=256, cq_entries=512, features=IORING_FEAT_SINGLE_MMAP, sq_off={head=0, tail=64, ring_mask=256, ring_entries=264, flags=276, dropped=272, array=8512}, cq_off={head=128, tail=192, ring_mask=260, ring_entries=268, overflow=284, cqes=320, flags=280}}) = 5
      100 io_uring_enter(5, 1, 0, 0, NULL, 8) = 1
    `);
    assert.ok(analyzer.notes.some((n) => n.code === "SR209"));
  });

  test("an event the model chokes on is skipped and noted; the rest of the trace is analysed", () => {
    const analyzer = createAnalyzer({ trace: "t" });
    const base = { file: "t", pid: 1, time: null, ret: 0, errno: null, form: "complete" } as const;
    // Not a valid event (args missing): stands for any bug of ours on an odd line.
    const broken = { ...base, type: "syscall", line: 1, name: "close", args: null } as unknown as TraceEvent;
    const lines = [
      "1 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0",
      "1 write(3, \"AAAA\"..., 1000) = 10",
      "1 shutdown(3, SHUT_WR) = 0",
    ];
    const parser = createEventParser({ file: "t" });
    const out: TraceEvent[] = [];
    parser.push(lines, 2, out);
    parser.flush(out);
    assert.deepEqual(analyzer.push([broken, ...out]).map((f) => f.line), [4]);
    analyzer.end();
    assert.match(analyzer.notes.find((n) => n.code === "SR299")?.message ?? "", /^internal error on 1 event\(s\), first at t:1/);
  });

  test("stats are counted from the events, notes once per trace", () => {
    const { analyzer } = analyzeLines(`
      socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
      hello from the program
      write(3, "AAAA"..., 1000) = 1000
      +++ exited with 0 +++
    `);
    assert.equal(analyzer.stats.syscalls, 2);
    assert.equal(analyzer.stats.foreign, 1);
    assert.equal(analyzer.stats.lines, 4);
    assert.equal(analyzer.stats.writeAttempts, 1);
    const codes = analyzer.notes.map((n) => n.code);
    assert.ok(codes.includes("SR201"), "no close calls");
    assert.ok(codes.includes("SR205"), "no timestamps");
    assert.equal(new Set(codes).size, codes.length);
  });
});
