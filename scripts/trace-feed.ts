// Trace text for the benchmark and the live-rate test: real captures from samples/ replicated
// with shifted pids and times (short lines, as a busy server's `strace -f` prints them), and
// `-s 65536` writes of HTTP text (long lines, as a bulk transfer prints them). And a paced
// feeder that offers such text to a consumer at a fixed rate and measures whether it keeps up.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";

/** Every sample's `-f -tt -T` recording (bare pid prefixes), in a fixed order. */
export function sampleTraces(root: string): string[] {
  const samples = join(root, "samples");
  const out: string[] = [];
  if (!existsSync(samples)) return out;
  for (const c of readdirSync(samples).sort()) {
    const f = join(samples, c, "f-tt-T.strace");
    if (existsSync(f)) out.push(readFileSync(f, "utf8"));
  }
  return out;
}

/** Replica r of a trace: pids shifted so replicas look like other processes, times shifted by
 * r seconds so the whole file runs forward in time. */
export function replicate(text: string, r: number): string {
  const pidShift = (r % 200) * 20000;
  return text.replace(/^(\d+)(\s+)(\d\d):(\d\d):(\d\d)\.(\d{6})/gm, (_m, pid, sp, h, m, s, us) => {
    const t = (Number(h) * 3600 + Number(m) * 60 + Number(s) + r) % 86400;
    const hh = String(Math.floor(t / 3600)).padStart(2, "0");
    const mm = String(Math.floor((t % 3600) / 60)).padStart(2, "0");
    const ss = String(t % 60).padStart(2, "0");
    return `${Number(pid) + pidShift}${sp}${hh}:${mm}:${ss}.${us}`;
  });
}

/** Endless replicas of the sample recordings, one Buffer per replica. */
export function shortLineSource(root: string): () => Buffer {
  const bases = sampleTraces(root);
  if (bases.length === 0) throw new Error("no samples/*/f-tt-T.strace found to build a trace from");
  let r = 0;
  return () => {
    const text = replicate(bases[r % bases.length]!, Math.floor(r / bases.length));
    r++;
    return Buffer.from(text);
  };
}

/** A -tt clock (`HH:MM:SS.uuuuuu`) of `us` microseconds after midnight. */
function clock(us: number): string {
  const two = (v: number) => String(v).padStart(2, "0");
  return `${two(Math.floor(us / 3.6e9))}:${two(Math.floor(us / 6e7) % 60)}:${two(Math.floor(us / 1e6) % 60)}.${String(us % 1e6).padStart(6, "0")}`;
}

/** Endless `-s 65536` connections: a socket accepted, 64 KiB writes of an HTTP response
 *  (`\r\n` escapes every line), a short write, then a shutdown with bytes unsent. */
export function longLineSource(): () => Buffer {
  const body = "HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n" + "0123456789abcdefghijklmnopqrstuvwxyz\\r\\n".repeat(1750);
  let n = 0;
  return () => {
    const pid = 4000 + (n % 50);
    const fd = 5 + (n % 100);
    const t = (k: number) => clock(((10 + (Math.floor(n / 3600) % 10)) * 3600 + (n % 3600)) * 1e6 + k * 1000 + (n % 1000));
    const lines = [`${pid}  ${t(1)} accept4(3, NULL, NULL, SOCK_CLOEXEC|SOCK_NONBLOCK) = ${fd} <0.000010>`];
    for (let i = 0; i < 8; i++) lines.push(`${pid}  ${t(2 + i)} write(${fd}, "${body}"..., 65536) = 65536 <0.000050>`);
    lines.push(`${pid}  ${t(20)} write(${fd}, "${body}"..., 65536) = 16384 <0.000040>`);
    lines.push(`${pid}  ${t(21)} shutdown(${fd}, SHUT_WR) = 0 <0.000008>`);
    lines.push(`${pid}  ${t(22)} close(${fd}) = 0 <0.000009>`);
    n++;
    return Buffer.from(`${lines.join("\n")}\n`);
  };
}

/** The files of an `strace -ff -tt -T -yy` set of `files` threads alive together (a thread
 *  per connection), `bytesEach` of trace each: each thread reads a request, writes its response
 *  and waits, over the same stretch of time as the others, then closes its socket and exits. */
export function threadSet(files: number, bytesEach: number): Iterable<{ name: string; text: () => string }> {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < files; i++) {
        yield {
          name: `trace.${30000 + i}`,
          text: () => {
            const fd = `5<TCP:[10.0.0.1:80->10.0.0.2:${20000 + i}]>`;
            const lines: string[] = [];
            let bytes = 0;
            for (let k = 0; bytes < bytesEach; k++) {
              const t = clock(36000 * 1e6 + k * 1100 + i);
              const block =
                `${t} read(${fd}, "GET /index.html HTTP/1.1\\r\\nHost: example\\r\\n\\r\\n", 4096) = 43 <0.000010>\n` +
                `${t} write(${fd}, "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello", 43) = 43 <0.000012>\n` +
                `${t} futex(0x7f00a0, FUTEX_WAIT_PRIVATE, 2, NULL) = 0 <0.000100>\n`;
              lines.push(block);
              bytes += block.length;
            }
            const end = "11:00:00.000000";
            lines.push(`${end} close(${fd}) = 0 <0.000009>\n${end} exit(0) = ?\n${end} +++ exited with 0 +++\n`);
            return lines.join("");
          },
        };
      }
    },
  };
}

export interface FeedResult {
  /** Bytes written to the consumer. */
  readonly bytes: number;
  /** Seconds from the first write to the last, and the seconds planned at the offered rate. */
  readonly seconds: number;
  readonly plannedSeconds: number;
  /** The furthest the feeder fell behind its schedule because the consumer's pipe was full,
   *  in seconds of input: near zero while the consumer keeps up, growing when it does not. */
  readonly maxBehindSeconds: number;
}

/** Offer `bytesPerSecond` to `dest` for `seconds`, in the source's pieces (at most 64 KiB per
 *  write), as a traced program's strace would: on schedule, waiting only when the pipe is full. */
export async function pacedFeed(dest: Writable, next: () => Buffer, bytesPerSecond: number, seconds: number): Promise<FeedResult> {
  // The consumer's start-up is not part of keeping up: the schedule starts once it has taken a
  // first megabyte (the pipe holds only 64 KiB, so by then it is reading).
  for (let warm = 0; warm < 1024 * 1024; ) {
    const piece = next();
    warm += piece.length;
    if (!dest.write(piece)) await new Promise<void>((r) => dest.once("drain", () => r()));
  }
  const start = performance.now();
  const dueNow = () => Math.min(total, (bytesPerSecond * (performance.now() - start)) / 1000);
  let bytes = 0;
  let maxBehind = 0;
  let pending: Buffer = Buffer.alloc(0);
  const total = bytesPerSecond * seconds;
  while (bytes < total) {
    const due = dueNow();
    if (bytes >= due) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    while (bytes < due) {
      if (pending.length === 0) pending = next();
      const piece = pending.subarray(0, Math.min(pending.length, 64 * 1024, Math.ceil(due - bytes)));
      pending = pending.subarray(piece.length);
      bytes += piece.length;
      if (!dest.write(piece)) {
        await new Promise<void>((r) => dest.once("drain", () => r()));
        maxBehind = Math.max(maxBehind, (dueNow() - bytes) / bytesPerSecond);
      }
    }
  }
  const taken = (performance.now() - start) / 1000;
  await new Promise<void>((r) => dest.end(() => r()));
  return { bytes, seconds: taken, plannedSeconds: seconds, maxBehindSeconds: maxBehind };
}

export interface LiveResult {
  readonly offeredMBps: number;
  readonly mb: number;
  readonly feedSeconds: number;
  /** The furthest the feed fell behind schedule (seconds of input), and how late it ended. */
  readonly maxBehindSeconds: number;
  readonly lateSeconds: number;
  /** Seconds from the end of the input to the analyzer's exit. */
  readonly lagSeconds: number;
  readonly findings: number;
}

/** A pipe (a FIFO in a fresh directory, gone once open) as a shell's `|` gives: its two ends. A
 *  child's stdin "pipe" from Node is a socket pair instead, with buffers several times a pipe's
 *  64 KiB: a consumer could fall further behind before the feeder felt it. */
export function fifoEnds(): { readFd: number; writeFd: number } {
  const dir = mkdtempSync(join(tmpdir(), "strace-race-feed-"));
  try {
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    // The read end first, not waiting for a writer; then the write end finds a reader.
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    return { readFd, writeFd: openSync(fifo, constants.O_WRONLY) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `analyze --format ndjson` reading stdin while a feeder offers `mbps` MB/s for `seconds`, as a
 *  live `strace -f ... 2>&1 | strace-race analyze` would: through a pipe. */
export async function liveRun(bin: string, next: () => Buffer, mbps: number, seconds: number): Promise<LiveResult> {
  const { readFd, writeFd } = fifoEnds();
  const writer = new Socket({ fd: writeFd, readable: false, writable: true });
  const child = spawn(process.execPath, [bin, "analyze", "--format", "ndjson", "--fail-on", "never", "-q"], { stdio: [readFd, "pipe", "ignore"] });
  closeSync(readFd);
  let findings = 0;
  let partial = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => {
    const text = partial + d;
    const lines = text.split("\n");
    partial = lines.pop()!;
    for (const l of lines) if (l.startsWith('{"type":"finding"')) findings++;
  });
  const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  const feed = await pacedFeed(writer, next, mbps * 1024 * 1024, seconds);
  const ended = performance.now();
  const code = await exited;
  if (code !== 0) throw new Error(`live analyze exited ${code}`);
  return {
    offeredMBps: mbps,
    mb: feed.bytes / 1048576,
    feedSeconds: feed.seconds,
    maxBehindSeconds: feed.maxBehindSeconds,
    lateSeconds: Math.max(0, feed.seconds - feed.plannedSeconds),
    lagSeconds: (performance.now() - ended) / 1000,
    findings,
  };
}
