// The CLI entry: yargs wiring of the subcommands, process I/O, exit codes. This is the only
// module that touches `process`; every command gets its streams through CliIo.
import { fstatSync } from "node:fs";
import { isatty } from "node:tty";
import { setFlagsFromString } from "node:v8";
import yargs from "yargs";
import { closePipeReaders, threadedPipe } from "../io/pipe-reader.js";
import { escapeText } from "../report/escape.js";
import { TOOL_NAME, TOOL_VERSION } from "../version.js";
import { EXIT_USAGE, type CliIo, type CommandSpec } from "./command.js";
import { analyzeCommand } from "./commands/analyze.js";
import { parseCommand } from "./commands/parse.js";
import { recordCommand } from "./commands/record.js";
import { statsCommand } from "./commands/stats.js";
import { timelineCommand } from "./commands/timeline.js";

const COMMANDS: readonly CommandSpec<any>[] = [
  analyzeCommand,
  parseCommand,
  statsCommand,
  timelineCommand,
  recordCommand,
];

/** Standard input as a command reads it, once one does. */
let stdin: AsyncIterable<Buffer | string> | null = null;

export function processIo(signal?: AbortSignal, terminate?: AbortSignal): CliIo {
  return {
    signal,
    terminate,
    // Made when a command reads it: stdin that no command asked for is left unread.
    get stdin() {
      return (stdin ??= threadedPipe(0) ?? process.stdin);
    },
    stdout: process.stdout,
    stderr: process.stderr,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: isatty(0),
    stdinBytes: regularFileSize(0),
    env: process.env,
    columns: process.stdout.columns || Number(process.env.COLUMNS) || 80,
  };
}

/** Parse argv, run the chosen command, and return its exit code. Never throws for user error. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let code = 0;
  let usageError: string | null = null;
  // yargs drops a lone "-" (stdin) from positionals (yargs issue 1312): it is passed through
  // as a string no real argument can be (argv strings hold no NUL), and turned back after.
  const dashAt = argv.indexOf("--");
  const given = argv.map((a, i) => (a === "-" && (dashAt < 0 || i < dashAt) ? STDIN_ARG : a));
  const cli = yargs(given)
    .scriptName(TOOL_NAME)
    .usage(
      `${TOOL_NAME}: find write-side truncation races in strace output\n\n` +
        `  strace -f -tt -T -yy -o trace.log ./server\n` +
        `  ${TOOL_NAME} analyze trace.log`,
    )
    .version(TOOL_VERSION)
    .help()
    .alias("h", "help")
    .strict()
    .demandCommand(1, "Give a command: analyze, parse, stats, timeline or record.")
    .recommendCommands()
    .wrap(Math.min(100, io.columns))
    .exitProcess(false)
    .fail((msg, err) => {
      usageError = msg ?? err?.message ?? "invalid arguments";
      // Thrown, so that yargs stops here: it would otherwise run the command anyway (reading
      // a whole trace, or waiting on stdin) and only then report the unknown option.
      throw new Error(usageError);
    });
  for (const spec of COMMANDS) {
    cli.command(spec.command, spec.describe, spec.builder, async (args) => {
      code = await spec.run(withDashes(args) as never, io);
    });
  }
  try {
    await cli.parseAsync();
  } catch (err) {
    usageError ??= (err as Error).message;
  }
  if (usageError !== null) {
    // yargs quotes the offending argument, which may carry control bytes: escape it. Its own
    // messages may span lines: one line here, their parts joined by a space.
    const parts = (usageError as string).replaceAll(STDIN_ARG, "-").split("\n").map((l) => escapeText(l.trim())).filter((l) => l !== "");
    io.stderr.write(`${TOOL_NAME}: error: ${parts.join(" ")}\n`);
    io.stderr.write(`  hint: run \`${TOOL_NAME} --help\` for the commands and their options\n`);
    return EXIT_USAGE;
  }
  return code;
}

/** The size of the regular file open on `fd`, or null (a pipe, a terminal, nothing). */
function regularFileSize(fd: number): number | null {
  try {
    const st = fstatSync(fd);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

const STDIN_ARG = "\0-";

/** The parsed arguments with STDIN_ARG back to "-" (positionals and option values alike). */
function withDashes(args: Record<string, unknown>): Record<string, unknown> {
  const back = (v: unknown): unknown => (v === STDIN_ARG ? "-" : Array.isArray(v) ? v.map(back) : v);
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, back(v)]));
}

/** How far V8 lets the heap grow past what survived the last full collection, in percent.
 *  What stays alive is small (the live streams, the calls in flight: 15 MB on the 1 GB bench
 *  trace) while garbage comes fast; V8's own factor (up to 4x) let the heap reach 90 MB and the
 *  process 230 MB of RSS. At 50% it stayed near 170 MB, but the main thread's collections took
 *  a second of a 200 MB trace's four (against half a second for the same reading left to V8):
 *  at 75% the 1 GB bench trace ran at 62.5 MB/s and 175 MB (at 50%: 57.9 MB/s, 171 MB; 100%:
 *  61.5 MB/s, 184 MB), a 200 MB cut 4.03 s median of 5 (50%: 4.17 s, 100%: 4.01 s). */
const HEAP_GROWING_PERCENT = 75;

export async function main(argv: readonly string[]): Promise<void> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // Output into a closed pipe (`| head`) ends quietly; the exit code stays what it was.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") return;
      throw err;
    });
  }
  // First Ctrl-C: finish what was read and print the summary (in a pipeline strace gets the
  // SIGINT too, flushes and closes the pipe). Second Ctrl-C: leave at once.
  const interrupt = new AbortController();
  process.on("SIGINT", () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
    if (process.stderr.isTTY) {
      process.stderr.write(`\n${TOOL_NAME}: interrupted; finishing the input read so far (Ctrl-C again to quit)\n`);
    }
  });
  // SIGTERM (`timeout`, a supervisor): stop reading every input now, stdin too, and finish the
  // output (a JSON document must stay whole); a second one leaves at once.
  const terminate = new AbortController();
  process.on("SIGTERM", () => {
    if (terminate.signal.aborted) process.exit(143);
    terminate.abort();
    interrupt.abort();
  });
  try {
    process.exitCode = await run(argv, processIo(interrupt.signal, terminate.signal));
    // A read of stdin may still be pending: it would keep the process alive.
    if (terminate.signal.aborted) {
      closePipeReaders();
      if (stdin === process.stdin) process.stdin.destroy();
    }
  } catch (err) {
    // A bug of ours, not the user's: one line, no stack unless asked for.
    process.stderr.write(`${TOOL_NAME}: internal error: ${escapeText(String((err as Error)?.message ?? err))}\n`);
    if (process.env.STRACE_RACE_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    process.exitCode = EXIT_USAGE;
  }
}
