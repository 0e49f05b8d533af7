// `parse` and `stats` end to end through their command functions: NDJSON events, the stats
// report, and bad input answered with one line and exit code 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import type { CliIo } from "../../src/cli/command.js";
import { runParse } from "../../src/cli/commands/parse.js";
import { runStats } from "../../src/cli/commands/stats.js";

function fakeIo(stdinText = ""): { io: CliIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        add(String(chunk));
        cb();
      },
    });
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const io: CliIo = {
    stdin,
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    columns: 80,
  };
  return { io, out: () => out, err: () => err };
}

const TRACE = [
  '9724  write(3<UNIX-STREAM:[20920->20921]>, "AAAA"..., 65536) = 8064',
  "9724  wait4(9726,  <unfinished ...>",
  "9726  +++ exited with 0 +++",
  "9724  <... wait4 resumed>NULL, 0, NULL) = 9726",
  "9724  shutdown(3<UNIX-STREAM:[20920->20921]>, SHUT_WR) = 0",
  "program output that is not strace",
  "9724  +++ exited with 0 +++",
  "",
].join("\n");

const dir = mkdtempSync(join(tmpdir(), "strace-race-parse-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("parse prints one JSON event per line, calls joined, in the contract's shape", async () => {
  const file = join(dir, "t.log");
  writeFileSync(file, TRACE);
  const { io, out, err } = fakeIo();
  assert.equal(await runParse({ paths: [file] }, io), 0, err());
  const events = out().trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(
    events.map((e) => e.type + (e.name ? `:${e.name}` : "")),
    ["syscall:write", "exit", "syscall:wait4", "syscall:shutdown", "foreign", "exit"],
  );
  const write = events[0];
  for (const key of ["type", "file", "line", "pid", "name", "args", "ret", "errno"]) assert.ok(key in write, key);
  assert.equal(write.pid, 9724);
  assert.equal(write.ret, 8064);
  assert.equal(write.errno, null);
  assert.deepEqual(write.args[1], { kind: "str", value: "AAAA", truncated: true });
  const wait = events[2];
  assert.equal(wait.line, 2);
  assert.equal(wait.endLine, 4);
  assert.equal(wait.args.length, 4);
});

test("parse reads stdin for no path or -", async () => {
  const { io, out } = fakeIo(TRACE);
  assert.equal(await runParse({ paths: [] }, io), 0);
  assert.equal(out().trimEnd().split("\n").length, 6);
});

test("stats --format json has lines, unrecognized, foreign and samples with path:line", async () => {
  const file = join(dir, "s.log");
  writeFileSync(file, TRACE + "9724  write(3, {{{ broken\n");
  const { io, out } = fakeIo();
  assert.equal(await runStats({ paths: [file], format: "json" }, io), 0);
  const r = JSON.parse(out());
  assert.equal(r.lines, 8);
  assert.equal(r.foreign, 1);
  assert.equal(r.unrecognized, 1);
  assert.equal(r.unrecognizedSamples[0].file, file);
  assert.equal(r.unrecognizedSamples[0].line, 8);
  assert.equal(r.linesByKind.syscall, 2);
  assert.equal(r.linesByKind.unfinished, 1);
  assert.equal(r.linesByKind.resumed, 1);
  assert.equal(r.syscalls.write, 1);
  assert.deepEqual(r.pids, [9724, 9726]);
  assert.ok(r.flags.includes("-f") && r.flags.includes("-yy"));
});

test("stats table names the unrecognised lines with path:line", async () => {
  const file = join(dir, "u.log");
  writeFileSync(file, "9724  close(3) = 0\n9724  write(3, {{{ broken\n");
  const { io, out } = fakeIo();
  assert.equal(await runStats({ paths: [file] }, io), 0);
  assert.match(out(), /unrecognized lines: 1/);
  assert.ok(out().includes(`${file}:2:`));
});

test("stats merges an -ff directory and takes pids from the file names", async () => {
  const ff = join(dir, "ff");
  mkdirSync(ff);
  writeFileSync(join(ff, "tr.100"), "22:00:00.000001 close(3) = 0\n22:00:00.000003 +++ exited with 0 +++\n");
  writeFileSync(join(ff, "tr.101"), "22:00:00.000002 close(4) = 0\n22:00:00.000004 +++ exited with 0 +++\n");
  const { io, out, err } = fakeIo();
  assert.equal(await runStats({ paths: [ff], format: "json" }, io), 0, err());
  const r = JSON.parse(out());
  assert.deepEqual(r.pids, [100, 101]);
  assert.ok(r.flags.includes("-ff"));
  assert.equal(r.lines, 4);
});

test("a missing file and an empty file are one-line errors with exit code 2", async () => {
  const missing = fakeIo();
  assert.equal(await runParse({ paths: [join(dir, "nope.log")] }, missing.io), 2);
  assert.match(missing.err(), /nope\.log.*error/);
  assert.doesNotMatch(missing.err(), /\n\s+at /);
  const empty = join(dir, "empty.log");
  writeFileSync(empty, "");
  const e = fakeIo();
  assert.equal(await runStats({ paths: [empty] }, e.io), 2);
  assert.match(e.err(), /empty\.log/);
});
