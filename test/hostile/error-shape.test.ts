// Error messages in one shape: `path[:line:col]: severity[CODE]: what happened`, then the
// offending line (escaped, shortened) when there is one, then exactly one `hint:` line. Input
// that is not strace output at all is told apart from strace output with some bad lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { formatProblem } from "../../src/cli/diagnostics.js";
import { readTraceEvents, resolveTraces, STRICT_LINES_SHOWN } from "../../src/pipeline/trace-input.js";
import type { InputProblem } from "../../src/pipeline/trace-input.js";
import { runCli, sampleText, tempDir, unsafeChars } from "./cli-run.js";
import { quietIo } from "../helpers/quiet-io.js";

const dir = tempDir("shape");
const SAMPLE = sampleText("hyper-short-write", "f-tt-T");

/** Every problem block on stderr: a headline, an optional source line, one hint. */
function assertShape(stderr: string): string[] {
  const heads: string[] = [];
  const lines = stderr.split("\n").filter((l) => l !== "");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^strace-race: /.test(l)) continue; // usage errors and the --strict total: no path to give
    if (/^ {2}hint: /.test(l)) continue;
    if (/^ {2}(\d+ )?\| /.test(l)) {
      assert.match(lines[i + 1] ?? "", /^ {2}hint: /, `a source line is followed by its hint: ${stderr}`);
      continue;
    }
    assert.match(l, /^\S.*?(:\d+:\d+)?: (error|warning|note)\[SR\d{3}\]: \S/, `headline shape: ${JSON.stringify(l)}`);
    const next = lines[i + 1] ?? "";
    assert.ok(/^ {2}hint: /.test(next) || /^ {2}(\d+ )?\| /.test(next), `one hint after ${JSON.stringify(l)}`);
    heads.push(l);
  }
  return heads;
}

function file(name: string, data: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

const NOT_STRACE: readonly [string, string | Buffer, RegExp][] = [
  ["page.html.gz", gzipSync("<!doctype html>\n<html><head><title>502</title></head><body>Bad Gateway</body></html>\n"), /looks like an HTML page/],
  ["core", Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4096, 0)]), /looks like an ELF executable or core file/],
  ["events.json", '{"type":"syscall","name":"write"}\n{"type":"syscall","name":"close"}\n', /looks like JSON data/],
  ["capture.pcapng", Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a]), /looks like a pcapng packet capture/],
  ["notes.txt", "Incident 4022: the response was short.\nWe restarted the proxy at 12:00.\n", /looks like text that is not strace output/],
  ["random.bin", Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 2654435761) >>> 24)), /looks like binary data/],
];

for (const [name, data, looks] of NOT_STRACE) {
  test(`not strace output at all (${name}): exit 2 and what it looks like, for analyze, parse and stats`, () => {
    const p = file(name, data);
    for (const cmd of ["analyze", "parse", "stats"]) {
      const r = runCli([cmd, p]);
      assert.equal(r.status, 2, `${cmd}: ${r.stderr}`);
      assert.match(r.stderr, looks);
      assert.match(r.stderr, /error\[SR002\]: is not strace output/);
      assertShape(r.stderr);
    }
  });
}

test("strace output with some bad lines is strace output: findings, no SR002, exit by findings", () => {
  const lines = SAMPLE.split("\n");
  lines.splice(5, 0, "<html>not here</html>", "\x01garbage\x02 from the program", "9349  12:00:00.000001 close(3) = ");
  const p = file("some-bad-lines.strace", lines.join("\n"));
  const r = runCli(["analyze", p]);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /SR002/);
  assert.match(r.stdout, /shutdown-with-unsent/);
});


async function strictProblems(path: string): Promise<InputProblem[]> {
  const { groups } = await resolveTraces([path]);
  const problems: InputProblem[] = [];
  for (const g of groups) {
    for await (const _batch of readTraceEvents(g, quietIo(), { onProblem: (p) => problems.push(p), strict: true }).batches);
  }
  return problems;
}

test("one NUL byte of program output near the top does not make a strace log 'binary data'", () => {
  const lines = SAMPLE.split("\n");
  lines.splice(5, 0, "program wrote \x00 here");
  const r = runCli(["analyze", file("one-nul.strace", lines.join("\n"))]);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /SR002/);
});

test("--strict (reader): each unrecognised line is an error at path:line:1 with the line, escaped and shortened", async () => {
  const lines = SAMPLE.split("\n");
  const bad = `9349  23:33:36.4 close(7) = \u202eowned\x08 ${"x".repeat(300)}`;
  lines.push(bad);
  const p = file("strict.strace", lines.join("\n"));
  const problems = (await strictProblems(p)).filter((x) => x.code === "SR013");
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.equal(problems[0]!.line, lines.length);
  assert.equal(problems[0]!.column, 1);
  const text = formatProblem(problems[0]!, 80);
  const [head, source, hint, end] = text.split("\n");
  assert.equal(head, `${p}:${lines.length}:1: error[SR013]: line is not strace output that this tool recognises (call text was cut off and its continuation never came)`);
  // How much of the line the event keeps is the parser's business; what is shown starts the line.
  assert.ok(source!.startsWith(`  ${lines.length} | 9349  23:33:36.4 close(7)`), source);
  assert.ok(source!.length <= 80);
  assert.match(hint!, /^ {2}hint: --strict refuses/);
  assert.equal(end, "");
  assert.deepEqual(unsafeChars(text.replace(/\n/g, "")), []);
});

test("--strict (reader): a flood of bad lines prints the first few and one count", async () => {
  const many = Array.from({ length: 50 }, (_, i) => `9349  23:33:36.${i} close(${i}) = `);
  const p = file("strict-many.strace", [SAMPLE.trimEnd(), ...many.map((l, i) => (i % 2 === 0 ? l : `${l}\n9349  23:33:37.0 getpid() = 9349`))].join("\n"));
  const problems = (await strictProblems(p)).filter((x) => x.code === "SR013");
  assert.equal(problems.length, STRICT_LINES_SHOWN + 1);
  assert.match(problems.at(-1)!.message, /^\d+ more unrecognised line\(s\) not shown$/);
});

test("analyze --strict prints each unrecognised line in the error shape", () => {
  const lines = SAMPLE.split("\n");
  lines.push("9349  23:33:36.4 close(7) = ");
  const p = file("strict-cli.strace", lines.join("\n"));
  const r = runCli(["analyze", "--strict", p]);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.includes(`${p}:${lines.length}:1: error[SR013]: `), r.stderr);
  assertShape(r.stderr);
});

test("problems about a line carry :line:col; the long-line warning too", () => {
  const lines = SAMPLE.split("\n");
  lines.splice(3, 0, `9349  12:00:00.000000 write(1, "${"A".repeat(17 * 1024 * 1024)}", 1) = 1`);
  const r = runCli(["analyze", "--format", "json", file("long-line.strace", lines.join("\n"))]);
  assert.equal(r.status, 1);
  const heads = assertShape(r.stderr);
  assert.ok(heads.some((h) => /long-line\.strace:4:1: warning\[SR003\]: /.test(h)), r.stderr);
});
