// `record -- cmd args...` / `record -p PID`: runs strace with the recommended flags, keeps the
// raw trace in a file, and analyses it live through the same path as `analyze -`. The trace
// arrives through a FIFO that strace opens itself with -o: strace marks its output close-on-exec,
// so the traced program's fd numbers stay exactly as they would be without us.
import { spawn, spawnSync } from "node:child_process";
import { close, constants, createReadStream, createWriteStream, mkdtempSync, open, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { Argv } from "yargs";
import { EXIT_USAGE, type CliIo, type CommandSpec } from "../command.js";
import { escapeText } from "../../report/escape.js";
import { analyzeCommand, analyzeFlags } from "./analyze.js";

/** Every call the stream model and the rules read (fd creation and kinds, the write family,
 * releases, process structure, waits), and nothing else: broad tracing slows the program
 * enough to hide the race (BUGCLASS.md, the hyper case). `?name` (strace: skip if this
 * architecture or strace version lacks it) marks calls that not every platform has. */
export const RECORD_TRACE_SET = [
  "%network",
  "write", "writev", "pwrite64", "pwritev", "?pwritev2",
  "sendfile", "splice", "vmsplice", "tee", "?copy_file_range",
  "read", "readv",
  "?open", "openat", "?creat", "fstat", "?newfstatat", "?statx",
  "close", "?close_range", "?dup", "?dup2", "dup3", "fcntl",
  "?pipe", "pipe2", "eventfd2", "timerfd_create", "epoll_create1",
  "ioctl", "?poll", "ppoll", "?select", "pselect6", "?epoll_wait", "epoll_pwait", "?epoll_pwait2", "getpid",
  "clone", "?clone3", "?fork", "?vfork", "execve", "execveat", "exit", "exit_group",
].join(",");

/** The strace flags `record` uses; `-s 256` keeps HTTP heads visible for the framing check. */
export function straceArgs(opts: { pid?: number; command?: readonly string[]; output: string }): string[] {
  const args = ["-f", "-tt", "-T", "-yy", "-s", "256", "-e", `trace=${RECORD_TRACE_SET}`, "-o", opts.output];
  if (opts.pid !== undefined) return [...args, "-p", String(opts.pid)];
  return ["--seccomp-bpf", ...args, "--", ...(opts.command ?? [])];
}

interface RecordArgs {
  output?: string;
  pid?: number;
  "--"?: (string | number)[];
  _: (string | number)[];
  "print-command"?: boolean;
  [k: string]: unknown;
}

function defaultOutput(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `strace-race-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.strace`;
}

export const recordCommand: CommandSpec<RecordArgs> = {
  command: "record",
  describe: "run a command (or attach to a pid) under strace with the recommended flags, keep the trace, analyse it live",
  builder: (y: Argv) =>
    analyzeFlags(y)
      .parserConfiguration({ "boolean-negation": false, "populate--": true })
      .usage("$0 record [options] -- cmd [args...]\n$0 record [options] -p PID")
      .option("output", {
        alias: "o",
        type: "string",
        describe: "file that keeps the raw strace output (default strace-race-DATE-TIME.strace)",
      })
      .option("pid", { alias: "p", type: "number", describe: "attach to this running process instead of starting one" })
      .option("print-command", { type: "boolean", describe: "print the strace command line and exit" }),
  run: async (args, io) => {
    const command = (args["--"] ?? []).map(String);
    if (args.pid === undefined && command.length === 0) {
      io.stderr.write("strace-race: error: record needs a command after `--`, or -p PID\n");
      io.stderr.write("  hint: strace-race record -- ./my-server --port 8080\n");
      return EXIT_USAGE;
    }
    if (args.pid !== undefined && command.length > 0) {
      io.stderr.write("strace-race: error: give either -p PID or a command after `--`, not both\n");
      return EXIT_USAGE;
    }
    const output = args.output ?? defaultOutput();
    if (args["print-command"]) {
      io.stdout.write(["strace", ...straceArgs({ pid: args.pid, command, output })].map(shellQuote).join(" ") + "\n");
      return 0;
    }
    const dir = mkdtempSync(join(tmpdir(), "strace-race-"));
    try {
      const fifo = join(dir, "trace.fifo");
      const made = spawnSync("mkfifo", ["-m", "600", fifo]);
      if (made.status !== 0) {
        io.stderr.write(`strace-race: error: cannot create a pipe for the live trace: ${String(made.stderr).trim()}\n`);
        return EXIT_USAGE;
      }
      return await record(straceArgs({ pid: args.pid, command, output: fifo }), fifo, output, args, io);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function record(
  straceArgv: string[],
  fifo: string,
  output: string,
  args: RecordArgs,
  io: CliIo,
): Promise<number> {
  const file = createWriteStream(output);
  const fileOpened = new Promise<NodeJS.ErrnoException | null>((resolve) => {
    file.once("open", () => resolve(null));
    file.once("error", (e) => resolve(e));
  });
  const openError = await fileOpened;
  if (openError) {
    io.stderr.write(`${escapeText(output)}: error[SR001]: cannot write the trace file: ${escapeText(openError.message)}\n`);
    return EXIT_USAGE;
  }
  const child = spawn("strace", straceArgv, { stdio: ["inherit", "inherit", "pipe"] });
  let spawnError: NodeJS.ErrnoException | null = null;
  let ptraceDenied = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once("error", (e: NodeJS.ErrnoException) => {
      spawnError = e;
      resolve(null);
    });
    child.once("close", (code) => resolve(code));
  });
  // SIGTERM to us alone (a supervisor): an attached strace detaches when asked to end; one that
  // started the program ignores it (-o FILE PROG blocks fatal signals) and ends with the
  // program, so the program is asked instead.
  io.terminate?.addEventListener(
    "abort",
    () => {
      for (const pid of args.pid !== undefined ? [child.pid] : childrenOf(child.pid)) {
        if (pid !== undefined) process.kill(pid, "SIGTERM");
      }
    },
    { once: true },
  );
  // strace's own messages, and with -o the traced program's stderr, pass through to ours.
  child.stderr!.on("data", (b: Buffer) => {
    const text = b.toString();
    if (/ptrace\(PTRACE_(SEIZE|ATTACH|TRACEME)[^)]*\): Operation not permitted/.test(text)) ptraceDenied = true;
    io.stderr.write(b);
  });
  const tee = new PassThrough();
  // The attached pid names what strace follows, not a findings filter: threads of that process
  // and its children are reported too.
  // SIGTERM does not cut the live trace short here: it is passed on (below), strace ends, and
  // the trace is read to its last line (the traced program's end included). No progress line:
  // the traced program writes to the same terminal, and its lines would run into it.
  const analyze = () => analyzeCommand.run({ ...args, pid: undefined, paths: ["-"] }, { ...io, env: { ...io.env, NO_PROGRESS: "1" }, stdin: tee, stdinName: output, stdinBytes: null, terminate: undefined });
  // The analysis starts with the trace's first bytes: when strace fails before writing any,
  // its own message says why, and an "empty input" error would only bury it.
  let analysis: Promise<number> | null = null;
  const trace = createReadStream(fifo, { highWaterMark: 64 * 1024 });
  trace.on("data", (b: Buffer | string) => {
    analysis ??= analyze();
    file.write(b);
    tee.write(b);
  });
  const traceEnded = new Promise<void>((resolve) => {
    trace.once("end", () => resolve());
    trace.once("error", () => resolve());
  });
  // If strace dies before opening the FIFO, open it ourselves for writing so the read ends.
  // Non-blocking, so that when the reader is already gone this fails (ENXIO) instead of waiting.
  void exited.then(() => {
    open(fifo, constants.O_WRONLY | constants.O_NONBLOCK, (err, fd) => {
      if (!err) close(fd, () => {});
    });
  });
  const straceCode = await exited;
  await traceEnded;
  tee.end();
  await new Promise<void>((resolve) => file.end(() => resolve()));
  const recorded = analysis !== null;
  if (spawnError) {
    const e = spawnError as NodeJS.ErrnoException;
    io.stderr.write(
      e.code === "ENOENT"
        ? "strace-race: error: strace is not installed\n  hint: install it (Debian/Ubuntu: apt-get install strace; Fedora: dnf install strace)\n"
        : `strace-race: error: cannot run strace: ${e.message}\n`,
    );
    return EXIT_USAGE;
  }
  if (ptraceDenied) {
    io.stderr.write(
      "strace-race: error: the kernel did not let strace trace the process (ptrace not permitted)\n" +
        "  hint: run as the same user and check /proc/sys/kernel/yama/ptrace_scope, or in a container add CAP_SYS_PTRACE\n",
    );
    return EXIT_USAGE;
  }
  if (!recorded && straceCode !== 0) {
    rmSync(output, { force: true });
    io.stderr.write(`strace-race: error: strace exited with ${straceCode ?? "a signal"} before writing any trace (its message is above); nothing was recorded\n`);
    return EXIT_USAGE;
  }
  const code = await (analysis ?? analyze());
  io.stderr.write(`strace-race: raw trace kept in ${escapeText(output)}` + (straceCode ? ` (strace exited with ${straceCode})` : "") + "\n");
  return code;
}

/** The processes whose parent is `pid` (from /proc; none when it cannot be read). */
function childrenOf(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    try {
      // `pid (comm) state ppid ...`: comm may hold spaces and parentheses; ppid follows the last ")".
      const stat = readFileSync(`/proc/${e}/stat`, "latin1");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
