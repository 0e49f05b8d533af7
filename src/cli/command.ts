// The shape every subcommand has: yargs options as data, and a run function that gets
// parsed arguments and an io bundle and returns the exit code. Only src/cli touches process.
import type { Argv } from "yargs";
import { TOOL_NAME } from "../version.js";

/** Where a command reads and writes. Tests pass their own streams. */
export interface CliIo {
  /** Standard input's bytes (a pipe is read on a thread of its own: io/pipe-reader.ts). */
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Terminal width in columns (80 when unknown). */
  readonly columns: number;
  /** Aborted by the first Ctrl-C: file inputs stop at the next batch and the summary is
   * printed; stdin keeps being read until strace, interrupted too, closes the pipe. */
  readonly signal?: AbortSignal;
  /** Aborted by SIGTERM (`timeout`, a supervisor stopping us): every input, stdin too, stops at
   *  once, and what was read is reported in full (a JSON document stays whole). */
  readonly terminate?: AbortSignal;
  /** What findings call standard input (`record` names the file that keeps the trace). */
  readonly stdinName?: string;
  /** The size of standard input when it is a regular file (`< trace.log`): it is then read as
   *  a file is (worker threads, progress in percent, Ctrl-C stops it at once). */
  readonly stdinBytes?: number | null;
  /** Standard input is a terminal: nobody types a trace, so no path at all is a mistake. */
  readonly stdinIsTTY?: boolean;
}

/** Exit codes (PRODUCT.md): 0 clean, 1 findings at/above --fail-on, 2 unusable input/usage. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface CommandSpec<A = Record<string, unknown>> {
  /** yargs command string, e.g. "parse [paths..]". */
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv) => Argv;
  readonly run: (args: A, io: CliIo) => Promise<number>;
}

/** The `[paths..]` positional every reading command shares. */
/** `parse` and `stats`: the same events either way; --full is the reference, and slower. */
/** `analyze` and `timeline`: the stream model sees the same events either way. */
export const MODEL_FULL_DESCRIPTION =
  "parse every line with the full grammar (slower; the default skips the arguments of calls the model never reads, and reads plain calls by a faster scan with the same result)";

export const FULL_DESCRIPTION =
  "read every line with the full grammar (slower; by default calls in the plainest form are read by a faster scan with the same result)";

export const PATHS_POSITIONAL = {
  describe: "strace output files, .gz files, -ff directories or file sets; - or nothing reads stdin",
  type: "string",
  array: true,
} as const;

/** An option that counts (an fd, a pid, bytes): a whole number, 0 or more. */
export function isWholeNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

/** A usage error (exit 2) when `command` got no path while stdin is a terminal: it would wait
 *  there for strace output nobody types. `-` still reads the terminal, for those who mean it. */
export function noTraceGiven(command: string, paths: readonly string[] | undefined, io: CliIo): number | null {
  if ((paths?.length ?? 0) > 0 || io.stdinIsTTY !== true) return null;
  io.stderr.write(
    `${TOOL_NAME}: error: no trace given, and stdin is a terminal\n` +
      `  hint: give the file strace wrote (${TOOL_NAME} ${command} trace.log), or pipe strace in: ` +
      `strace -f -tt -T -yy -p PID 2>&1 | ${TOOL_NAME} ${command}\n`,
  );
  return EXIT_USAGE;
}
