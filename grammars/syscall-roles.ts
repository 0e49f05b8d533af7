// The syscalls the stream model cares about and the role of each argument, as strace prints
// them (0-based argument positions; see STRACE-FORMAT.md §8 and PRODUCT.md "Stream model").
// Data only: the model decides what the roles mean.

/** What a call does to streams and fd tables. */
export type SyscallFamily =
  | "write" //  sends bytes on `fd`
  | "read" //  receives bytes from `fd`
  | "shutdown"
  | "close"
  | "close-range"
  | "dup" //  `ret` (or `newFd`) becomes an alias of `fd`
  | "create" //  `ret` is a new stream (socket, accept, pipe...)
  | "create-pair" //  `pair` holds the two new fds
  | "connect"
  | "fcntl"
  | "fork" //  clone/fork/vfork: `flags` tells whether the fd table is shared
  | "exec"
  | "wait"; //  poll/select/epoll: waits for writability

export interface SyscallRoles {
  readonly family: SyscallFamily;
  /** The fd the call acts on (the destination for writes). */
  readonly fd?: number;
  /** Bytes requested (write/read/sendto/sendfile/splice counts). */
  readonly count?: number;
  /** A buffer argument (strace prints its contents as a string). */
  readonly buf?: number;
  /** An iovec array (`[{iov_base=..., iov_len=N}, ...]`); bytes are Σ iov_len. */
  readonly iov?: number;
  /** A msghdr struct whose `msg_iov` is the iovec array. */
  readonly msg?: number;
  /** An mmsghdr array (sendmmsg/recvmmsg): per-message `msg_hdr` and `msg_len`. */
  readonly mmsg?: number;
  /** Flags or the `how`/`cmd` argument. */
  readonly flags?: number;
  /** A second fd the call reads from (sendfile/splice/copy_file_range input) or dups onto. */
  readonly otherFd?: number;
  /** The `[fd0, fd1]` array of socketpair/pipe/pipe2. */
  readonly pair?: number;
  /** A destination address (sendto: a datagram when present). */
  readonly addr?: number;
}

export const SYSCALL_ROLES: Readonly<Record<string, SyscallRoles>> = {
  // write family
  write: { family: "write", fd: 0, buf: 1, count: 2 },
  pwrite64: { family: "write", fd: 0, buf: 1, count: 2 },
  writev: { family: "write", fd: 0, iov: 1 },
  pwritev: { family: "write", fd: 0, iov: 1 },
  pwritev2: { family: "write", fd: 0, iov: 1, flags: 4 },
  send: { family: "write", fd: 0, buf: 1, count: 2, flags: 3 },
  sendto: { family: "write", fd: 0, buf: 1, count: 2, flags: 3, addr: 4 },
  sendmsg: { family: "write", fd: 0, msg: 1, flags: 2 },
  sendmmsg: { family: "write", fd: 0, mmsg: 1, flags: 3 },
  sendfile: { family: "write", fd: 0, otherFd: 1, count: 3 },
  sendfile64: { family: "write", fd: 0, otherFd: 1, count: 3 },
  splice: { family: "write", otherFd: 0, fd: 2, count: 4, flags: 5 },
  tee: { family: "write", otherFd: 0, fd: 1, count: 2, flags: 3 },
  vmsplice: { family: "write", fd: 0, iov: 1, flags: 3 },
  copy_file_range: { family: "write", otherFd: 0, fd: 2, count: 4 },
  // read family (peers, reset risks)
  read: { family: "read", fd: 0, buf: 1, count: 2 },
  pread64: { family: "read", fd: 0, buf: 1, count: 2 },
  readv: { family: "read", fd: 0, iov: 1 },
  recv: { family: "read", fd: 0, buf: 1, count: 2, flags: 3 },
  recvfrom: { family: "read", fd: 0, buf: 1, count: 2, flags: 3 },
  recvmsg: { family: "read", fd: 0, msg: 1, flags: 2 },
  recvmmsg: { family: "read", fd: 0, mmsg: 1, flags: 3 },
  // points of no return
  shutdown: { family: "shutdown", fd: 0, flags: 1 },
  close: { family: "close", fd: 0 },
  close_range: { family: "close-range", fd: 0, otherFd: 1, flags: 2 },
  // aliases
  dup: { family: "dup", fd: 0 },
  dup2: { family: "dup", fd: 0, otherFd: 1 },
  dup3: { family: "dup", fd: 0, otherFd: 1, flags: 2 },
  fcntl: { family: "fcntl", fd: 0, flags: 1 },
  fcntl64: { family: "fcntl", fd: 0, flags: 1 },
  // stream creation
  socket: { family: "create", flags: 1 },
  accept: { family: "create", fd: 0, addr: 1 },
  accept4: { family: "create", fd: 0, addr: 1, flags: 3 },
  socketpair: { family: "create-pair", flags: 1, pair: 3 },
  pipe: { family: "create-pair", pair: 0 },
  pipe2: { family: "create-pair", pair: 0, flags: 1 },
  connect: { family: "connect", fd: 0, addr: 1 },
  // processes and fd tables
  clone: { family: "fork", flags: 1 },
  clone3: { family: "fork", flags: 0 },
  fork: { family: "fork" },
  vfork: { family: "fork" },
  execve: { family: "exec" },
  execveat: { family: "exec", fd: 0 },
  // waiting for writability
  poll: { family: "wait" },
  ppoll: { family: "wait" },
  select: { family: "wait" },
  pselect6: { family: "wait" },
  epoll_wait: { family: "wait", fd: 0 },
  epoll_pwait: { family: "wait", fd: 0 },
  epoll_pwait2: { family: "wait", fd: 0 },
  epoll_ctl: { family: "wait", fd: 0, flags: 1, otherFd: 2 },
};
