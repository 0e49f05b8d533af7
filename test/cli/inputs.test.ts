// The same trace, given every way a user can give it, yields the same findings: one file,
// stdin, gzip with and without a .gz name (and gzipped twice), split into an -ff directory,
// and as the -ff file list. Runs the built CLI as a user would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");

interface Found {
  rule: string;
  pid: number;
  unsentBytes: number;
}

function analyze(args: string[], input?: Buffer): { findings: Found[]; code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "analyze", "--format", "json", ...args], {
    cwd: root,
    input,
    encoding: "utf8",
  });
  assert.ok(r.stdout, `no JSON on stdout; stderr: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as { findings: Found[] };
  const findings = json.findings
    .map((f) => ({ rule: f.rule, pid: f.pid, unsentBytes: f.unsentBytes }))
    .sort((a, b) => a.pid - b.pid || a.rule.localeCompare(b.rule));
  return { findings, code: r.status, stderr: r.stderr };
}

/** Split an `-f -o` trace (bare pid on every line) into the files `-ff -o DIR/trace` would
 * have written: one per pid, the prefix removed. */
function splitByPid(text: string, dir: string): string[] {
  const files = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = /^(\d+) +(.*)$/.exec(line);
    if (!m) continue;
    let lines = files.get(m[1]!);
    if (!lines) files.set(m[1]!, (lines = []));
    lines.push(m[2]!);
  }
  mkdirSync(dir, { recursive: true });
  return [...files].map(([pid, lines]) => {
    const f = join(dir, `trace.${pid}`);
    writeFileSync(f, lines.join("\n") + "\n");
    return f;
  });
}

for (const sample of ["thread-shutdown", "fork-child-close", "hyper-short-write", "pollout-drain"]) {
  test(`${sample}: same findings from file, stdin, gzip, -ff directory and -ff file list`, () => {
    const trace = join(root, "samples", sample, "f-tt-T.strace");
    const text = readFileSync(trace);
    const tmp = mkdtempSync(join(tmpdir(), "sr-inputs-"));
    const base = analyze([trace]);
    assert.ok(base.code === 0 || base.code === 1, base.stderr);

    const gz = join(tmp, "trace.strace.gz");
    writeFileSync(gz, gzipSync(text));
    const gzNoName = join(tmp, "trace-attached-to-ticket");
    writeFileSync(gzNoName, gzipSync(gzipSync(text)));
    const ffDir = join(tmp, "ff");
    const ffFiles = splitByPid(text.toString("utf8"), ffDir);

    for (const [how, run] of [
      ["stdin", analyze(["-"], text)],
      ["gzip .gz", analyze([gz])],
      ["gzip twice, no name", analyze([gzNoName])],
      ["-ff directory", analyze([ffDir])],
      ["-ff file list", analyze(ffFiles)],
    ] as const) {
      assert.deepEqual(run.findings, base.findings, `${how} differs from the plain file`);
      assert.equal(run.code, base.code, `${how}: exit code`);
      assert.doesNotMatch(run.stderr, /\n\s+at /, `${how}: no stack trace`);
    }
  });
}

test("- among files reads stdin too, in its place", () => {
  const a = join(root, "samples", "hyper-short-write", "f-tt-T.strace");
  const b = join(root, "samples", "thread-shutdown", "f-tt-T.strace");
  const one = (p: string) => analyze([p]).findings;
  const expected = [...one(a), ...one(b)].sort((x, y) => x.pid - y.pid || x.rule.localeCompare(y.rule));
  assert.ok(one(a).length > 0 && one(b).length > 0, "both samples have findings");
  for (const args of [[a, "-"], ["-", a]]) {
    const r = analyze(args, readFileSync(b));
    assert.deepEqual(r.findings, expected, `${args.map((x) => (x === "-" ? x : "file")).join(" ")}: the file's and stdin's findings`);
  }
  const r = spawnSync(process.execPath, [bin, "analyze", a, "-"], { cwd: root, input: readFileSync(b), encoding: "utf8" });
  assert.match(r.stdout, /in 2 traces/);
});

test("a trace given twice (by another name, or also inside its -ff folder) is read once", () => {
  const sample = join(root, "samples", "hyper-short-write", "f-tt-T.strace");
  const tmp = mkdtempSync(join(tmpdir(), "sr-twice-"));
  const once = analyze([sample]);
  const twice = analyze([sample, join(root, "samples", "..", "samples", "hyper-short-write", "f-tt-T.strace")]);
  assert.deepEqual(twice.findings, once.findings);
  assert.match(twice.stderr, /note\[SR009\]: was given more than once/);

  const ffDir = join(tmp, "ff");
  const files = splitByPid(readFileSync(sample, "utf8"), ffDir);
  const set = analyze([ffDir]);
  assert.ok(set.findings.length > 0);
  assert.deepEqual(analyze([files[0]!, ffDir]).findings, set.findings, "the member stays in its set, read once");
  const dirTwice = analyze([ffDir, join(ffDir, ".")]);
  assert.deepEqual(dirTwice.findings, set.findings, "a folder given twice is read once");
  assert.equal(dirTwice.code, set.code);
  assert.equal(dirTwice.stderr.match(/SR009/g)?.length, 1, "one note for the folder, not one per file");
});

test("folders inside a given folder are not searched, and the report says so", () => {
  const tmp = mkdtempSync(join(tmpdir(), "sr-nest-"));
  mkdirSync(join(tmp, "a"));
  mkdirSync(join(tmp, "b"));
  const r = spawnSync(process.execPath, [bin, "analyze", tmp], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /error\[SR007\]: is a directory with no regular files in it\n  hint: the 2 folder\(s\) in it are not searched: give them \(.*\/\*\)/);
  // With a trace beside them: it is read, and a note says the folders were not.
  writeFileSync(join(tmp, "trace.strace"), readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace")));
  const mixed = spawnSync(process.execPath, [bin, "analyze", tmp], { encoding: "utf8" });
  assert.equal(mixed.status, 1, mixed.stderr);
  assert.match(mixed.stderr, /note\[SR017\]: holds 2 folder\(s\) besides its files: they are not searched\n  hint: give them too/);
});
