// Syscalls whose arguments the stream model never reads: `analyze` lets the parser skip them
// with a cheap scan (their pid, time and return still reach the model). Only names that can
// never touch a socket or pipe belong here: memory, signals, identity, scheduling, clocks and
// paths. A test runs every sample with and without this list and demands identical findings.
export const ARGS_NOT_NEEDED: ReadonlySet<string> = new Set([
  // memory
  "mmap", "mmap2", "munmap", "mprotect", "mremap", "madvise", "brk", "mlock", "munlock",
  "mincore", "msync", "membarrier", "pkey_alloc", "pkey_free", "pkey_mprotect",
  // threads, futexes, signals
  "futex", "set_robust_list", "get_robust_list", "set_tid_address", "rseq", "arch_prctl",
  "rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "sigaltstack", "rt_sigpending",
  "tgkill", "tkill", "sched_yield", "sched_getaffinity", "sched_setaffinity",
  "sched_getparam", "sched_setscheduler", "sched_getscheduler", "getpriority", "setpriority",
  // identity and limits
  "gettid", "getppid", "getpgrp", "getpgid", "getsid", "setsid", "setpgid",
  "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
  "setuid", "setgid", "setresuid", "setresgid", "setgroups", "capget", "capset",
  "prlimit64", "getrlimit", "setrlimit", "getrusage", "prctl", "umask", "uname", "sysinfo",
  "personality",
  // clocks
  "clock_gettime", "clock_getres", "gettimeofday", "time", "times",
  // paths (no fd in, no fd out)
  "access", "faccessat", "faccessat2", "readlink", "readlinkat", "stat", "lstat", "statfs",
  "getcwd", "chdir", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat",
  "renameat2", "chmod", "fchmodat", "chown", "lchown", "fchownat", "utimensat", "symlink",
  "symlinkat", "link", "linkat", "getxattr", "lgetxattr", "listxattr", "llistxattr",
  // randomness
  "getrandom",
]);

export function needsArgs(name: string): boolean {
  return !ARGS_NOT_NEEDED.has(name);
}
