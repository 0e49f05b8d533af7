// The syscalls whose arguments the stream model reads: `analyze` parses only these with the
// grammar; every other complete call is recognised by a cheap scan and reaches the model with
// its pid, time, name and return but no arguments (`argsOmitted`). The list mirrors the
// `switch` in StreamModel.onSyscall, the write family and the fd-creating calls; a name missing
// here would silently lose arguments, so a test analyses every sample with and without the
// fast path and demands identical findings, stats and notes, and another checks that every
// name the model switches on is in this list.
import { FD_RETURNING } from "./linux-abi.js";
import { WRITE_FAMILY } from "./write-family.js";
import type { ArgProjection } from "../syntax/plain-bytes.js";

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

/**
 * What the model never reads of some of those calls' arguments, so the parse workers walk past
 * it (ArgProjection; the summaries print a string, an argv or a struct as `…` all the same):
 * - the path of an open (only the flags and the returned fd count) and of an execve;
 * - execve's argv and envp;
 * - a stat struct but its mode (what the fd is), a non-empty stat path (only `""` is read);
 * - clone3's struct but its flags (CLONE_FILES, CLONE_THREAD).
 * The fast-path test holds the findings to the full parse's on every sample.
 */
export const ARGS_PROJECTED: ReadonlyMap<string, ArgProjection> = new Map<string, ArgProjection>([
  ["open", project([0])],
  ["creat", project([0])],
  ["openat", project([1])],
  ["openat2", project([1])],
  ["execve", project([0, 1, 2])],
  ["execveat", project([1, 2, 3])],
  ["fstat", project([], [1, "st_mode"])],
  ["fstat64", project([], [1, "st_mode"])],
  ["newfstatat", project([1], [2, "st_mode"])],
  ["fstatat64", project([1], [2, "st_mode"])],
  ["statx", project([1], [4, "stx_mode"])],
  ["clone3", project([], [0, "flags"])],
]);

/** Leave out the arguments at `omitted`; of the struct at `kept[0]`, keep only field `kept[1]`. */
function project(omitted: readonly number[], kept?: readonly [number, string]): ArgProjection {
  const fields: (string | null)[] = [];
  if (kept !== undefined) {
    while (fields.length < kept[0]) fields.push(null);
    fields.push(kept[1]);
  }
  return { omit: omitted.reduce((bits, k) => bits | (1 << k), 0), fields };
}

/** The calls the model acts on by their return alone (waits that timed out, sleeps, getpid,
 *  io_uring in use): the fast path's argument-less events of every other name it can skip. */
export const RETURN_ONLY: ReadonlySet<string> = new Set([
  "getpid", "io_uring_enter", "io_uring_setup", "epoll_wait", "epoll_pwait", "epoll_pwait2",
  "select", "pselect6", "_newselect", "nanosleep", "clock_nanosleep",
]);

export function needsArgs(name: string): boolean {
  return ARGS_NEEDED.has(name);
}
