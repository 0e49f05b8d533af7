// The argument roles point at the right values in real strace lines (STRACE-FORMAT.md §8).
import { test } from "node:test";
import assert from "node:assert/strict";
import { slotValue, straceLineParser } from "../../grammars/strace-line-parser.js";
import { SYSCALL_ROLES } from "../../grammars/syscall-roles.js";
import type { Value } from "../../src/syntax/events.js";

const LINES = [
  '9724  write(3<UNIX-STREAM:[20920->20921]>, "AAAA"..., 65536) = 8064',
  '9724  writev(6<TCP:[127.0.0.1:46974->127.0.0.1:43957]>, [{iov_base="AAAAA", iov_len=5}], 1) = 5',
  '9724  sendto(9<UDP:[127.0.0.1:43986->127.0.0.1:47159]>, "dgram", 5, 0, {sa_family=AF_INET, sin_port=htons(47159), sin_addr=inet_addr("127.0.0.1")}, 16) = 5',
  '9724  sendmsg(6<TCP:[1]>, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="AAAAA", iov_len=5}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, MSG_NOSIGNAL) = 5',
  '9724  sendmmsg(9<UDP:[1]>, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="one", iov_len=3}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}], 1, 0) = 1',
  "9724  sendfile(7<TCP:[1]>, 12</tmp/data.bin>, NULL, 4096) = 4096",
  "9724  splice(13<pipe:[20951]>, NULL, 7<TCP:[1]>, NULL, 100, SPLICE_F_MOVE|SPLICE_F_NONBLOCK) = 100",
  "9724  shutdown(3<UNIX-STREAM:[20920->20921]>, SHUT_WR) = 0",
  "9724  close(15</dev/null<char 1:3>>) = 0",
  "9724  dup2(12</tmp/data.bin>, 42) = 42</tmp/data.bin>",
  "9724  dup3(12</tmp/data.bin>, 43, O_CLOEXEC) = 43</tmp/data.bin>",
  "9724  fcntl(12</tmp/data.bin>, F_DUPFD, 100) = 100</tmp/data.bin>",
  "9724  socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3<UNIX-STREAM:[1->2]>, 4<UNIX-STREAM:[2->1]>]) = 0",
  "9724  pipe2([5<pipe:[9]>, 6<pipe:[9]>], O_CLOEXEC) = 0",
  '9724  accept4(5<TCP:[127.0.0.1:43957]>, {sa_family=AF_INET, sin_port=htons(46974), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC|SOCK_NONBLOCK) = 7<TCP:[1]>',
  "9724  clone(child_stack=0x55f1cbf301f0, flags=CLONE_FILES|SIGCHLD) = 9726",
  "9724  epoll_ctl(8<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 6<TCP:[1]>, {events=EPOLLOUT|EPOLLET, data={u32=6, u64=6}}) = 0",
];

function unnamed(v: Value): Value {
  return v.kind === "named" ? v.value : v;
}

test("each role names an argument of the expected shape", () => {
  for (const line of LINES) {
    const r = straceLineParser.parseLine(line);
    assert.ok(r.value && r.value.body.kind === "call", line);
    const body = r.value.body;
    const roles = SYSCALL_ROLES[body.name];
    assert.ok(roles, `no roles for ${body.name}`);
    const args = body.args.filter((s) => s.length > 0).map((s) => unnamed(slotValue(s)));
    const at = (i: number | undefined) => (i === undefined ? undefined : args[i]);
    if (roles.fd !== undefined) assert.equal(at(roles.fd)?.kind, "fd", `${body.name} fd`);
    if (roles.otherFd !== undefined) assert.ok(["fd", "int"].includes(at(roles.otherFd)!.kind), `${body.name} otherFd`);
    if (roles.count !== undefined) assert.equal(at(roles.count)?.kind, "int", `${body.name} count`);
    if (roles.buf !== undefined) assert.equal(at(roles.buf)?.kind, "str", `${body.name} buf`);
    if (roles.iov !== undefined) assert.equal(at(roles.iov)?.kind, "array", `${body.name} iov`);
    if (roles.msg !== undefined) assert.equal(at(roles.msg)?.kind, "struct", `${body.name} msg`);
    if (roles.mmsg !== undefined) assert.equal(at(roles.mmsg)?.kind, "array", `${body.name} mmsg`);
    if (roles.pair !== undefined) assert.equal(at(roles.pair)?.kind, "array", `${body.name} pair`);
    if (roles.flags !== undefined) assert.ok(at(roles.flags) !== undefined, `${body.name} flags`);
  }
});
