// What the numbers in a trace mean: the Linux constants the stream model needs when `-X raw`
// prints them bare, the calls that return new fds, and readers for `how` and `st_mode` in every
// spelling strace uses. Values are from the kernel's uapi headers (x86_64 and generic).
import type { Value } from "../syntax/events.js";
import type { ShutdownEvent } from "./model-events.js";
import type { StreamKind } from "./stream-kind.js";
import { findFlagName, flagNames, intOf } from "./values.js";

// Linux clone flags (include/uapi/linux/sched.h).
export const CLONE_FILES = 0x400;
export const CLONE_THREAD = 0x10000;
// socket type / open flags.
export const SOCK_CLOEXEC = 0x80000;
export const O_CLOEXEC = 0x80000;
// fcntl commands (include/uapi/asm-generic/fcntl.h, linux/fcntl.h).
export const F_DUPFD = 0;
export const F_SETFD = 2;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;
// close_range flags.
export const CLOSE_RANGE_UNSHARE = 2;
export const CLOSE_RANGE_CLOEXEC = 4;

/** Calls that return a new fd even when `-y` does not decorate the result. */
export const FD_RETURNING = new Set([
  "open",
  "openat",
  "openat2",
  "creat",
  "open_by_handle_at",
  "epoll_create",
  "epoll_create1",
  "eventfd",
  "eventfd2",
  "timerfd_create",
  "signalfd",
  "signalfd4",
  "memfd_create",
  "memfd_secret",
  "inotify_init",
  "inotify_init1",
  "fanotify_init",
  "pidfd_open",
  "pidfd_getfd",
  "userfaultfd",
  "perf_event_open",
  "io_uring_setup",
  "mq_open",
  "fsopen",
  "fsmount",
  "open_tree",
]);

const SHUT_BY_NAME: Readonly<Record<string, ShutdownEvent["how"]>> = { SHUT_RD: "rd", SHUT_WR: "wr", SHUT_RDWR: "rdwr" };
const SHUT_BY_NUMBER: readonly ShutdownEvent["how"][] = ["rd", "wr", "rdwr"];

/** Parse `how` in every spelling: `SHUT_WR`, `1`, `0x1`, `0x1 /* SHUT_WR *\/`, `how=SHUT_WR`. */
export function shutdownHow(v: Value | undefined): ShutdownEvent["how"] {
  for (const name of flagNames(v)) {
    const how = SHUT_BY_NAME[name];
    if (how !== undefined) return how;
  }
  const n = intOf(v);
  return n !== null ? (SHUT_BY_NUMBER[n] ?? "unknown") : "unknown";
}

// File type bits of st_mode (sys/stat.h), for `-X raw` where the mode is a plain octal number.
const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;
const S_IFSOCK = 0o140000;

const isFileTypeName = (n: string): boolean => n.startsWith("S_IF");

/** st_mode → kind: FIFO is a pipe, a socket is taken as a stream one, anything else is not a stream. */
export function kindFromMode(mode: Value): StreamKind | null {
  const type = findFlagName(mode, isFileTypeName);
  if (type !== undefined) return type === "S_IFIFO" ? "pipe" : type === "S_IFSOCK" ? "socket" : "other";
  const bits = intOf(mode);
  if (bits === null) return null;
  const fmt = bits & S_IFMT;
  return fmt === S_IFIFO ? "pipe" : fmt === S_IFSOCK ? "socket" : fmt === 0 ? null : "other";
}

