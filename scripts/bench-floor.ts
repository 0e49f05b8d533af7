// The floor the analyzer is measured against: read the file in 64 KiB chunks, split lines,
// and run one regex per line to pick the syscall name. `--split-only` skips the regex.
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";

const SYSCALL_NAME = /^(?:\[pid\s+\d+\]\s+|\d+\s+)?(?:[\d:.]+\s+)?([a-z_0-9]+)\(/;

async function main(): Promise<void> {
  const [path, mode] = process.argv.slice(2);
  if (!path) throw new Error("usage: bench-floor FILE [--split-only]");
  const splitOnly = mode === "--split-only";
  const decoder = new StringDecoder("utf8");
  let partial = "";
  let lines = 0;
  let named = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    const text = partial + decoder.write(chunk as Buffer);
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      const line = text.slice(start, nl);
      lines++;
      if (!splitOnly && SYSCALL_NAME.exec(line)) named++;
      start = nl + 1;
    }
    partial = text.slice(start);
  }
  // A last line without a newline (a cut trace) is a line too, as analyze counts it.
  partial += decoder.end();
  if (partial !== "") {
    lines++;
    if (!splitOnly && SYSCALL_NAME.exec(partial)) named++;
  }
  process.stdout.write(JSON.stringify({ lines, named }) + "\n");
}

await main();
