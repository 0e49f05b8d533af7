// `npm run bench`: generates a large realistic trace from the real captures in samples/
// (replicated with shifted pids and times), then measures, alternating in one run: the floor
// (64 KiB reads + line split + one regex per line), a bare line split, the parse workers' scan
// alone on one thread, `parse` and `analyze` end to end, each in its own process. Prints MB/s,
// lines/s, peak RSS, CPU time (all threads) and the ratios, and the CPU time analyze would have
// at the target ratio. Then the live stage: analyze reading a pipe fed at a fixed rate, and
// whether it kept up.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { poolSize } from "../src/pipeline/parse-pool.js";
import type { ThreadCpu } from "./bench-rss.js";
import { liveRun, longLineSource, shortLineSource, threadSet } from "./trace-feed.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "bin", "strace-race.js");
const floorScript = join(root, "dist", "scripts", "bench-floor.js");
const scanScript = join(root, "dist", "scripts", "bench-scan.js");
const rssPreload = join(root, "dist", "scripts", "bench-rss.js");

interface Options {
  mb: number;
  rounds: number;
  file: string | null;
  keep: boolean;
  only: Set<string> | null;
  /** Live stage: MB/s offered on the short-line and long-line streams, and for how long. */
  liveShort: number;
  liveLong: number;
  liveSeconds: number;
  /** -ff stage: threads alive together, and MB of trace each. */
  ffFiles: number;
  ffMb: number;
}

const USAGE = `usage: npm run bench -- [options]
  --mb N              size of the generated trace in MB (default 1024)
  --rounds N          rounds of the alternating measures; the best of each is shown (default 2)
  --file PATH         measure this trace instead of generating one
  --keep              reuse bench-data/bench-<N>mb.strace when it is there
  --only a,b          only these measures: floor, split, scan, parse, analyze, live, ff (floor
                      always runs); scan is the parse workers' share of analyze alone, on one
                      thread; ff is analyze of an strace -ff set of many threads alive together
  --live-short MBps   rate of the live stage's short-line stream (default 8)
  --live-long MBps    rate of the live stage's long-line stream (default 50)
  --live-seconds N    how long each live stream runs (default 10)
  --ff-files N        threads of the -ff stage's set, alive together (default 500)
  --ff-mb N           MB of trace per thread in that set (default 1)`;

const MEASURES = new Set(["floor", "split", "scan", "parse", "analyze", "live", "ff"]);

/** The analyze/floor throughput ratio aimed at. */
const TARGET_RATIO = 0.25;

class UsageError extends Error {}

/** The options, or a UsageError saying what is wrong with them. */
function parseOptions(argv: string[]): Options | "help" {
  const o: Options = { mb: 1024, rounds: 2, file: null, keep: false, only: null, liveShort: 8, liveLong: 50, liveSeconds: 10, ffFiles: 500, ffMb: 1 };
  const value = (i: number): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${argv[i]} needs a value`);
    return v;
  };
  const positive = (i: number): number => {
    const n = Number(value(i));
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${argv[i]} takes a positive number, not ${JSON.stringify(argv[i + 1])}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") return "help";
    else if (a === "--mb") o.mb = positive(i++);
    else if (a === "--rounds") o.rounds = Math.ceil(positive(i++));
    else if (a === "--file") o.file = value(i++);
    else if (a === "--keep") o.keep = true;
    else if (a === "--only") {
      o.only = new Set(value(i++).split(","));
      const unknown = [...o.only].filter((m) => !MEASURES.has(m));
      if (unknown.length > 0) throw new UsageError(`--only: no measure called ${unknown.join(", ")} (known: ${[...MEASURES].join(", ")})`);
    } else if (a === "--live-short") o.liveShort = positive(i++);
    else if (a === "--live-long") o.liveLong = positive(i++);
    else if (a === "--live-seconds") o.liveSeconds = positive(i++);
    else if (a === "--ff-files") o.ffFiles = Math.ceil(positive(i++));
    else if (a === "--ff-mb") o.ffMb = positive(i++);
    else throw new UsageError(`unknown option ${a}`);
  }
  return o;
}

async function generate(path: string, mb: number): Promise<void> {
  const next = shortLineSource(root);
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const target = mb * 1024 * 1024;
  let written = 0;
  while (written < target) {
    const chunk = next();
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((res) => out.once("drain", () => res()));
  }
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}

interface Measure {
  seconds: number;
  rssBytes: number;
  /** User and system CPU time of all the process's threads. */
  cpuSeconds: number;
  /** That time by thread, where /proc tells it. */
  threads: ThreadCpu | null;
  stdout: string;
}

function measure(args: string[], captureStdout: boolean): Measure {
  const rssFile = join(tmpdir(), `sr-bench-rss-${process.pid}`);
  rmSync(rssFile, { force: true });
  const devnull = openSync("/dev/null", "w");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--import", rssPreload, ...args], {
    stdio: ["ignore", captureStdout ? "pipe" : devnull, "pipe"],
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(devnull);
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`${args.join(" ")} exited ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
  }
  const usage = existsSync(rssFile)
    ? (JSON.parse(readFileSync(rssFile, "utf8")) as { rssBytes: number; cpuSeconds: number; threads: ThreadCpu | null })
    : { rssBytes: NaN, cpuSeconds: NaN, threads: null };
  rmSync(rssFile, { force: true });
  return { seconds, ...usage, stdout: captureStdout ? String(r.stdout) : "" };
}

async function main(): Promise<void> {
  let o: Options;
  try {
    const parsed = parseOptions(process.argv.slice(2));
    if (parsed === "help") {
      console.log(USAGE);
      return;
    }
    o = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const file = o.file ?? join(root, "bench-data", `bench-${o.mb}mb.strace`);
  if (!o.file && !(o.keep && existsSync(file))) {
    process.stderr.write(`bench: generating ${o.mb} MB trace at ${file} ...\n`);
    await generate(file, o.mb);
  }
  if (!existsSync(file)) {
    process.stderr.write(`bench: ${file}: no such file (--file takes an existing trace; without it one is generated)\n`);
    process.exitCode = 2;
    return;
  }
  const bytes = statSync(file).size;
  const mbytes = bytes / (1024 * 1024);
  const runs: Record<string, () => Measure> = {
    floor: () => measure([floorScript, file], true),
    split: () => measure([floorScript, file, "--split-only"], true),
    scan: () => measure([scanScript, file], true),
    parse: () => measure([bin, "parse", file], false),
    analyze: () => measure([bin, "analyze", "--format", "json", "--fail-on", "never", file], false),
  };
  const names = Object.keys(runs).filter((n) => !o.only || o.only.has(n) || n === "floor");
  const live = !o.only || o.only.has("live");
  const best: Record<string, Measure> = {};
  for (let round = 0; round < o.rounds; round++) {
    for (const n of names) {
      const m = runs[n]!();
      process.stderr.write(`bench: round ${round + 1} ${n}: ${m.seconds.toFixed(2)} s\n`);
      if (!best[n] || m.seconds < best[n]!.seconds) best[n] = m;
    }
  }
  const lines = (JSON.parse(best.floor!.stdout) as { lines: number }).lines;
  const fmt = (n: number, d = 1) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`trace: ${fmt(mbytes, 0)} MB, ${lines.toLocaleString("en-US")} lines; ${cpus().length} cores; node ${process.version}; best of ${o.rounds}`);
  console.log("run       seconds      MB/s      lines/s   peak RSS MB   vs floor    CPU s   cores busy");
  for (const n of names) {
    const m = best[n]!;
    const ratio = best.floor!.seconds / m.seconds;
    console.log(
      `${n.padEnd(8)} ${fmt(m.seconds, 2).padStart(8)} ${fmt(mbytes / m.seconds).padStart(9)} ${Math.round(lines / m.seconds).toLocaleString("en-US").padStart(12)} ${fmt(m.rssBytes / 1048576).padStart(13)} ${fmt(ratio, 3).padStart(10)} ${fmt(m.cpuSeconds, 2).padStart(8)} ${fmt(m.cpuSeconds / m.seconds, 2).padStart(12)}`,
    );
  }
  for (const n of names) {
    // Where the CPU time of the runs with worker threads went: which side would have to get
    // faster for the wall time to.
    const t = best[n]!.threads;
    if (t === null || t.workers === 0) continue;
    console.log(
      `${n} CPU by thread: main ${fmt(t.main, 2)} s, parse workers ${fmt(t.workers, 2)} s, other threads (V8's compiler and collector, libuv) ${fmt(t.other, 2)} s`,
    );
  }
  if (best.parse && best.split) {
    console.log(`parse/split throughput ratio: ${(best.split.seconds / best.parse.seconds).toFixed(3)}`);
  }
  if (best.scan) {
    const scanned = (JSON.parse(best.scan.stdout) as { lines: number }).lines;
    if (scanned !== lines) console.log(`scan: read ${scanned.toLocaleString("en-US")} lines, the floor ${lines.toLocaleString("en-US")}: not the same file?`);
    const workers = poolSize();
    console.log(
      `scan/floor throughput ratio: ${(best.floor!.seconds / best.scan.seconds).toFixed(3)} (the parse workers' share of analyze, on one thread; analyze runs ${workers} worker${workers === 1 ? "" : "s"} here)`,
    );
  }
  if (best.analyze) {
    const a = best.analyze;
    console.log(`analyze/floor throughput ratio: ${(best.floor!.seconds / a.seconds).toFixed(3)}`);
    // What a target ratio leaves: its wall time on every core here, against the CPU time analyze
    // took (all its threads: the main one, the parse workers, V8's collector and compiler).
    const wall = best.floor!.seconds / TARGET_RATIO;
    console.log(
      `analyze took ${fmt(a.cpuSeconds, 1)} CPU-seconds (${fmt((a.cpuSeconds / mbytes) * 1024, 1)} per GB); at ${TARGET_RATIO} of the floor it would have ${fmt(wall, 2)} s, ${fmt(wall * cpus().length, 1)} CPU-seconds on ${cpus().length} cores`,
    );
  }
  if (!o.only || o.only.has("ff")) {
    // An -ff set of a thread-per-connection server: every file open at once, merged by time.
    const dir = join(root, "bench-data", `ff-${o.ffFiles}x${o.ffMb}mb`);
    const done = `${dir}.done`;
    if (!(o.keep && existsSync(done))) {
      process.stderr.write(`bench: generating an -ff set of ${o.ffFiles} files of ${o.ffMb} MB at ${dir} ...\n`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const f of threadSet(o.ffFiles, o.ffMb * 1024 * 1024)) writeFileSync(join(dir, f.name), f.text());
      writeFileSync(done, "");
    }
    let ff: Measure | null = null;
    for (let round = 0; round < o.rounds; round++) {
      const m = measure([bin, "analyze", "--format", "json", "--fail-on", "never", dir], false);
      process.stderr.write(`bench: round ${round + 1} ff: ${m.seconds.toFixed(2)} s\n`);
      if (ff === null || m.seconds < ff.seconds) ff = m;
    }
    const setMb = o.ffFiles * o.ffMb;
    console.log(
      `ff set (${o.ffFiles} files of ${fmt(o.ffMb)} MB, all alive together; analyze): ${fmt(ff!.seconds, 2)} s, ${fmt(setMb / ff!.seconds)} MB/s, peak RSS ${fmt(ff!.rssBytes / 1048576)} MB, ${fmt(ff!.cpuSeconds, 1)} CPU-seconds`,
    );
  }
  if (live) {
    // A live pipe: short lines at what strace -f of a busy multi-threaded program printed here
    // and more, long lines (-s 65536 bulk writes) at 50 MB/s.
    console.log("live (stdin pipe, --format ndjson): stream          offered MB/s   MB fed   most behind   ended late   lag after end   findings");
    for (const [label, source, rate] of [
      ["short lines (samples)", shortLineSource(root), o.liveShort],
      ["long lines (-s 65536)", longLineSource(), o.liveLong],
    ] as const) {
      const r = await liveRun(bin, source, rate, o.liveSeconds);
      console.log(
        `  ${label.padEnd(44)} ${fmt(r.offeredMBps).padStart(12)} ${fmt(r.mb, 0).padStart(8)} ${`${fmt(r.maxBehindSeconds, 2)} s`.padStart(13)} ${`${fmt(r.lateSeconds, 2)} s`.padStart(12)} ${`${fmt(r.lagSeconds, 2)} s`.padStart(15)} ${String(r.findings).padStart(10)}`,
      );
    }
  }
}

await main();
