// Runs the built CLI the way a user does (a child process, real files) and checks what every
// hostile-input test checks: no stack trace and no internal error on stderr.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** dist/test/hostile/ → the repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const BIN = join(ROOT, "bin", "strace-race.js");

export function sampleText(caseName: string, recording: string): string {
  return readFileSync(join(ROOT, "samples", caseName, `${recording}.strace`), "utf8");
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `sr-${tag}-`));
}

export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
  readonly stderrBytes: Buffer;
}

/** Environment without colour hints from the test runner's own terminal. */
export function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...extra };
  delete env.FORCE_COLOR;
  delete env.STRACE_RACE_DEBUG;
  return env;
}

export function assertNoCrash(r: CliResult, what: string): void {
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, `${what}: no stack trace\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|TypeError|RangeError|ReferenceError/, `${what}: no internal error\n${r.stderr}`);
  assert.equal(r.signal, null, `${what}: not killed by a signal`);
}

/** Run `strace-race ...args` synchronously (input, when given, is its stdin). */
export function runCli(args: readonly string[], opts: { input?: Buffer | string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: opts.input,
    env: opts.env ?? plainEnv(),
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 60_000,
  });
  const res: CliResult = {
    status: r.status,
    signal: r.signal,
    stdoutBytes: r.stdout,
    stderrBytes: r.stderr,
    stdout: r.stdout.toString("utf8"),
    stderr: r.stderr.toString("utf8"),
  };
  assertNoCrash(res, `strace-race ${args.join(" ")}`);
  return res;
}

/** Like runCli, but asynchronous: stdin is fed by the caller (a pipe that can stay open). */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = plainEnv()) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (b: Buffer) => out.push(b));
  child.stderr.on("data", (b: Buffer) => err.push(b));
  const done = new Promise<CliResult>((res) => {
    child.on("close", (status, signal) => {
      const stdoutBytes = Buffer.concat(out);
      const stderrBytes = Buffer.concat(err);
      res({ status, signal, stdoutBytes, stderrBytes, stdout: stdoutBytes.toString("utf8"), stderr: stderrBytes.toString("utf8") });
    });
  });
  return { child, done };
}

/** Characters that must never reach a terminal raw: C0 controls other than \t and \n, DEL, C1,
 * and the bidirectional controls. Returns their code points, in hex. */
export function unsafeChars(text: string): string[] {
  const bad = new Set<string>();
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || c === 0x061c || c === 0x200e || c === 0x200f ||
      (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      bad.add(c.toString(16).padStart(2, "0"));
    }
  }
  return [...bad];
}
