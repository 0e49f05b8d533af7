// Bad input, as a user would meet it: each case gets a clear message naming the path, exit 2
// where the input is unusable, and never a stack trace. Files are made in the test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");
const tmp = mkdtempSync(join(tmpdir(), "sr-bad-"));
const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"), "utf8");

function run(cmd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, cmd, ...args], { encoding: "utf8", cwd: root });
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, "no stack trace");
  assert.doesNotMatch(r.stderr, /internal error/);
  return r;
}

function file(name: string, data: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

for (const cmd of ["analyze", "parse", "stats"]) {
  test(`${cmd}: binary garbage is refused with what it looks like`, () => {
    const p = file("garbage.bin", Buffer.from(Array.from({ length: 10000 }, (_, i) => (i * 131) % 256)));
    const r = run(cmd, p);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`${p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: error\\[SR002\\]: is not strace output: it looks like binary data`));
  });

  test(`${cmd}: an empty file, a missing file and an empty directory exit 2 naming the path`, () => {
    const empty = file("empty.log", "");
    const r1 = run(cmd, empty);
    assert.equal(r1.status, 2);
    assert.match(r1.stderr, /empty\.log: error\[SR008\]: is empty/);
    const r2 = run(cmd, join(tmp, "missing.log"));
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /missing\.log: error\[SR001\]: no such file or directory/);
    const dir = join(tmp, "empty-dir");
    mkdirSync(dir, { recursive: true });
    const r3 = run(cmd, dir);
    assert.equal(r3.status, 2);
    assert.match(r3.stderr, /empty-dir: error\[SR007\]: is a directory with no regular files/);
  });

  test(`${cmd}: an HTML page and a pcap are told apart from strace output`, () => {
    const html = file("page.html", "<!DOCTYPE html>\n<html><body><p>502 Bad Gateway</p></body></html>\n");
    const r1 = run(cmd, html);
    assert.equal(r1.status, 2);
    assert.match(r1.stderr, /page\.html: error\[SR002\]: .*looks like an HTML page/);
    const pcap = file("capture.pcap", Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const r2 = run(cmd, pcap);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /capture\.pcap: error\[SR002\]: .*pcap packet capture/);
  });
}

test("CRLF endings and invalid UTF-8 in program output change nothing", () => {
  const plain = run("analyze", "--format", "json", file("plain.strace", sample));
  const crlf = run("analyze", "--format", "json", file("crlf.strace", sample.replace(/\n/g, "\r\n")));
  const lines = sample.split("\n");
  lines.splice(3, 0, "\xff\xfe program wrote this \xc3");
  const invalid = Buffer.concat(
    lines.map((l, i) => (i === 3 ? Buffer.from([0xff, 0xfe, 0x20, 0x70, 0x0a]) : Buffer.from(l + "\n"))),
  );
  const bad = run("analyze", "--format", "json", file("invalid-utf8.strace", invalid));
  const strip = (s: string) =>
    (JSON.parse(s).findings as { rule: string; unsentBytes: number }[]).map((f) => [f.rule, f.unsentBytes]);
  assert.equal(plain.status, 1);
  assert.equal(crlf.status, 1);
  assert.equal(bad.status, 1);
  assert.deepEqual(strip(crlf.stdout), strip(plain.stdout));
  assert.deepEqual(strip(bad.stdout), strip(plain.stdout));
});

test("a 20 MB line is cut, reported with path:line, and the race after it is still found", () => {
  const lines = sample.split("\n");
  const huge = `9349  12:00:00.000000 write(1, "${"A".repeat(20_000_000)}", 20000000) = 20000000`;
  lines.splice(10, 0, huge);
  const p = file("huge-line.strace", lines.join("\n"));
  const r = run("analyze", "--format", "json", p);
  assert.equal(r.status, 1);
  const size = huge.length.toLocaleString("en-US");
  assert.ok(r.stderr.includes(`huge-line.strace:11:1: warning[SR003]: line is ${size} characters long`), r.stderr);
  assert.equal(JSON.parse(r.stdout).findings[0].rule, "shutdown-with-unsent");
});

test("a trace that stops mid-line (strace killed) keeps its findings and says where it stops", () => {
  const lines = sample.trimEnd().split("\n");
  const shutdown = lines.findIndex((l) => l.includes("shutdown("));
  const cutText = lines[shutdown + 1]!.slice(0, 30);
  const p = file("killed.strace", [...lines.slice(0, shutdown + 1), cutText].join("\n"));
  const r = run("analyze", "--format", "json", p);
  assert.equal(r.status, 1);
  assert.equal(JSON.parse(r.stdout).findings[0].rule, "shutdown-with-unsent");
  assert.ok(
    r.stderr.includes(`killed.strace:${shutdown + 2}:${cutText.length + 1}: warning[SR015]: the input ends in the middle of this line`),
    r.stderr,
  );
  assert.ok(r.stderr.includes(cutText.trim()), "the cut line is shown");
  const whole = run("analyze", "--format", "json", file("whole.strace", `${lines.join("\n")}\n`));
  assert.doesNotMatch(whole.stderr, /SR015/, "a trace ending in a newline is whole");
});

test("a usage error is one message and exit 2", () => {
  const r = run("analyze", "--format", "xml", "x");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /error: .*format/i);
});

test("a trace the user may not read (written under sudo) says so, with what to do", () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-perm-"));
  chmodSync(dir, 0o755);
  const locked = join(dir, "root-only.strace");
  writeFileSync(locked, sample);
  chmodSync(locked, 0o000);
  // root reads anything: run as an ordinary user then, as the SRE with a root-owned trace is.
  const asRoot = process.getuid?.() === 0;
  const r = asRoot
    ? spawnSync("su", ["nobody", "-s", "/bin/sh", "-c", `"${process.execPath}" "${bin}" analyze "${locked}"`], { encoding: "utf8" })
    : spawnSync(process.execPath, [bin, "analyze", locked], { encoding: "utf8" });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /root-only\.strace: error\[SR00[16]\]: .*permission denied\n  hint: a trace written under sudo belongs to root/);
  assert.doesNotMatch(r.stderr, /EACCES|give a regular file/);
});
