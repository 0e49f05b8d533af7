// `npm run bench`: generates a large realistic trace from the real captures in samples/
// (replicated with shifted pids and times), then measures, alternating in one run: the floor
// (64 KiB reads + line split + one regex per line), a bare line split, `parse` and `analyze`
// end to end, each in its own process. Prints MB/s, lines/s, peak RSS and the ratios. Then
// the live stage: analyze reading a pipe fed at a fixed rate, and whether it kept up.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { liveRun, longLineSource, shortLineSource } from "./trace-feed.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "bin", "strace-race.js");
const floorScript = join(root, "dist", "scripts", "bench-floor.js");
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
}

function parseOptions(argv: string[]): Options {
  const o: Options = { mb: 1024, rounds: 2, file: null, keep: false, only: null, liveShort: 8, liveLong: 50, liveSeconds: 10 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--mb") o.mb = Number(argv[++i]);
    else if (a === "--rounds") o.rounds = Number(argv[++i]);
    else if (a === "--file") o.file = argv[++i] ?? null;
    else if (a === "--keep") o.keep = true;
    else if (a === "--only") o.only = new Set((argv[++i] ?? "").split(","));
    else if (a === "--live-short") o.liveShort = Number(argv[++i]);
    else if (a === "--live-long") o.liveLong = Number(argv[++i]);
    else if (a === "--live-seconds") o.liveSeconds = Number(argv[++i]);
    else throw new Error(`unknown option ${a} (known: --mb N, --rounds N, --file PATH, --keep, --only floor,split,parse,analyze,live, --live-short MBps, --live-long MBps, --live-seconds N)`);
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
  const rssBytes = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) : NaN;
  return { seconds, rssBytes, stdout: captureStdout ? String(r.stdout) : "" };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
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
  console.log("run       seconds      MB/s      lines/s   peak RSS MB   vs floor");
  for (const n of names) {
    const m = best[n]!;
    const ratio = best.floor!.seconds / m.seconds;
    console.log(
      `${n.padEnd(8)} ${fmt(m.seconds, 2).padStart(8)} ${fmt(mbytes / m.seconds).padStart(9)} ${Math.round(lines / m.seconds).toLocaleString("en-US").padStart(12)} ${fmt(m.rssBytes / 1048576).padStart(13)} ${fmt(ratio, 3).padStart(10)}`,
    );
  }
  if (best.parse && best.split) {
    console.log(`parse/split throughput ratio: ${(best.split.seconds / best.parse.seconds).toFixed(3)}`);
  }
  if (best.analyze) {
    console.log(`analyze/floor throughput ratio: ${(best.floor!.seconds / best.analyze.seconds).toFixed(3)}`);
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
