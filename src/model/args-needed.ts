// The syscalls whose arguments the stream model reads: `analyze` parses only these with the
// grammar; every other complete call is recognised by a cheap scan and reaches the model with
// its pid, time, name and return but no arguments (`argsOmitted`). The list mirrors the
// `switch` in StreamModel.onSyscall, the write family and the fd-creating calls; a name missing
// here would silently lose arguments, so a test analyses every sample with and without the
// fast path and demands identical findings, stats and notes, and another checks that every
// name the model switches on is in this list.
import { FD_RETURNING } from "./linux-abi.js";
import { WRITE_FAMILY } from "./write-family.js";

export const ARGS_NEEDED: ReadonlySet<string> = new Set([
  // every write-family call, and the calls that return a new fd
  ...WRITE_FAMILY,
  ...FD_RETURNING,
  // streams and fd tables
  "shutdown", "close", "close_range", "socket", "socketpair", "pipe", "pipe2", "accept", "accept4",
  "dup", "dup2", "dup3", "fcntl", "fcntl64", "setsockopt", "ioctl",
  // reads (unread input, peer errors, fds passed over unix sockets)
  "read", "readv", "recv", "recvfrom", "recvmmsg", "recvmsg",
  // what an fd is
  "fstat", "fstat64", "newfstatat", "fstatat64", "statx",
  // processes
  "clone", "clone2", "clone3", "fork", "vfork", "execve", "execveat", "exit", "exit_group",
  // waits whose arguments say which fds failed
  "poll", "ppoll",
]);

/** The calls the model acts on by their return alone (waits that timed out, sleeps, getpid,
 *  io_uring in use): the fast path's argument-less events of every other name it can skip. */
export const RETURN_ONLY: ReadonlySet<string> = new Set([
  "getpid", "io_uring_enter", "io_uring_setup", "epoll_wait", "epoll_pwait", "epoll_pwait2",
  "select", "pselect6", "_newselect", "nanosleep", "clock_nanosleep",
]);

export function needsArgs(name: string): boolean {
  return ARGS_NEEDED.has(name);
}
