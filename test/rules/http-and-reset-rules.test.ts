// http-short-body, abortive-close and close-with-unread-input on inline strace snippets (real
// strace 6.1 spellings), each next to the correct pattern that must stay silent.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeLines, brief } from "../model/analyze-lines.js";

const HEAD = String.raw`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n`; // 43 bytes

describe("http-short-body", () => {
  test("Content-Length not met at shutdown: one finding, declared vs delivered", () => {
    const { findings, analyzer } = analyzeLines(`
      10 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
      10 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5
      10 read(5, "GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", 4096) = 27
      10 write(5, "${HEAD}", 43) = 43
      10 write(5, "abcdefghijklmnopqrstuvwxyzabcdef"..., 65536) = 65536
      10 shutdown(5, SHUT_WR) = 0
      10 write(5, "abcdefghijklmnopqrstuvwxyzabcdef"..., 34464) = -1 EPIPE (Broken pipe)
      10 --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=10, si_uid=0} ---
      10 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "http-short-body", line: 6, unsentBytes: 34464 }]);
    const f = findings[0]!;
    assert.equal(f.code, "SR104");
    assert.deepEqual(f.http, { message: 1, startLine: "HTTP/1.1 200 OK", headBytes: 43, contentLength: 100000, chunked: false, declaredBytes: 100043, deliveredBytes: 65579 });
    assert.match(f.message, /declared Content-Length 100,000 .* only 65,579 were delivered/);
    // The head and the last write are evidence; the EPIPE write after the shutdown too, with
    // its SIGPIPE.
    assert.deepEqual(
      f.evidence.map((e) => [e.line, e.role]),
      [[4, "write"], [5, "write"], [6, "point-of-no-return"], [7, "later"], [9, "later"]],
    );
    assert.match(f.evidence[3]!.note, /EPIPE, then SIGPIPE/);
    assert.equal(analyzer.stats.writeAttempts, 2);
  });

  test("the whole body, a HEAD answer, a chunked body with its terminator: silent", () => {
    const { findings } = analyzeLines(`
      10 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5
      10 write(5, "${HEAD}", 43) = 43
      10 write(5, "abcd"..., 100000) = 100000
      10 close(5) = 0
      10 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5
      10 read(5, "HEAD / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", 4096) = 28
      10 write(5, "${HEAD}", 43) = 43
      10 close(5) = 0
      10 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5
      10 write(5, "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n", 47) = 47
      10 write(5, "4000\\r\\nabcdefgh"..., 16392) = 16392
      10 write(5, "0\\r\\n\\r\\n", 5) = 5
      10 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), []);
  });

  test("chunked without its terminator; -x hex strings decode the same", () => {
    const { findings } = analyzeLines(`
      10 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5
      10 write(5, "\\x48\\x54\\x54\\x50\\x2f\\x31\\x2e\\x31\\x20\\x32\\x30\\x30\\x20\\x4f\\x4b\\x0d\\x0a\\x54\\x72\\x61\\x6e\\x73\\x66\\x65\\x72\\x2d\\x45\\x6e\\x63\\x6f\\x64\\x69\\x6e\\x67\\x3a\\x20\\x63\\x68\\x75\\x6e\\x6b\\x65\\x64\\x0d\\x0a\\x0d\\x0a", 47) = 47
      10 write(5, "\\x31\\x30\\x0d\\x0a\\x30\\x31"..., 22) = 22
      10 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "http-short-body", line: 4, unsentBytes: 5 }]);
    assert.equal(findings[0]!.unsentExact, false);
    assert.equal(findings[0]!.http?.chunked, true);
  });

  test("a loss finding on the same stream is enriched, not doubled", () => {
    const { findings } = analyzeLines(`
      10 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5
      10 sendto(5, "${HEAD}abcd"..., 100043, MSG_NOSIGNAL, NULL, 0) = 30000
      10 shutdown(5, SHUT_WR) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 3, unsentBytes: 70043 }]);
    assert.equal(findings[0]!.http?.deliveredBytes, 30000);
    assert.match(findings[0]!.message, /never sent; the HTTP response .* only 30,000 were delivered/);
  });

  test("-s too small for the head: no finding, one note", () => {
    const { findings, analyzer } = analyzeLines(`
      10 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5
      10 write(5, "HTTP/1.1 200 OK\\r\\nContent-Length:"..., 43) = 43
      10 close(5) = 0
      10 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5
      10 write(5, "HTTP/1.1 200 OK\\r\\nContent-Length:"..., 43) = 43
      10 close(5) = 0
    `);
    assert.deepEqual(findings, []);
    const notes = analyzer.notes.filter((n) => n.code === "SR210");
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.message, /^2 HTTP\/1.x head\(s\) were cut .*trace.log:2, 32 bytes shown/);
  });
});

const RESPONSE = `write(5, "${HEAD}abcd"..., 100043) = 100043`;

describe("abortive-close", () => {
  test("SO_LINGER {1, 0} right after the write: an RST discards the queue", () => {
    const { findings } = analyzeLines(`
      10 00:00:01.000000 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5
      10 00:00:01.000100 ${RESPONSE}
      10 00:00:01.000200 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0
      10 00:00:01.000300 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "abortive-close", line: 4, unsentBytes: 0 }]);
    assert.equal(findings[0]!.code, "SR105");
    assert.deepEqual(findings[0]!.evidence.map((e) => e.line), [2, 3, 4]);
    assert.match(findings[0]!.hint ?? "", /SIOCOUTQ/);
  });

  test("-X raw spelling, no timestamps, same thread: fires", () => {
    const { findings } = analyzeLines(`
      10 socket(0x2, 0x1, 0) = 5
      10 ${RESPONSE}
      10 setsockopt(5, 0x1, 0xd, {l_onoff=1, l_linger=0}, 8) = 0
      10 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "abortive-close", line: 4, unsentBytes: 0 }]);
  });

  test("silent: the peer answered, SIOCOUTQ read 0, linger with a timeout, too long ago, idle wait, AF_UNIX", () => {
    const cases = [
      `10 00:00:01.0 ${RESPONSE}\n10 00:00:01.1 read(5, "", 4096) = 0\n10 00:00:01.2 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n10 00:00:01.3 close(5) = 0`,
      `10 00:00:01.0 ${RESPONSE}\n10 00:00:01.1 ioctl(5, TIOCOUTQ, [0]) = 0\n10 00:00:01.2 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n10 00:00:01.3 close(5) = 0`,
      `10 00:00:01.0 ${RESPONSE}\n10 00:00:01.2 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0\n10 00:00:01.3 close(5) = 0`,
      `10 00:00:01.0 ${RESPONSE}\n10 00:00:01.2 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n10 00:00:03.3 close(5) = 0`,
      `10 ${RESPONSE}\n10 epoll_wait(4, [], 8, 5000) = 0\n10 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n10 close(5) = 0`,
      `10 ${RESPONSE}\n11 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n11 close(5) = 0`,
    ];
    for (const body of cases) {
      const { findings } = analyzeLines(`10 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5\n${body}`);
      assert.deepEqual(findings.map(brief), [], body);
    }
    const unix = analyzeLines(`
      10 socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0
      10 ${RESPONSE}
      10 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0
      10 close(5) = 0
    `);
    assert.deepEqual(unix.findings.map(brief), []);
  });
});

describe("close-with-unread-input", () => {
  test("the last read filled its buffer, then close: a warning naming the polite sequence", () => {
    const { findings } = analyzeLines(`
      10 accept4(3, {sa_family=AF_INET, sin_port=htons(41000), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 5
      10 read(5, "POST /upload HTTP/1.1\\r\\nContent-"..., 1024) = 1024
      10 write(5, "HTTP/1.1 413 Content Too Large\\r\\n"..., 73) = 73
      10 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unread-input", line: 4, unsentBytes: 0 }]);
    assert.equal(findings[0]!.severity, "warning");
    assert.match(findings[0]!.hint ?? "", /shutdown\(fd, SHUT_WR\), read until EOF with a time and byte bound, then close/);
  });

  test("a declared request body not read in full (-yy names the TCP stream)", () => {
    const { findings } = analyzeLines(`
      10 read(5<TCP:[127.0.0.1:8080->127.0.0.1:41000]>, "POST /big HTTP/1.1\\r\\nContent-Length: 100000\\r\\n\\r\\n", 1024) = 46
      10 write(5<TCP:[127.0.0.1:8080->127.0.0.1:41000]>, "HTTP/1.1 413 Content Too Large\\r\\n"..., 73) = 73
      10 close(5<TCP:[127.0.0.1:8080->127.0.0.1:41000]>) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unread-input", line: 3, unsentBytes: 0 }]);
    assert.match(findings[0]!.message, /declared 100,000 more body bytes/);
  });

  test("silent: half-close first, drained to EOF, a short last read, AF_UNIX, an unknown family", () => {
    const tcp = `10 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5`;
    for (const body of [
      `${tcp}\n10 read(5, "x"..., 1024) = 1024\n10 shutdown(5, SHUT_WR) = 0\n10 close(5) = 0`,
      `${tcp}\n10 read(5, "x"..., 1024) = 1024\n10 read(5, "", 1024) = 0\n10 close(5) = 0`,
      `${tcp}\n10 read(5, "x"..., 1024) = 1024\n10 read(5, 0x7ffd, 1024) = -1 EAGAIN (Resource temporarily unavailable)\n10 close(5) = 0`,
      `${tcp}\n10 read(5, "GET / HTTP/1.1\\r\\n\\r\\n", 1024) = 18\n10 close(5) = 0`,
      `10 socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0\n10 read(5, "x"..., 1024) = 1024\n10 close(5) = 0`,
      `10 read(5, "x"..., 1024) = 1024\n10 close(5) = 0`,
    ]) {
      assert.deepEqual(analyzeLines(body).findings.map(brief), [], body);
    }
  });
});

describe("evidence on a stream that already has a finding", () => {
  test("SO_LINGER {1, 0} at the close of a lossy stream: the loss finding carries it, no second finding", () => {
    const { findings } = analyzeLines(`
      10 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5
      10 write(5, "abcd"..., 100000) = 30000
      10 setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0
      10 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "close-with-unsent", line: 4, unsentBytes: 70000 }]);
    assert.ok(findings[0]!.evidence.some((e) => e.line === 3 && e.note.startsWith("abortive-close:")));
  });

  test("a SIGPIPE after other threads' lines still joins its failed write", () => {
    const { findings } = analyzeLines(`
      10 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5
      10 write(5, "abcd"..., 100) = 40
      10 shutdown(5, SHUT_WR) = 0
      10 write(5, "abcd"..., 60) = -1 EPIPE (Broken pipe)
      11 getpid() = 10
      11 gettid() = 11
      10 --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=10, si_uid=0} ---
      10 close(5) = 0
    `);
    assert.deepEqual(findings.map(brief), [{ rule: "shutdown-with-unsent", line: 3, unsentBytes: 60 }]);
    assert.match(findings[0]!.evidence.find((e) => e.line === 4)?.note ?? "", /EPIPE, then SIGPIPE/);
  });
});
