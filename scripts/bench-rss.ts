// Preloaded into benchmarked child processes (`node --import`, so into their worker threads
// too): reports the process's peak resident set size and the CPU time of all its threads on
// exit, as JSON, through the file named by BENCH_RSS_FILE; on Linux also that time split by
// thread: the main thread, the JavaScript worker threads (each names itself in a side file
// when it starts), and the rest (V8's compiler and collector threads, libuv's pool). The side
// file is this preload's own: made empty before any worker starts, removed at exit.
import { appendFileSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

export interface ThreadCpu {
  readonly main: number;
  readonly workers: number;
  readonly other: number;
}

const target = process.env.BENCH_RSS_FILE;
const tidsFile = `${target}.tids`;

/** CPU seconds of one thread of this process, from /proc (clock ticks of 1/100 s). */
function threadCpu(tid: string): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
  // The fields after the command name, which may hold spaces: utime and stime are the 12th and
  // 13th of them.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** The split of `total` CPU seconds by thread, or null where /proc cannot tell it. */
function byThread(total: number): ThreadCpu | null {
  try {
    const workerTids = readFileSync(tidsFile, "utf8").split("\n").filter((t) => t !== "");
    const alive = new Set(readdirSync("/proc/self/task"));
    const main = threadCpu(String(process.pid));
    let workers = 0;
    for (const tid of workerTids) if (alive.has(tid)) workers += threadCpu(tid);
    // Threads that ended before the process (a worker closed early) are counted in `other`.
    return { main, workers, other: Math.max(0, total - main - workers) };
  } catch {
    return null;
  }
}

if (target) {
  if (!isMainThread) {
    try {
      // "/proc/thread-self" links to "PID/task/TID".
      appendFileSync(tidsFile, `${readlinkSync("/proc/thread-self").split("/").pop()}\n`);
    } catch {
      // Not Linux: no split by thread.
    }
  } else {
    writeFileSync(tidsFile, "");
    process.on("exit", () => {
      const u = process.resourceUsage();
      const cpuSeconds = (u.userCPUTime + u.systemCPUTime) / 1e6;
      writeFileSync(target, JSON.stringify({ rssBytes: u.maxRSS * 1024, cpuSeconds, threads: byThread(cpuSeconds) }));
      rmSync(tidsFile, { force: true });
    });
  }
}
