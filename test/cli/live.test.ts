// Live use, as an engineer runs it: strace piped into `analyze` reports a loss while the traced
// program is still running; `record` wraps strace and sets the exit code; Ctrl-C finishes the
// input read so far; output into a closed pipe ends quietly. Real strace, real programs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, readFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fifoEnds } from "../../scripts/trace-feed.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");
const tmp = mkdtempSync(join(tmpdir(), "sr-live-"));
const lossy = join(tmp, "lossy-then-linger");
const build = spawnSync("gcc", ["-O1", "-o", lossy, join(root, "test", "fixtures", "live", "lossy-then-linger.c")], {
  encoding: "utf8",
});
const canTrace = spawnSync("strace", ["-f", "-o", "/dev/null", "true"]).status === 0;
const skipWhy = build.status !== 0 ? `gcc failed: ${build.stderr}` : !canTrace ? "strace cannot trace here" : null;

function noStack(stderr: string) {
  assert.doesNotMatch(stderr, /\n\s+at .*:\d+:\d+/, "no stack trace");
}

test("a finding arrives on the pipe while the traced program is still running", { skip: skipWhy ?? false }, async () => {
  const started = Date.now();
  const sh = spawn(
    "sh",
    ["-c", `strace -f -tt -yy ${lossy} 4 2>&1 | "${process.execPath}" "${bin}" analyze --format ndjson`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let findingAt: number | null = null;
  let out = "";
  sh.stdout.on("data", (b: Buffer) => {
    out += b.toString();
    if (findingAt === null && out.includes('"type":"finding"')) findingAt = Date.now();
  });
  let stderr = "";
  sh.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((res) => sh.on("close", res));
  const endedAt = Date.now();
  noStack(stderr);
  assert.equal(code, 1, "the pipeline's exit code is the analyzer's: 1 for a finding");
  assert.ok(findingAt !== null, "a finding line was printed");
  const lines = out.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[0].type, "finding");
  assert.equal(lines[0].rule, "shutdown-with-unsent");
  assert.equal(lines.at(-1).type, "summary");
  // The program sleeps 4 s after the shutdown: the finding must come well before it exits.
  assert.ok(endedAt - findingAt! > 2000, `finding ${findingAt! - started} ms after start, end at ${endedAt - started} ms`);
});

test("record exits 1 with the finding and keeps the raw trace; a correct program exits 0", { skip: skipWhy ?? false }, () => {
  const trace = join(tmp, "recorded.strace");
  const r = spawnSync(process.execPath, [bin, "record", "--no-color", "-o", trace, "--", lossy, "0"], { encoding: "utf8" });
  noStack(r.stderr);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /shutdown-with-unsent/);
  assert.ok(existsSync(trace));
  const raw = readFileSync(trace, "utf8");
  assert.match(raw, /shutdown\(3<UNIX-STREAM:\[\d+->\d+\]>, SHUT_WR\) = 0/);
  assert.match(r.stderr, /raw trace kept in/);

  const again = spawnSync(process.execPath, [bin, "analyze", "--format", "json", trace], { encoding: "utf8" });
  assert.equal(again.status, 1, "the kept trace shows the same loss");

  const okTrace = join(tmp, "correct.strace");
  const ok = spawnSync(process.execPath, [bin, "record", "-o", okTrace, "--", lossy, "0", "correct"], { encoding: "utf8" });
  noStack(ok.stderr);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.ok(readFileSync(okTrace, "utf8").includes("shutdown("));
});

test("record says clearly when there is no command", () => {
  const r = spawnSync(process.execPath, [bin, "record"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /record needs a command after `--`, or -p PID/);
  const p = spawnSync(process.execPath, [bin, "record", "--print-command", "--", "./server", "--port", "8080"], { encoding: "utf8" });
  assert.equal(p.status, 0);
  assert.match(p.stdout, /^strace --seccomp-bpf -f -tt -T -yy -s 256 -e 'trace=%network,write,.*,exit_group' -o strace-race-\d{8}-\d{6}\.strace -- \.\/server --port 8080\n$/);
});

test("record of a command strace cannot start says so once and leaves no empty trace behind", { skip: skipWhy ?? false }, () => {
  const trace = join(tmp, "never.strace");
  const r = spawnSync(process.execPath, [bin, "record", "-o", trace, "--", join(tmp, "no-such-program")], { encoding: "utf8" });
  noStack(r.stderr);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^strace: .*no-such-program/m, "strace's own message passes through");
  assert.match(r.stderr, /strace exited with 1 before writing any trace .*nothing was recorded/);
  assert.doesNotMatch(r.stderr, /SR008|raw trace kept/, "no empty-input error, no claim of a kept trace");
  assert.ok(!existsSync(trace), "no empty file left");
});

test("first Ctrl-C keeps reading stdin until it ends, then prints the summary; the second exits at once", async () => {
  const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"), "utf8");
  const child = spawn(process.execPath, [bin, "analyze", "--format", "ndjson"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const lines = sample.split("\n");
  const cut = lines.findIndex((l) => l.includes("shutdown(")) + 1;
  child.stdin.write(lines.slice(0, cut).join("\n") + "\n");
  await waitFor(() => out.includes('"type":"finding"'));
  child.kill("SIGINT");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(child.exitCode, null, "still running after the first SIGINT");
  child.stdin.end(lines.slice(cut).join("\n"));
  const code = await new Promise<number | null>((res) => child.on("close", res));
  noStack(stderr);
  assert.equal(code, 1);
  assert.match(out, /"type":"summary"/);

  const second = spawn(process.execPath, [bin, "analyze", "--format", "ndjson"], { stdio: ["pipe", "pipe", "pipe"] });
  let out2 = "";
  second.stdout.on("data", (b: Buffer) => (out2 += b.toString()));
  second.stdin.write(lines.slice(0, cut).join("\n") + "\n");
  // The finding shows the analyzer is up and reading (its SIGINT handler is in place).
  await waitFor(() => out2.includes('"type":"finding"'));
  second.kill("SIGINT");
  await new Promise((r) => setTimeout(r, 200));
  second.kill("SIGINT");
  const code2 = await new Promise<number | null>((res) => second.on("close", res));
  assert.equal(code2, 130, "a second Ctrl-C leaves at once");
});

test("output into a closed pipe ends quietly with the exit code unchanged", async () => {
  // Many losses, so the output is far larger than a pipe buffer.
  const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"), "utf8");
  const body = Array.from({ length: 400 }, (_, r) =>
    sample.replace(/^(\d+)/gm, (pid) => String(Number(pid) + (r + 1) * 10)),
  ).join("");
  const child = spawn(process.execPath, [bin, "analyze", "--format", "ndjson", "-"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  child.stdout.once("data", () => child.stdout.destroy());
  // Once its reader is gone and a loss is known, analyze stops reading: the rest of the input
  // meets a closed pipe, as `cat` would before a `| head`.
  child.stdin.on("error", () => {});
  child.stdin.end(body);
  const code = await new Promise<number | null>((res) => child.on("close", res));
  noStack(stderr);
  assert.doesNotMatch(stderr, /EPIPE/);
  assert.equal(code, 1);
});

test("parse into a pipe whose reader has gone stops reading: `parse | head` of an endless input ends", () => {
  // `yes` writes for ever: the pipeline ends only if parse leaves once head has.
  const r = spawnSync("sh", ["-c", `yes '9724  close(3) = 0' | "${process.execPath}" "${bin}" parse | head -2`], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.error, undefined, "the pipeline ended");
  assert.equal(r.stdout.trim().split("\n").length, 2);
  noStack(r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE/);
});

test("analyze into a pipe whose reader has gone stops at its next finding: `analyze | head` of an endless input ends", () => {
  // The sample (one loss) again and again with new pids, for ever: the pipeline ends only if
  // analyze leaves once head has, and its exit code still says a loss was found.
  const sample = join(root, "samples", "hyper-short-write", "f-tt-T.strace");
  const feeder =
    `const t = require("fs").readFileSync(process.argv[1], "utf8"); let r = 0;` +
    `process.stdout.on("error", () => process.exit(0));` +
    `(function w() { for (;;) { r++; if (!process.stdout.write(t.replace(/^(\\d+)/gm, (p) => String(Number(p) + r * 10)))) return void process.stdout.once("drain", w); } })();`;
  const r = spawnSync(
    "bash",
    ["-c", `set -o pipefail; "${process.execPath}" -e '${feeder}' "${sample}" | "${process.execPath}" "${bin}" analyze | head -2`],
    { encoding: "utf8", timeout: 30_000 },
  );
  assert.equal(r.error, undefined, "the pipeline ended");
  assert.equal(r.status, 1, "analyze's exit code: a loss was found");
  assert.match(r.stdout, /^error\[shutdown-with-unsent\]/);
  noStack(r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE/);
});

/** analyze --format json of `args`, sent SIGTERM once its document has begun; its stdin a pipe
 *  `feed` writes to, or the descriptor given. */
async function terminated(args: string[], feed?: (stdin: NodeJS.WritableStream) => void, stdin: "pipe" | number = "pipe") {
  const child = spawn(process.execPath, [bin, "analyze", "--format", "json", ...args], { stdio: [stdin, "pipe", "pipe"] });
  let out = "";
  let stderr = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  if (feed !== undefined && child.stdin !== null) feed(child.stdin);
  await waitFor(() => out.includes('"findings": ['));
  const sentAt = Date.now();
  child.kill("SIGTERM");
  // A run that ignores the signal is killed after 10 s: the test then fails on its time.
  const hung = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const code = await new Promise<number | null>((res) => child.on("close", res));
  clearTimeout(hung);
  child.stdin?.destroy();
  return { code, out, stderr, ms: Date.now() - sentAt };
}

test("SIGTERM stops a file at once and the JSON document stays whole", async () => {
  const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"), "utf8");
  const big = join(tmp, "big.strace");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(big, Array.from({ length: 3000 }, (_, r) => sample.replace(/^(\d+)/gm, (pid) => String(Number(pid) + (r + 1) * 10))).join(""));
  const r = await terminated([big]);
  noStack(r.stderr);
  assert.match(r.stderr, /note\[SR012\]: interrupted: read up to this line/, "it was stopped, not done");
  const doc = JSON.parse(r.out) as { findings: unknown[]; stats: { lines: number } };
  assert.ok(doc.findings.length > 0);
  assert.equal(r.code, 1, "the exit code of what was read");
});

/** A run on the sample's stdin stopped by SIGTERM: soon, with its finding and a whole JSON
 *  document, and saying it was interrupted. */
function stoppedWithTheFinding(r: Awaited<ReturnType<typeof terminated>>) {
  noStack(r.stderr);
  assert.ok(r.ms < 5000, `ended ${r.ms} ms after the signal`);
  const doc = JSON.parse(r.out) as { findings: { rule: string }[] };
  assert.deepEqual(doc.findings.map((f) => f.rule), ["shutdown-with-unsent"]);
  assert.match(r.stderr, /<stdin>:\d+:\d+: note\[SR012\]: interrupted/);
  assert.equal(r.code, 1);
}

test("SIGTERM stops reading stdin even while strace is still writing, with the JSON whole", async () => {
  const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"), "utf8");
  // The pipe stays open, as when strace -p runs on: only the signal can end the run.
  const r = await terminated([], (stdin) => stdin.write(sample));
  stoppedWithTheFinding(r);
});

test("SIGTERM ends a run whose stdin is a pipe strace still holds open, as a shell's | gives", async () => {
  // A FIFO, not Node's socket pair: the kind of stdin `strace ... 2>&1 | analyze` has, read by
  // a thread of its own; its writer stays open, so only the signal can end the run.
  const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"));
  const { readFd, writeFd } = fifoEnds();
  try {
    writeSync(writeFd, sample);
    const r = await terminated([], undefined, readFd);
    stoppedWithTheFinding(r);
  } finally {
    closeSync(readFd);
    closeSync(writeFd);
  }
});

test("a file on stdin (`< trace.log`) is read as a file: same report, and Ctrl-C stops it at once", async () => {
  const { openSync, writeFileSync } = await import("node:fs");
  const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"), "utf8");
  const big = join(tmp, "redirected.strace");
  writeFileSync(big, Array.from({ length: 3000 }, (_, r) => sample.replace(/^(\d+)/gm, (pid) => String(Number(pid) + (r + 1) * 10))).join(""));
  const piped = spawnSync(process.execPath, [bin, "analyze", "--format", "json"], { input: readFileSync(big), encoding: "utf8", maxBuffer: 256 << 20 });
  const fd = openSync(big, "r");
  const redirected = spawnSync(process.execPath, [bin, "analyze", "--format", "json"], { stdio: [fd, "pipe", "pipe"], encoding: "utf8", maxBuffer: 256 << 20 });
  assert.equal(redirected.status, 1, redirected.stderr);
  assert.equal(redirected.stdout, piped.stdout, "the same document as through a pipe");

  closeSync(fd); // read to its end: the next run gets a descriptor of its own
  const again = openSync(big, "r");
  const child = spawn(process.execPath, [bin, "analyze", "--format", "json"], { stdio: [again, "pipe", "pipe"] });
  closeSync(again);
  let out = "";
  let stderr = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  await waitFor(() => out.includes('"findings": ['));
  child.kill("SIGINT");
  const code = await new Promise<number | null>((res) => child.on("close", res));
  noStack(stderr);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /<stdin>:\d+:1: note\[SR012\]: interrupted/, "stopped where it was, as a file is");
  JSON.parse(out);
});

test("record on SIGTERM asks the traced program to end and reads the trace to its last line", { skip: skipWhy ?? false }, async () => {
  const trace = join(tmp, "terminated.strace");
  const child = spawn(process.execPath, [bin, "record", "-o", trace, "--", "sleep", "30"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  // record's call set leaves sleeps out: the program runs once its libraries are open.
  await waitFor(() => existsSync(trace) && /openat\(.*libc/.test(readFileSync(trace, "utf8")));
  await new Promise((r) => setTimeout(r, 300));
  const sentAt = Date.now();
  child.kill("SIGTERM"); // to record alone, as a supervisor would
  const code = await new Promise<number | null>((res) => child.on("close", res));
  noStack(stderr);
  assert.ok(Date.now() - sentAt < 5000, "ended soon after the signal");
  assert.equal(code, 0, stderr);
  assert.match(readFileSync(trace, "utf8"), /\+\+\+ killed by SIGTERM \+\+\+\n$/, "the program was asked to end");
  assert.doesNotMatch(stderr, /SR012/, "the trace was read to its end, not cut");
  assert.match(out, /no findings in/);
});

async function waitFor(cond: () => boolean, ms = 10000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
