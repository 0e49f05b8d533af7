// The CliIo of an in-process run whose output a test reads: stdin to write to, and what was
// printed on stdout and stderr so far.
import { PassThrough } from "node:stream";
import type { CliIo } from "../../src/cli/command.js";

export interface Captured {
  readonly io: CliIo;
  readonly stdin: PassThrough;
  out(): string;
  err(): string;
}

export function captureIo(opts: { env?: Record<string, string>; stdinIsTTY?: boolean } = {}): Captured {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (b: Buffer) => (out += b.toString()));
  stderr.on("data", (b: Buffer) => (err += b.toString()));
  const io: CliIo = { stdin, stdout, stderr, stdoutIsTTY: false, stderrIsTTY: false, stdinIsTTY: opts.stdinIsTTY ?? false, env: opts.env ?? {}, columns: 80 };
  return { io, stdin, out: () => out, err: () => err };
}
