// The built CLI gives the same events and findings for a file and for the same bytes arriving
// through a pipe in small pieces (stdin), for hostile inputs drawn with a fixed seed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { hostileTrace, sampleTrace } from "./strace-text.js";
import { runCli, spawnCli, tempDir } from "../hostile/cli-run.js";

const SEED = 20261125;
const dir = tempDir("pipe");

/** Feed `bytes` to the CLI's stdin in pieces of `size`, yielding to the event loop between. */
async function throughPipe(args: string[], bytes: Buffer, size: number) {
  const { child, done } = spawnCli(args);
  child.stdin.on("error", () => {}); // the CLI may stop reading a refused (binary) input
  for (let i = 0; i < bytes.length; i += size) {
    if (!child.stdin.write(bytes.subarray(i, i + size))) await new Promise((r) => child.stdin.once("drain", r));
    if ((i / size) % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  child.stdin.end();
  return done;
}

/** stdout with the input's name replaced (a temporary path or `<stdin>`, both distinctive), so
 * a file and stdin compare equal. */
function normalise(stdout: string, name: string): string {
  return stdout.split(name).join("<input>");
}

const inputs: Buffer[] = [
  Buffer.from(sampleTrace("eagain-give-up/f-2to1.strace"), "utf8"),
  ...fc.sample(hostileTrace, { seed: SEED, numRuns: 2 }),
];

inputs.forEach((bytes, i) => {
  test(`input ${i}: parse and analyze --format json agree between a file and a pipe`, async () => {
    const path = join(dir, `in-${i}.strace`);
    writeFileSync(path, bytes);
    for (const args of [["parse"], ["analyze", "--format", "json", "--fail-on", "never"]]) {
      const fromFile = runCli([...args, path]);
      const fromPipe = await throughPipe(args, bytes, 7);
      assert.equal(fromPipe.status, fromFile.status, `${args[0]}: exit code\n${fromPipe.stderr}`);
      assert.equal(normalise(fromPipe.stdout, "<stdin>"), normalise(fromFile.stdout, path), `${args[0]}: same stdout`);
    }
  });
});
