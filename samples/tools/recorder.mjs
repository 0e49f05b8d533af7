// Builds the sample programs, records them under the real strace with each flag set, and derives
// the expected findings from what each program says about itself (its truth file), never from the
// analyzer. Used by samples/regenerate.mjs and by the integration tests.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SAMPLES_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The calls the stream model needs, for the filtered recording. `?` marks names strace may not
 * know on every architecture (x86_64 has no `send` syscall). */
export const FILTERED_SET = [
  "write", "writev", "pwrite64", "pwritev", "pwritev2", "?send", "sendto", "sendmsg", "sendmmsg",
  "sendfile", "splice", "vmsplice", "copy_file_range", "shutdown", "close", "close_range", "dup",
  "dup2", "dup3", "fcntl", "clone", "clone3", "fork", "vfork", "socket", "socketpair", "accept",
  "accept4", "pipe", "pipe2", "execve", "execveat", "exit", "exit_group",
].join(",");

/** One recording per strace flag set. `output`: "file" (-o FILE), "ff" (-ff -o DIR/trace, a
 * directory of trace.<tid> files) or "2to1" (strace's stderr and the program's stdout/stderr
 * all in one file, as `strace -f cmd > FILE 2>&1` gives). */
export const RECORDINGS = [
  { name: "f", flags: ["-f"], output: "file" },
  { name: "f-tt-T", flags: ["-f", "-tt", "-T"], output: "file" },
  { name: "f-ttt-yy-s32", flags: ["-f", "-ttt", "-yy", "-s", "32"], output: "file" },
  { name: "f-r-x", flags: ["-f", "-r", "-x"], output: "file" },
  { name: "f-xx-yy", flags: ["-f", "-xx", "-yy"], output: "file" },
  { name: "f-Xraw", flags: ["-f", "-X", "raw"], output: "file" },
  { name: "f-k", flags: ["-f", "-k"], output: "file" },
  { name: "f-i-n", flags: ["-f", "-i", "-n"], output: "file" },
  { name: "f-filtered", flags: ["-f", "-e", `trace=${FILTERED_SET}`], output: "file" },
  { name: "ff", flags: ["-ff"], output: "ff" },
  { name: "f-2to1", flags: ["-f"], output: "2to1" },
];

/** Extra recordings for the HTTP and reset cases: strace's default `-s 32` hides an HTTP head,
 * so these show it at -s 64/128/256, with -yy and without. */
export const STRSIZE_RECORDINGS = [64, 128, 256].flatMap((n) => [
  { name: `f-s${n}`, flags: ["-f", "-tt", "-s", String(n)], output: "file" },
  { name: `f-s${n}-yy`, flags: ["-f", "-yy", "-s", String(n)], output: "file" },
]);

/** Calls the read-side rules need on top of FILTERED_SET (reads, SO_LINGER, SIOCOUTQ). */
export const FILTERED_READ_SIDE = ["read", "recvfrom", "readv", "recvmsg", "setsockopt", "ioctl"];

/** The recordings of one case: the standard set, plus the -s set for the `http` cases (whose
 * filtered recording also keeps the read side). */
export function recordingsFor(c) {
  if (!c.http) return RECORDINGS;
  const filtered = `trace=${FILTERED_SET},${FILTERED_READ_SIDE.join(",")}`;
  return [
    ...RECORDINGS.map((r) => (r.name === "f-filtered" ? { ...r, flags: ["-f", "-e", filtered] } : r)),
    ...STRSIZE_RECORDINGS,
  ];
}

/** The string limit (-s) a recording printed with; strace's default is 32. */
export function strsizeOf(rec) {
  const i = rec.flags.indexOf("-s");
  return i >= 0 ? Number(rec.flags[i + 1]) : 32;
}

/** The cases. `c`: one C program (samples/<case>/<case>.c) run as ./<case>. `node`: a Node.js
 * server (traced) and a C slow reader started beside it (not traced). */
export const CASES = [
  {
    name: "eagain-give-up",
    kind: "c",
    description:
      "A server writes a 1 MiB response on a non-blocking Unix stream socket: writev() is partial, the retry of the remainder gets EAGAIN, and it gives up with shutdown(SHUT_WR). One shutdown-with-unsent.",
  },
  {
    name: "hyper-short-write",
    kind: "c",
    description:
      "The hyper issue 4022 shape over TCP on 127.0.0.1: ONE sendto() of an HTTP/1.1 200 response (Content-Length 14896092) returns short, no EAGAIN at all, then shutdown(SHUT_WR). One shutdown-with-unsent.",
  },
  {
    name: "thread-shutdown",
    kind: "c",
    description:
      "A writer thread gets a partial writev() then EAGAIN and parks; another thread calls shutdown(SHUT_WR) on the same socket. One shutdown-with-unsent, at the other thread's shutdown.",
  },
  {
    name: "pollout-drain",
    kind: "c",
    description:
      "The correct pattern: short writes and EAGAIN against a slow reader thread, poll(POLLOUT) and retry of the remainder until everything is accepted, then shutdown(SHUT_WR). No finding.",
  },
  {
    name: "node-slow-reader",
    kind: "node",
    description:
      "A Node.js HTTP server answers an 8 MiB body to a slow reader (an untraced C client): libuv's writev() is short, then EAGAIN, it waits for EPOLLOUT, drains, then shutdown(SHUT_WR). No finding.",
  },
  {
    name: "fd-reuse",
    kind: "c",
    description:
      "fd 4 is closed with its tail unsent after a partial write and EAGAIN (close-with-unsent at that close); a new socketpair reuses fd 4 and sends a small reply completely. Exactly one finding.",
  },
  {
    name: "dup-keeps-alive",
    kind: "c",
    description:
      "A socket is dup()ed, the original fd is closed after a partial write and EAGAIN, and the dup finishes sending everything before shutdown(SHUT_WR). No finding: the first close did not drop the last reference.",
  },
  {
    name: "exit-pipe-unsent",
    kind: "c",
    description:
      "A 200000-byte report to a non-blocking pipe nobody reads yet: 65536 accepted, EAGAIN on the remainder, then exit(0) while the process is the pipe's last holder. One exit-with-unsent (warning) at the exit_group line.",
  },
  {
    name: "prefork-child-loss",
    kind: "c",
    description:
      "A forking TCP server: the parent closes its copy of the accepted connection (not a loss), the worker sends a 6 MiB response, gets a short send() then EAGAIN, and closes: the worker was the last holder. One close-with-unsent, in the worker.",
  },
  {
    name: "fork-child-close",
    kind: "c",
    description:
      "Two sockets with unsent tails before fork(). The child closes its copies of both (not losses: the parent holds them). The parent, now the last holder, closes B with the tail unsent (one close-with-unsent in the parent) and drains A to the end before shutdown(SHUT_WR) (clean).",
  },
  {
    name: "http-short-body",
    kind: "c",
    http: true,
    description:
      "A TCP server whose writes all succeed but whose HTTP responses are short: Content-Length 100000 with 65536 body bytes then shutdown(SHUT_WR) (and a late write that gets EPIPE and SIGPIPE), a chunked body closed without 0\\r\\n\\r\\n, and the second of two pipelined responses cut. Three http-short-body findings when -s shows the heads; none at the default -s 32 (a quality note says why).",
  },
  {
    name: "http-full-body",
    kind: "c",
    http: true,
    description:
      "The correct twin of http-short-body: the whole Content-Length body, a chunked body with its 0\\r\\n\\r\\n, two complete pipelined responses, and a HEAD response that declares Content-Length without a body. No finding.",
  },
  {
    name: "linger-abort",
    kind: "c",
    http: true,
    description:
      "A TCP server writes a 512 KiB response to a slow client, sets SO_LINGER {1, 0} and closes at once: the RST discards what the client had not yet received. One abortive-close at the close.",
  },
  {
    name: "linger-after-ack",
    kind: "c",
    http: true,
    description:
      "The correct twins of linger-abort: SO_LINGER {1, 0} only after the client closed (read returns 0), SO_LINGER {1, 0} only after ioctl(SIOCOUTQ) reads 0, and a plain close with no linger. No finding.",
  },
  {
    name: "unread-close",
    kind: "c",
    http: true,
    description:
      "A TCP server answers 413 and closes without reading the request body: once after a read that filled its 1024-byte buffer, once after reading only a head that declared Content-Length 100000. Two close-with-unread-input warnings (only the first at the default -s 32, which hides the head).",
  },
  {
    name: "unread-drain",
    kind: "c",
    http: true,
    description:
      "The correct twins of unread-close: answer, shutdown(SHUT_WR), drain with a bounded poll/read loop until EOF, close; and a server that reads the whole request to EOF before closing. No finding.",
  },
];

export function caseByName(name) {
  const found = CASES.find((c) => c.name === name);
  if (!found) throw new Error(`unknown sample case ${name}`);
  return found;
}

export function recordingByName(name) {
  const found = RECORDINGS.find((r) => r.name === name) ?? STRSIZE_RECORDINGS.find((r) => r.name === name);
  if (!found) throw new Error(`unknown recording ${name}`);
  return found;
}

/** True when strace can trace a child here (ptrace permitted). */
export function straceWorks() {
  const r = spawnSync("strace", ["-f", "-o", "/dev/null", "true"], { stdio: "ignore" });
  return r.status === 0;
}

function gcc(source, output) {
  const r = spawnSync("gcc", ["-O1", "-g0", "-Wall", "-Wextra", "-pthread", "-o", output, source], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`gcc ${source} failed:\n${r.stderr}`);
}

/** Compile (or copy) a case's programs into workDir. Returns nothing; programs live at
 * workDir/<case> (C) or workDir/<case>/server.mjs + workDir/slow-reader (node). */
export function buildCase(c, workDir) {
  fs.mkdirSync(workDir, { recursive: true });
  const dir = path.join(SAMPLES_DIR, c.name);
  if (c.kind === "c") {
    gcc(path.join(dir, `${c.name}.c`), path.join(workDir, c.name));
  } else {
    gcc(path.join(dir, "slow-reader.c"), path.join(workDir, "slow-reader"));
    fs.mkdirSync(path.join(workDir, c.name), { recursive: true });
    fs.copyFileSync(path.join(dir, "server.mjs"), path.join(workDir, c.name, "server.mjs"));
  }
}

function waitFor(child) {
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
}

/** The strace command line for one recording, as argv (for the README and for spawning). */
export function straceArgv(rec, outPath) {
  if (rec.output === "file") return ["strace", ...rec.flags, "-o", outPath];
  if (rec.output === "ff") return ["strace", ...rec.flags, "-o", path.join(outPath, "trace")];
  return ["strace", ...rec.flags];
}

/** No sample run takes more than a few seconds; a hung one is killed (SIGTERM) after this. */
const RUN_TIMEOUT_MS = 60_000;

/**
 * Run one case once under one recording. The trace goes to `outPath` (a file, or a directory for
 * "ff"). Returns { truth: records[], exitCode }. Throws when the run did not demonstrate what the
 * case is about (the caller may retry).
 */
export async function recordOnce(c, rec, { workDir, outPath, env = {} }) {
  const truthFile = path.join(workDir, `truth-${c.name}-${rec.name}.jsonl`);
  fs.rmSync(truthFile, { force: true });
  fs.rmSync(outPath, { recursive: true, force: true });
  if (rec.output === "ff") fs.mkdirSync(outPath, { recursive: true });
  const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", TRUTH_FILE: truthFile, ...env };
  const argv = straceArgv(rec, outPath);
  let client = null;
  let cwd = workDir;
  if (c.kind === "c") {
    argv.push(`./${c.name}`);
  } else {
    const portFile = path.join(workDir, `port-${rec.name}`);
    fs.rmSync(portFile, { force: true });
    baseEnv.PORT_FILE = portFile;
    cwd = path.join(workDir, c.name);
    argv.push("node", "server.mjs");
    client = spawn(path.join(workDir, "slow-reader"), [], {
      cwd: workDir,
      env: baseEnv,
      stdio: "ignore",
      timeout: RUN_TIMEOUT_MS,
    });
  }
  let stdio = ["ignore", "ignore", "pipe"];
  let fd = null;
  if (rec.output === "2to1") {
    fd = fs.openSync(outPath, "w");
    stdio = ["ignore", fd, fd];
  }
  const child = spawn(argv[0], argv.slice(1), { cwd, env: baseEnv, stdio, timeout: RUN_TIMEOUT_MS });
  let stderr = "";
  child.stderr?.on("data", (b) => (stderr += b));
  const [traced, reader] = await Promise.all([waitFor(child), client ? waitFor(client) : null]);
  if (fd !== null) fs.closeSync(fd);
  if (traced.code !== 0) throw new Error(`${c.name}/${rec.name}: exit ${traced.code ?? traced.signal} ${stderr}`);
  if (reader && reader.code !== 0) throw new Error(`${c.name}/${rec.name}: slow reader exit ${reader.code}`);
  const truth = fs
    .readFileSync(truthFile, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
  checkDemonstrated(c, rec, truth, outPath);
  return { truth, exitCode: traced.code };
}

const STALL = /(?:^|\s)(?:write|writev|sendto|sendmsg)\(.*= -1 EAGAIN|<\.\.\. (?:write|writev|sendto|sendmsg) resumed>.*= -1 EAGAIN/m;

/** A clean sample must have met the slow path for real; a lossy one must have lost something. */
function checkDemonstrated(c, rec, truth, outPath) {
  const losses = truth.filter((t) => t.kind === "loss");
  // The reset rules lose no unsent bytes of the program's: their records carry 0.
  for (const l of losses.filter((x) => !c.http || x.rule === "http-short-body")) {
    if (!(l.unsentBytes > 0)) throw new Error(`${c.name}/${rec.name}: loss record without unsent bytes`);
  }
  // The HTTP and reset cases check themselves: the program's own "demo" records say whether the
  // peer saw what the case is about (a short body, a reset, everything delivered).
  if (c.http) {
    const demos = truth.filter((t) => t.kind === "demo");
    if (demos.length === 0) throw new Error(`${c.name}/${rec.name}: no demo record`);
    for (const d of demos) if (!d.demonstrated) throw new Error(`${c.name}/${rec.name}: not demonstrated: ${JSON.stringify(d)}`);
    return;
  }
  for (const t of truth.filter((x) => x.kind === "clean" && c.kind === "c")) {
    if (t.intended !== t.accepted) throw new Error(`${c.name}/${rec.name}: clean record not complete`);
    if (losses.length === 0 && !(t.stalls > 0)) throw new Error(`${c.name}/${rec.name}: never stalled`);
  }
  if (c.kind === "node") {
    const server = truth.find((t) => t.kind === "clean");
    const client = truth.find((t) => t.kind === "client");
    if (!server || server.hadError) throw new Error(`${c.name}/${rec.name}: server did not close cleanly`);
    if (!client || client.bodyReceived !== client.contentLength || client.totalReceived !== server.intended) {
      throw new Error(`${c.name}/${rec.name}: client got ${client?.bodyReceived} of ${client?.contentLength}`);
    }
    // The response goes out in one writev() when the socket can take it all; a second writev()
    // exists only if the first was short. Either that or an EAGAIN proves the slow path.
    const texts = traceTexts(rec, outPath);
    const writevs = texts.reduce((n, { text }) => n + (text.match(/(?:^|\s)writev\(/gm)?.length ?? 0), 0);
    if (!texts.some(({ text }) => STALL.test(text)) && writevs < 2) {
      throw new Error(`${c.name}/${rec.name}: the server never stalled (reader not slow enough)`);
    }
  }
}

/** The trace text(s) of a recording: [{ file, text }] (one entry, or one per -ff file). */
export function traceTexts(rec, outPath) {
  if (rec.output === "ff") {
    return fs
      .readdirSync(outPath)
      .filter((f) => /^trace\.\d+$/.test(f))
      .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
      .map((f) => ({ file: f, text: fs.readFileSync(path.join(outPath, f), "latin1") }));
  }
  return [{ file: path.basename(outPath), text: fs.readFileSync(outPath, "latin1") }];
}

const FD = String.raw`(0x[0-9a-fA-F]+|\d+)`;

function fdValue(text) {
  return text.startsWith("0x") ? parseInt(text, 16) : Number(text);
}

/** The pid prefix of a physical line: a number, or null when strace printed none (2>&1 with a
 * single traced process), or undefined for lines that are not trace lines at all. */
function linePid(line) {
  let m = /^(\d+) +/.exec(line);
  if (m) return Number(m[1]);
  m = /^\[pid +(\d+)\] /.exec(line);
  if (m) return Number(m[1]);
  return null;
}

/**
 * The independent locator. For each loss record of the truth file, find the line of its point of
 * no return: the record was written (one write() on the truth fd) right after that call, by the
 * same thread, so the answer is the nearest `shutdown(fd, …)` / `close(fd…` of the record's fd by
 * that thread before the record's own write line. An exit leaves no room after it, so an
 * `exit-with-unsent` record is written just before, and the answer is the first `exit_group(` /
 * `exit(` by that thread after it. Records and their write lines are matched in order (per thread
 * file for -ff). Returns the expected findings, in trace order.
 */
export function locate(rec, truth, texts) {
  const expected = [];
  // Records written by the C programs' single write() (the Node server writes no truthFd: its
  // oracle is the client's byte count, and it has no loss to locate).
  const records = truth.filter((t) => t.truthFd !== undefined);
  for (const { file, text } of texts) {
    const perFile = rec.output === "ff";
    const filePid = perFile ? Number(file.slice(6)) : null;
    const mine = perFile ? records.filter((r) => r.tid === filePid) : records;
    if (mine.length === 0) continue;
    const lines = text.split("\n");
    const pidOf = (i) => (perFile ? filePid : linePid(lines[i]));
    // The truth-write lines, in order.
    const truthFd = mine[0].truthFd;
    const writeRe = new RegExp(String.raw`(?:^|\s)write\(${FD}[<,\s]`);
    const writes = [];
    for (let i = 0; i < lines.length; i++) {
      const m = writeRe.exec(lines[i]);
      if (m && fdValue(m[1]) === truthFd) writes.push(i);
    }
    if (writes.length !== mine.length) {
      throw new Error(`${file}: ${writes.length} truth writes in the trace, ${mine.length} records`);
    }
    mine.forEach((record, k) => {
      const at = writes[k];
      const pid = pidOf(at);
      if (pid !== null && pid !== record.tid) {
        throw new Error(`${file}:${at + 1}: truth write by ${pid}, record says ${record.tid}`);
      }
      if (record.kind !== "loss") return;
      // An HTTP head the recording's -s cut cannot be checked: the program says how many bytes
      // of it must be visible (`minStrsize`).
      if (record.minStrsize !== undefined && record.minStrsize > strsizeOf(rec)) return;
      if (record.rule === "exit-with-unsent") {
        const exitRe = /(?:^|\s)exit(?:_group)?\(/;
        for (let i = at + 1; i < lines.length; i++) {
          const p = pidOf(i);
          if (p !== null && p !== record.tid) continue;
          if (!exitRe.test(lines[i])) continue;
          const finding = { rule: record.rule, line: i + 1, unsentBytes: record.unsentBytes };
          if (perFile) finding.file = file;
          expected.push(finding);
          return;
        }
        throw new Error(`${file}: no exit by ${record.tid} after line ${at + 1}`);
      }
      const call = record.call ?? (record.rule === "shutdown-with-unsent" ? "shutdown" : "close");
      const callRe = new RegExp(String.raw`(?:^|\s)${call}\(${FD}(?:[<,\s)]|$)(.*)`);
      for (let i = at - 1; i >= 0; i--) {
        const p = pidOf(i);
        if (p !== null && p !== record.tid) continue;
        const m = callRe.exec(lines[i]);
        if (!m || fdValue(m[1]) !== record.fd) continue;
        if (call === "shutdown" && /SHUT_RD\b/.test(m[2])) continue;
        const finding = { rule: record.rule, line: i + 1, unsentBytes: record.unsentBytes };
        if (perFile) finding.file = file;
        expected.push(finding);
        return;
      }
      throw new Error(`${file}: no ${call}(${record.fd}) by ${record.tid} before line ${at + 1}`);
    });
  }
  return expected;
}

/** Record one case under one recording into outPath, retrying a run that did not demonstrate the
 * case (a rare scheduling fluke), and return { truth, expected }. */
export async function recordCase(c, rec, { workDir, outPath, attempts = 3 }) {
  let lastError;
  for (let i = 0; i < attempts; i++) {
    try {
      const { truth } = await recordOnce(c, rec, { workDir, outPath });
      return { truth, expected: locate(rec, truth, traceTexts(rec, outPath)) };
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/** The exact commands of every recording of a case, as shell lines (for its README). */
export function commandLines(c) {
  const lines = [];
  const q = (a) => (/^[\w./=,:-]+$/.test(a) ? a : `'${a}'`);
  lines.push("# from the repository root; programs are built and run in a neutral temp dir so the");
  lines.push("# traces carry no personal paths (each run writes its own truth file)");
  lines.push("mkdir -p /tmp/sr-sample");
  if (c.kind === "c") {
    lines.push(`gcc -O1 -g0 -Wall -Wextra -pthread -o /tmp/sr-sample/${c.name} samples/${c.name}/${c.name}.c`);
  } else {
    lines.push(`gcc -O1 -g0 -Wall -Wextra -pthread -o /tmp/sr-sample/slow-reader samples/${c.name}/slow-reader.c`);
    lines.push(`mkdir -p /tmp/sr-sample/${c.name} && cp samples/${c.name}/server.mjs /tmp/sr-sample/${c.name}/`);
    lines.push("# the slow reader (not traced) is started beside each traced run; they meet via $PORT_FILE");
  }
  lines.push(c.kind === "c" ? "cd /tmp/sr-sample && mkdir -p ff" : `cd /tmp/sr-sample/${c.name} && mkdir -p ff`);
  const prog = c.kind === "c" ? `./${c.name}` : "node server.mjs";
  const envp = c.kind === "c" ? "TRUTH_FILE=truth.jsonl" : "TRUTH_FILE=truth.jsonl PORT_FILE=port";
  for (const rec of recordingsFor(c)) {
    if (c.kind === "node") lines.push("TRUTH_FILE=truth.jsonl PORT_FILE=port ../slow-reader &");
    const out = rec.output === "ff" ? "ff" : `${rec.name}.strace`;
    const argv = straceArgv(rec, out).map(q).join(" ");
    const redirect = rec.output === "2to1" ? ` > ${out} 2>&1` : "";
    lines.push(`${envp} ${argv} ${prog}${redirect}`);
  }
  return lines;
}
