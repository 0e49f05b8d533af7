// The plain, readonly event objects the syntax stage hands to everything after it.
// This file is the contract between grammar/assembler/joiner and the model, the
// rules, the renderers and `parse`'s NDJSON: no Chevrotain type ever crosses it.

/** A structured argument or return value, as strace printed it. */
export type Value =
  /** Integers in any base (`3`, `-1`, `0x1f80`, `0644`). `value` is exact up to 2^53, else the
   * nearest double; `text` is what was printed. */
  | { readonly kind: "int"; readonly value: number; readonly text: string; readonly comment?: string }
  /** A decoded C string (escapes resolved to bytes, bytes read as latin1 so the length is the
   * byte count). `truncated` is true when strace printed `"..."...` (cut by `-s`). */
  | {
      readonly kind: "str";
      readonly value: string;
      readonly truncated: boolean;
      readonly abstract?: boolean; // @"name" (abstract unix socket path)
      readonly comment?: string;
    }
  /** A file descriptor with its `-y`/`-yy` decoration: `3<UNIX-STREAM:[1->2]>`. `path` is the
   * decoded decoration text without the outer `<>` (null when undecorated ints are printed:
   * those stay `int`). */
  | {
      readonly kind: "fd";
      readonly fd: number;
      readonly path: string;
      readonly deleted?: boolean;
      readonly comment?: string;
    }
  /** A bare identifier: `NULL`, `AT_FDCWD`, `SHUT_WR`, `SOCK_STREAM`. */
  | { readonly kind: "ident"; readonly name: string; readonly comment?: string }
  /** `A|B|0x80`: each part is an ident or int (with its own comment under `-X verbose`). */
  | { readonly kind: "flags"; readonly parts: readonly Value[]; readonly comment?: string }
  /** `A or B` (ioctl numbers that strace cannot tell apart). */
  | { readonly kind: "alternatives"; readonly options: readonly Value[] }
  /** `[A B]` / `~[A B]` signal or bit sets (space separated). */
  | { readonly kind: "bitset"; readonly negated: boolean; readonly items: readonly string[] }
  /** `[a, b, ...]`: `elided` when strace cut the tail (`...]`); `[N]=v` index items use `index`. */
  | { readonly kind: "array"; readonly items: readonly Value[]; readonly elided: boolean }
  /** `{k=v, ...}`: fields with `name` null for positional items; `elided` for `...}`. */
  | { readonly kind: "struct"; readonly fields: readonly Field[]; readonly elided: boolean }
  /** `htons(80)`, `inet_addr("127.0.0.1")`, `makedev(0x1, 0x3)`. */
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Value[] }
  /** `[in => out]`, `[16->20]`, `x => y`, `{...} => {...}`: a value changed by the call. */
  | { readonly kind: "changed"; readonly before: Value; readonly after: Value }
  /** `[value]` pointer-to-value ("indirect"), e.g. `[16]` for a socklen_t. */
  | { readonly kind: "indirect"; readonly value: Value }
  /** A C-like expression strace prints verbatim: `WIFEXITED(s) && WEXITSTATUS(s) == 0`,
   * `1024*1024`, `&sin6_addr`. */
  | { readonly kind: "expr"; readonly text: string }
  /** `???`: strace could not fetch the value. */
  | { readonly kind: "unavailable" }
  /** `-N`/`--arg-names` (6.16+): `sockfd=3`. */
  | { readonly kind: "named"; readonly name: string; readonly value: Value }
  /** An argument the fast path of `analyze` did not read, because the model never looks at it
   * (ArgProjection: a path, an argv, the fields of a struct but one). Never in `parse` output. */
  | { readonly kind: "omitted" };

/** The one value of every argument the fast path left out. */
export const OMITTED: Value = Object.freeze({ kind: "omitted" });

export interface Field {
  readonly name: string | null;
  readonly value: Value;
}

/** Where an event comes from. `line` is 1-based: the physical line where it starts. */
export interface Origin {
  readonly file: string;
  readonly line: number;
  /** pid/tid as printed (or from an `-ff` file suffix); null when no prefix was printed. */
  readonly pid: number | null;
  /** Timestamp of entry in seconds: epoch for -ttt/unix, seconds since local midnight for
   * -t/-tt (no date), seconds since the previous line for -r. null without timestamps. */
  readonly time: number | null;
}

export interface SyscallEvent extends Origin {
  readonly type: "syscall";
  readonly name: string;
  readonly args: readonly Value[];
  /** Return value as a number (hex/octal converted); null for `?`. */
  readonly ret: number | null;
  /** The decoration of a returned fd: `= 7<TCP:[...]>`. */
  readonly retPath?: string;
  /** `EAGAIN`, `ERESTARTSYS`, or a number as text for unknown errnos; null on success. */
  readonly errno: string | null;
  /** Text in parentheses after the value: `(flags O_RDWR|O_NONBLOCK)`, `(Timeout)`. */
  readonly aux?: string;
  /** `(INJECTED...)` present. */
  readonly injected?: boolean;
  /** `-T` duration in microseconds. */
  readonly durationUs?: number;
  /** Line where the call completed (the resumed line) when it differs from `line`. */
  readonly endLine?: number;
  /** How the call was printed: whole, or joined from unfinished + resumed halves, or a half
   * whose other half is missing (`resumed-only` after `-p` attach, `never-resumed` when the
   * thread died or the trace ended). */
  readonly form: "complete" | "joined" | "resumed-only" | "never-resumed";
  /** `-k` stack frames printed after the call, innermost first. */
  readonly stack?: readonly string[];
  /** The fast path of `analyze` left the arguments out: the consumer said it does not need
   * them for this syscall (`args` is then empty). Never set by `parse` or `stats`. */
  readonly argsOmitted?: boolean;
}

/** A SyscallEvent being made: its fields may still be set. */
export type NewSyscallEvent = { -readonly [K in keyof SyscallEvent]: SyscallEvent[K] };

/**
 * A syscall event with every field there, in one order: the optional ones undefined until the
 * maker sets them. Every reader makes its events here, so they all have one shape (one hidden
 * class): events given their optional fields as each line had them came in ten shapes, which
 * made the model's and the analysis' reads of `ev.pid`, `ev.name`... megamorphic, 5% of the main
 * thread's instructions. Printed events are unchanged (JSON leaves undefined fields out).
 */
export function newSyscallEvent(
  file: string,
  line: number,
  pid: number | null,
  time: number | null,
  name: string,
  args: readonly Value[],
  ret: number | null,
  errno: string | null,
  form: SyscallEvent["form"],
): NewSyscallEvent {
  return {
    type: "syscall",
    file,
    line,
    pid,
    time,
    name,
    args,
    ret,
    errno,
    form,
    retPath: undefined,
    injected: undefined,
    aux: undefined,
    durationUs: undefined,
    endLine: undefined,
    stack: undefined,
    argsOmitted: undefined,
  };
}

export interface SignalEvent extends Origin {
  readonly type: "signal";
  readonly signal: string;
  readonly info: Value | null;
}

export interface ExitEvent extends Origin {
  readonly type: "exit";
  /** exited: normal exit with `code`; killed: by `signal`; superseded: by execve in another
   * thread (`newPid`). */
  readonly how: "exited" | "killed" | "superseded";
  readonly code?: number;
  readonly signal?: string;
  readonly coreDumped?: boolean;
  readonly newPid?: number;
}

/** strace's own messages (`strace: Process 9 attached`), group-stops, `<detached ...>`. */
export interface NoticeEvent extends Origin {
  readonly type: "notice";
  readonly notice: "attached" | "detached" | "stopped" | "message";
  readonly text: string;
}

/** A line that is not strace output (program output in a `2>&1` capture). */
export interface ForeignEvent extends Origin {
  readonly type: "foreign";
  readonly text: string;
}

/** A line that looks like strace output but could not be parsed. */
export interface UnrecognizedEvent extends Origin {
  readonly type: "unrecognized";
  readonly text: string;
  readonly reason: string;
}

export type TraceEvent =
  | SyscallEvent
  | SignalEvent
  | ExitEvent
  | NoticeEvent
  | ForeignEvent
  | UnrecognizedEvent;

/** Kinds of physical lines, counted by `stats`. */
export type LineKind =
  | "syscall"
  | "unfinished"
  | "resumed"
  | "signal"
  | "exit"
  | "notice"
  | "stack"
  | "hexdump"
  | "summary"
  | "blank"
  | "continuation"
  | "foreign"
  | "unrecognized";
