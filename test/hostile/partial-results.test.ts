// Partial results are never lost: a trace cut mid-line, a truncated gzip, a strace killed inside
// a call (a real one, killed with SIGKILL), an unreadable second input. Each with a real file:
// the findings already known are printed, a message says what was not read, the exit code is
// the documented one, and no stack trace appears.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runCli, sampleText, tempDir } from "./cli-run.js";

const dir = tempDir("partial");
const SAMPLE = sampleText("hyper-short-write", "f-ttt-yy-s32");
const LINES = SAMPLE.split("\n");
const SHUTDOWN = LINES.findIndex((l) => l.includes(" shutdown(")) + 1;
const UNSENT = 10_976_354;

function findingsOf(stdout: string): { rule: string; line: number; unsentBytes: number }[] {
  return (JSON.parse(stdout) as { findings: { rule: string; line: number; unsentBytes: number }[] }).findings;
}

function assertRaceFound(stdout: string, file?: string): void {
  const f = findingsOf(stdout);
  assert.deepEqual(f.map((x) => [x.rule, x.line, x.unsentBytes]), [["shutdown-with-unsent", SHUTDOWN, UNSENT]]);
  if (file !== undefined) assert.equal((f[0] as unknown as { file: string }).file, file);
}

test("a trace cut in the middle of a line after the race: the race is reported, the cut line counted", () => {
  const text = LINES.slice(0, SHUTDOWN + 1).join("\n");
  const cut = text.slice(0, text.length - Math.floor(LINES[SHUTDOWN]!.length / 2)); // half of the next line
  const path = join(dir, "cut-mid-line.strace");
  writeFileSync(path, cut);
  const r = runCli(["analyze", "--format", "json", path]);
  assert.equal(r.status, 1, r.stderr);
  assertRaceFound(r.stdout);
  const stats = JSON.parse(r.stdout).stats as { lines: number; unrecognized: number };
  assert.equal(stats.lines, SHUTDOWN + 1, "the unterminated last line was read");
  // A table user is told too.
  const t = runCli(["analyze", path]);
  assert.equal(t.status, 1);
  assert.match(t.stdout, /shutdown-with-unsent/);
});

test("a truncated gzip: what was unpacked is analysed, a warning says where reading stopped", () => {
  const padding = Array.from({ length: 4000 }, (_, i) => `9353  1795563216.5${String(i).padStart(5, "0")} getpid() = 9353\n`).join("");
  const gz = gzipSync(Buffer.from(SAMPLE + padding));
  const path = join(dir, "truncated.strace.gz");
  writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
  for (const args of [["analyze", "--format", "json", path], ["analyze", "--quiet", "--format", "json", path]]) {
    const r = runCli(args);
    assert.equal(r.status, 1, r.stderr);
    assertRaceFound(r.stdout);
    if (!args.includes("--quiet")) {
      assert.match(r.stderr, /truncated\.strace\.gz:\d+:1: warning\[SR004\]: gzip data ends early: the file is truncated after [\d,]+ unpacked bytes; reading stopped after line [\d,]+/);
      assert.match(r.stderr, /\n {2}hint: /);
    }
  }
  // parse keeps every event it could read, then the warning; exit 0 (something was read).
  const p = runCli(["parse", path]);
  assert.equal(p.status, 0, p.stderr);
  assert.ok(p.stdout.split("\n").length > SHUTDOWN);
  assert.match(p.stderr, /warning\[SR004\]/);
});

test("a strace killed inside a call: the trace ends with a call that never resumed", () => {
  const lines = LINES.slice(0, SHUTDOWN);
  lines.push(`9353  1795563216.415429 write(3</tmp/sr-sample/truth.jsonl>, "{\\"kind\\":\\"loss\\""..., 149 <unfinished ...>`);
  const path = join(dir, "killed-in-call.strace");
  writeFileSync(path, lines.join("\n") + "\n");
  const r = runCli(["analyze", "--format", "json", path]);
  assert.equal(r.status, 1, r.stderr);
  assertRaceFound(r.stdout);
  const p = runCli(["parse", path]);
  const last = JSON.parse(p.stdout.trim().split("\n").at(-1)!);
  assert.equal(last.name, "write");
  assert.equal(last.form, "never-resumed");
});

/** A real `strace -f -tt -o FILE -- sleep 3`, SIGKILLed once the sleep is in the file: strace
 * dies without finishing the line (no result, no newline). The sleep exits by itself. */
async function killedStraceTrace(): Promise<string> {
  const path = join(dir, "real-killed.strace");
  const st = spawn("strace", ["-f", "-tt", "-o", path, "--", "sleep", "3"], { stdio: "ignore" });
  const started = Date.now();
  while (Date.now() - started < 5000) {
    await new Promise((r) => setTimeout(r, 50));
    if (existsSync(path) && /nanosleep|restart_syscall/.test(readFileSync(path, "utf8"))) break;
  }
  st.kill("SIGKILL");
  await new Promise((r) => st.once("exit", r));
  return path;
}

let killedPath: Promise<string> | null = null;
const killedTrace = () => (killedPath ??= killedStraceTrace());

test("a real strace killed with SIGKILL mid-trace: read without a crash, every line accounted for", async () => {
  const path = await killedTrace();
  const text = readFileSync(path, "utf8");
  assert.match(text, /nanosleep|restart_syscall/, "strace wrote the sleep before it was killed");
  const r = runCli(["analyze", "--format", "json", path]);
  assert.equal(r.status, 0, r.stderr);
  const stats = JSON.parse(r.stdout).stats as { lines: number; syscalls: number; unrecognized: number };
  assert.equal(stats.lines, text.split("\n").length - (text.endsWith("\n") ? 1 : 0));
  const p = runCli(["parse", path]);
  assert.equal(p.status, 0);
  const events = p.stdout.trim().split("\n").map((l) => JSON.parse(l) as { line: number });
  assert.equal(events.at(-1)!.line, stats.lines, "the cut last line is an event, not dropped");
});

test("a real strace killed with SIGKILL: the call it was inside is a never-resumed call", async () => {
  const path = await killedTrace();
  const p = runCli(["parse", path]);
  const events = p.stdout.trim().split("\n").map((l) => JSON.parse(l) as { name?: string; form?: string; pid?: number | null });
  const sleep = events.find((e) => e.name === "clock_nanosleep" || e.name === "nanosleep");
  assert.ok(sleep !== undefined, "the interrupted sleep is an event");
  assert.equal(sleep.form, "never-resumed");
  assert.notEqual(sleep.pid, null);
});

test("an unreadable second input (a socket file, /proc/self/mem): the first file's findings, exit 2, the second named", async () => {
  const good = join(dir, "good.strace");
  writeFileSync(good, SAMPLE);
  const sock = join(dir, "trace.sock");
  const server = createServer().listen(sock);
  await new Promise((r) => server.once("listening", r));
  try {
    for (const bad of [sock, "/proc/self/mem"]) {
      for (const quiet of [[], ["--quiet"]]) {
        const r = runCli(["analyze", ...quiet, "--format", "json", good, bad]);
        assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
        assertRaceFound(r.stdout, good);
        assert.ok(r.stderr.includes(`${bad}: error[SR006]: cannot be read: `), r.stderr);
        assert.match(r.stderr, /\n {2}hint: /);
      }
      const t = runCli(["analyze", good, bad]);
      assert.equal(t.status, 2);
      assert.match(t.stdout, /error\[shutdown-with-unsent\]/, "the table still shows the finding");
    }
  } finally {
    server.close();
  }
});

test("a directory with no trace in place of the second file: findings of the first, exit 2", () => {
  const good = join(dir, "good2.strace");
  writeFileSync(good, SAMPLE);
  const empty = join(dir, "not-a-trace-dir");
  mkdirSync(empty, { recursive: true });
  const r = runCli(["analyze", "--format", "json", good, empty]);
  assert.equal(r.status, 2);
  assertRaceFound(r.stdout, good);
  assert.match(r.stderr, /not-a-trace-dir: error\[SR007\]/);
});

test("a line cut inside a string does not swallow the complete call after it", () => {
  const lines = sampleText("eagain-give-up", "f").split("\n");
  const shutdown = lines.findIndex((l) => l.includes(" shutdown(")) + 1;
  // A line cut by a full disk, glued to the next by a later append (cat a.log b.log).
  lines.splice(shutdown - 1, 0, '9296  write(2, "partial message cut by a full disk');
  const path = join(dir, "cut-string.strace");
  writeFileSync(path, lines.join("\n"));
  const r = runCli(["analyze", "--format", "json", path]);
  const found = findingsOf(r.stdout).map((f) => [f.rule, f.line]);
  assert.deepEqual(found, [["shutdown-with-unsent", shutdown + 1]]);
});
