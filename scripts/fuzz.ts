// `npm run fuzz`: the property tests of test/property at a larger scale. Hostile strace text
// (real sample lines mutated, shuffled, arbitrary bytes) goes through the line reader, the event
// parser and the analyzer: nothing may throw, the analyzer may not catch an internal error, no
// input may take longer than --max-ms, whole / 1-byte / 7-byte / 64 KiB pieces must agree, and
// the plain-call scan must give what the grammar alone gives, and the parse workers' code read
// in segments what one thread's fast path reads.
// Prints the seed first; a failure prints its counterexample and the command that replays it.
//   --runs N (default 2000)   --seed S (default: random)   --max-ms MS (default 2000)
//   --no-chunks (skip the piece comparison, faster)   --save DIR (write counterexamples there)
//   --ignore-stacks (compare pieces without -k stacks: to look past an open stack defect)
// 1-byte pieces are fed only to inputs up to 256 KiB (a 2 MB input would take seconds each).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { hostileTrace } from "../test/property/strace-text.js";
import { internalErrorNotes, runPipeline, runSegmented } from "../test/property/pipeline.js";
import type { PipelineResult } from "../test/property/pipeline.js";

interface Options {
  runs: number;
  seed: number;
  maxMs: number;
  chunks: boolean;
  save: string | null;
  ignoreStacks: boolean;
}

const USAGE = `usage: npm run fuzz -- [options]
  --runs N          inputs to try (default 2000)
  --seed S          replay this seed (default: random)
  --max-ms MS       the longest an input may take (default 2000)
  --no-chunks       skip the comparison of whole and pieced input (faster)
  --ignore-stacks   compare pieces without -k stacks
  --save DIR        write counterexamples there`;

/** A mistake in the options: said in one line with the usage, no stack trace. */
class UsageError extends Error {}

function parseOptions(argv: readonly string[]): Options | "help" {
  const o: Options = { runs: 2000, seed: (Math.random() * 2 ** 31) | 0, maxMs: 2000, chunks: true, save: null, ignoreStacks: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v)) throw new UsageError(`${a} needs a whole number`);
      return v;
    };
    if (a === "--help" || a === "-h") return "help";
    else if (a === "--runs") o.runs = num();
    else if (a === "--seed") o.seed = num();
    else if (a === "--max-ms") o.maxMs = num();
    else if (a === "--no-chunks") o.chunks = false;
    else if (a === "--save") o.save = argv[++i] ?? null;
    else if (a === "--ignore-stacks") o.ignoreStacks = true;
    else throw new UsageError(`unknown option ${a}`);
  }
  return o;
}

function comparable(r: PipelineResult, ignoreStacks: boolean): string {
  const drop = (key: string, value: unknown) => (ignoreStacks && key === "stack" ? undefined : value);
  return JSON.stringify({ events: r.events, findings: r.findings, notes: r.notes }, drop);
}

async function main(): Promise<void> {
  let parsed: Options | "help";
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`fuzz: ${err.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const o = parsed;
  process.stdout.write(`fuzz: seed ${o.seed}, ${o.runs} runs, max ${o.maxMs} ms per input${o.chunks ? `, pieces 1/7/65536${o.ignoreStacks ? " (stacks ignored)" : ""}` : ""}\n`);
  let slowest = { ms: 0, bytes: 0 };
  let totalBytes = 0;
  let runs = 0;
  const started = Date.now();
  const property = fc.asyncProperty(hostileTrace, async (bytes) => {
    if (++runs % 100 === 0) process.stderr.write(`fuzz: ${runs} inputs tried (shrinking included), ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    const t0 = performance.now();
    const whole = await runPipeline(bytes, Infinity);
    const ms = performance.now() - t0;
    totalBytes += bytes.length;
    if (ms > slowest.ms) slowest = { ms, bytes: bytes.length };
    if (ms > o.maxMs) throw new Error(`took ${ms.toFixed(0)} ms for ${bytes.length} bytes (pathological input?)`);
    const internal = internalErrorNotes(whole.notes);
    if (internal.length > 0) throw new Error(`analyzer caught an internal error: ${internal[0]!.message}`);
    // The plain-call scan reads what the grammar reads: the same events, findings and notes.
    const expected = comparable(whole, o.ignoreStacks);
    if (comparable(await runPipeline(bytes, Infinity, "fuzz.strace", true), o.ignoreStacks) !== expected) {
      throw new Error("the plain-call scan changed the events, findings or notes");
    }
    // The parse workers' code (byte scans, op records, replay in segments) reads what one
    // thread's fast path reads.
    const fast = comparable(await runPipeline(bytes, Infinity, "fuzz.strace", true, true), o.ignoreStacks);
    for (const segment of [700, 64 * 1024]) {
      if (comparable(await runSegmented(bytes, segment), o.ignoreStacks) !== fast) {
        throw new Error(`read in segments of ${segment} bytes by the parse workers' code, it gives other events or findings`);
      }
    }
    if (!o.chunks) return;
    for (const size of bytes.length <= 256 * 1024 ? [1, 7, 64 * 1024] : [7, 64 * 1024]) {
      if (comparable(await runPipeline(bytes, size), o.ignoreStacks) !== expected) {
        throw new Error(`pieces of ${size} bytes give other events or findings than the whole input`);
      }
    }
  });
  const details = await fc.check(property, { seed: o.seed, numRuns: o.runs });
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(
    `fuzz: ${details.numRuns} inputs, ${(totalBytes / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s; ` +
      `slowest ${slowest.ms.toFixed(1)} ms (${slowest.bytes} bytes)\n`,
  );
  if (!details.failed) {
    process.stdout.write("fuzz: no failure\n");
    return;
  }
  const example = details.counterexample?.[0] as Buffer | undefined;
  process.stdout.write(`fuzz: FAILED after ${details.numRuns} runs (shrunk ${details.numShrinks} times): ${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance)}\n`);
  if (example !== undefined) {
    process.stdout.write(`counterexample (${example.length} bytes, as JSON text):\n${JSON.stringify(example.toString("latin1"))}\n`);
    if (o.save !== null) {
      mkdirSync(o.save, { recursive: true });
      const file = join(o.save, `fuzz-${o.seed}.strace`);
      writeFileSync(file, example);
      process.stdout.write(`saved to ${file}\n`);
    }
  }
  process.stdout.write(`replay: npm run fuzz -- --seed ${o.seed} --runs ${o.runs}${o.ignoreStacks ? " --ignore-stacks" : ""}   (path ${details.counterexamplePath})\n`);
  process.exitCode = 1;
}

await main();
