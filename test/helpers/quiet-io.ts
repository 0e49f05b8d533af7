// The CliIo of an in-process run whose output nobody reads: tests pass it where the pipeline
// or a command wants streams; `stdout` can be given to read what a command printed.
import { PassThrough } from "node:stream";
import type { CliIo } from "../../src/cli/command.js";

export function quietIo(stdout: NodeJS.WritableStream = new PassThrough()): CliIo {
  return {
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    columns: 80,
  };
}
