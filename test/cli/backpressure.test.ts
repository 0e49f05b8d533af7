// A reader slower than the analyzer (a pipe into a pager, a log shipper) must slow the analyzer
// down, not make it hold every finding in memory: output waits for stdout to drain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");
const rssPreload = join(root, "dist", "scripts", "bench-rss.js");

/** Peak RSS (MB) of `analyze --format ndjson` on `trace` with its stdout a file (written
 *  synchronously: nothing can queue), or an OS pipe (as in a shell pipeline) whose reader starts
 *  after `pauseSeconds`. */
async function peakRss(trace: string, dir: string, pauseSeconds: number | "file"): Promise<{ mb: number; findings: number }> {
  const rssFile = join(dir, `rss-${pauseSeconds}`);
  const counted = join(dir, `findings-${pauseSeconds}`);
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const analyze = `${q(process.execPath)} --import ${q(rssPreload)} ${q(bin)} analyze --format ndjson --fail-on never ${q(trace)}`;
  const count = `grep -c '^{"type":"finding"' > ${q(counted)}`;
  const script = pauseSeconds === "file" ? `${analyze} > ${q(join(dir, "out"))} && ${count} < ${q(join(dir, "out"))}` : `${analyze} | { sleep ${pauseSeconds}; ${count}; }`;
  const child = spawn("sh", ["-c", script], { env: { ...process.env, BENCH_RSS_FILE: rssFile }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  assert.equal(code, 0, stderr);
  return { mb: (JSON.parse(readFileSync(rssFile, "utf8")) as { rssBytes: number }).rssBytes / 1048576, findings: Number(readFileSync(counted, "utf8")) };
}

test("a reader that does not read yet holds the analyzer back instead of filling its memory", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-backpressure-"));
  try {
    // 20,000 sockets, each shut with 6 of 10 bytes unsent: a finding each (about 40 MB of NDJSON).
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const fd = 3 + (i % 1000);
      lines.push(`1 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = ${fd}`, `1 write(${fd}, "xxxxxxxxxx", 10) = 4`, `1 close(${fd}) = 0`);
    }
    const trace = join(dir, "flood.strace");
    writeFileSync(trace, `${lines.join("\n")}\n`);
    const file = await peakRss(trace, dir, "file");
    assert.equal(file.findings, 20_000);
    for (const pause of [0, 4]) {
      const piped = await peakRss(trace, dir, pause);
      assert.equal(piped.findings, 20_000, "every finding arrives all the same");
      // Unbounded, the queued output shows as some 80 MB more than the file run.
      assert.ok(piped.mb < file.mb + 30, `peak RSS ${piped.mb.toFixed(0)} MB into a pipe read after ${pause} s, ${file.mb.toFixed(0)} MB into a file`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
