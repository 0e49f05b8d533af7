// Terminal safety (issue 6, acceptance 3): a real sample trace with raw ESC/OSC/CSI/C1 bytes,
// BEL, CR, backspace and bidi overrides injected into its decorations, strings, paths, program
// output, an unrecognised line and its file name. Every output of the built CLI is checked: no
// such character reaches the terminal raw, NO_COLOR output holds no ESC at all, and the race in
// the trace is still found.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { plainEnv, runCli, sampleText, tempDir, unsafeChars } from "./cli-run.js";

/** Everything a hostile log can throw at a terminal. */
const PAYLOAD = "\x1b]0;PWNED\x07\x1b[2J\x1b[1;1H\x9b31m\x9d8;;http://x\x9c\x08\x08\r\x7f\u202eevil\u202c\u2066\u2069\u200f";
const STREAM = "127.0.0.1:41149->127.0.0.1:32992";

const dir = tempDir("tty");
/** The race: the sendto returns 3,919,872 of 14,896,226 bytes, then shutdown(SHUT_WR). */
const UNSENT = 10_976_354;

function hostileTrace(): { text: string; shutdownLine: number } {
  let text = sampleText("hyper-short-write", "f-ttt-yy-s32");
  // Decoration of the racing socket, on every line that names it (the stream stays one stream).
  text = text.split(STREAM).join(`${STREAM}${PAYLOAD}`);
  // The string argument of the partial sendto, and a path decoration.
  text = text.replace('"HTTP/1.1 200 OK\\r\\nContent-Length:"...', `"HTTP/1.1 200 ${PAYLOAD}OK"...`);
  text = text.replace("/tmp/sr-sample/", `/tmp/sr-sample${PAYLOAD}/`);
  const lines = text.split("\n");
  // Program output (a 2>&1 capture) and a line that is nothing at all, before the race.
  const at = lines.findIndex((l) => l.includes(" sendto("));
  lines.splice(at, 0, `program says ${PAYLOAD} hello`);
  const shutdownLine = lines.findIndex((l) => l.includes(" shutdown(")) + 1;
  // A call line broken by the payload, after the end (so it cannot swallow the race's lines).
  lines.splice(lines.length - 1, 0, `9353  1795563216.420200 close(7) = ${PAYLOAD}`);
  return { text: lines.join("\n"), shutdownLine };
}

const { text, shutdownLine } = hostileTrace();
/** A file name cannot hold "/" (the OSC 8 link in PAYLOAD has one). */
const NAME_PAYLOAD = PAYLOAD.replace(/\//g, "_");
const tracePath = join(dir, `evil${NAME_PAYLOAD}.strace`);
writeFileSync(tracePath, text);

function assertSafe(out: string, what: string): void {
  assert.deepEqual(unsafeChars(out), [], `${what} carries raw control characters:\n${JSON.stringify(out.slice(0, 2000))}`);
}

test("the hostile trace really carries the bytes (the checks below can fail)", () => {
  assert.ok(unsafeChars(text).length >= 8);
  assert.ok(text.includes("\x1b]0;PWNED"));
});

test("analyze (table, NO_COLOR): no ESC byte at all, nothing unsafe, and the race is still found", () => {
  const r = runCli(["analyze", tracePath]);
  assert.equal(r.status, 1, r.stderr);
  assert.ok(!r.stdoutBytes.includes(0x1b) && !r.stderrBytes.includes(0x1b), "no ESC byte with NO_COLOR");
  assertSafe(r.stdout, "stdout");
  assertSafe(r.stderr, "stderr");
  assert.match(r.stdout, new RegExp(`error\\[shutdown-with-unsent\\] .*:${shutdownLine}: `));
  assert.match(r.stdout, /10,976,354 bytes were never sent/);
  // The hostile text is shown, visibly escaped, not dropped.
  assert.ok(r.stdout.includes("\\x1b]0;PWNED\\x07"), r.stdout);
  assert.ok(r.stdout.includes("\\u202e"), "bidi override shown as an escape");
});

test("analyze --no-color and a non-TTY without NO_COLOR: no ESC byte", () => {
  const env = plainEnv();
  delete env.NO_COLOR;
  for (const args of [["analyze", tracePath], ["analyze", "--no-color", tracePath]]) {
    const r = runCli(args, { env });
    assert.equal(r.status, 1);
    assert.ok(!r.stdoutBytes.includes(0x1b) && !r.stderrBytes.includes(0x1b), args.join(" "));
  }
});

test("analyze --color: the only escapes are the tool's own SGR colour codes", () => {
  const r = runCli(["analyze", "--color", tracePath]);
  assert.equal(r.status, 1);
  assert.ok(r.stdoutBytes.includes(0x1b), "colour was on");
  // eslint-disable-next-line no-control-regex
  assertSafe(r.stdout.replace(/\x1b\[[0-9;]*m/g, ""), "coloured stdout without SGR");
});

test("analyze --quiet and --strict: still no unsafe character; --strict prints the bad line escaped", () => {
  const q = runCli(["analyze", "--quiet", tracePath]);
  assertSafe(q.stdout + q.stderr, "--quiet");
  const s = runCli(["analyze", "--strict", tracePath]);
  assert.equal(s.status, 2);
  assertSafe(s.stdout, "--strict stdout");
  assertSafe(s.stderr, "--strict stderr");
  assert.match(s.stdout, /shutdown-with-unsent/, "findings are still printed under --strict");
});

test("timeline --fd 6: rows and stream name escaped", () => {
  const r = runCli(["timeline", tracePath, "--fd", "6"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sendto/);
  assertSafe(r.stdout + r.stderr, "timeline");
});

test("stats (table): unrecognised and foreign samples escaped", () => {
  // Two inputs, so the header says "2 files": the one-file header is checked below.
  const r = runCli(["stats", tracePath, tracePath]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /unrecognized lines: /);
  assertSafe(r.stdout + r.stderr, "stats");
});

test("stats (table) of one file: the file name in the header is escaped", () => {
  const r = runCli(["stats", tracePath]);
  assertSafe(r.stdout, "stats header");
});

for (const args of [["analyze", "--format", "json"], ["analyze", "--format", "ndjson"], ["parse"], ["stats", "--format", "json"]]) {
  test(`${args.join(" ")}: JSON carries no raw C1 or bidi control (JSON.stringify leaves them raw)`, () => {
    const r = runCli([...args, tracePath]);
    assertSafe(r.stdout, `${args.join(" ")} stdout`);
    assertSafe(r.stderr, `${args.join(" ")} stderr`);
  });

  test(`${args.join(" ")}: still valid JSON and the race is in it`, () => {
    const r = runCli([...args, tracePath]);
    assertSafe(r.stderr, "stderr");
    const docs = args[0] === "analyze" && args[2] === "json" || args[0] === "stats" ? [JSON.parse(r.stdout)] : r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    if (args[0] === "analyze") {
      const findings = docs.flatMap((d) => (d.type === "finding" ? [d] : d.findings && Array.isArray(d.findings) ? d.findings : []));
      assert.deepEqual(findings.map((f: { rule: string; line: number; unsentBytes: number }) => [f.rule, f.line, f.unsentBytes]), [["shutdown-with-unsent", shutdownLine, UNSENT]]);
      assert.ok(findings[0].stream.includes("\x1b]0;PWNED"), "the JSON keeps the real decoration (escaped by JSON)");
    } else if (args[0] === "parse") {
      const shut = docs.find((e) => e.type === "syscall" && e.name === "shutdown");
      assert.equal(shut?.line, shutdownLine);
    } else {
      assert.ok(docs[0].unrecognized >= 1);
    }
  });
}

test("error messages: a hostile file name is escaped in every input problem", () => {
  const missing = join(dir, `missing${NAME_PAYLOAD}.log`);
  const emptyDir = join(dir, `dir${NAME_PAYLOAD}`);
  mkdirSync(emptyDir, { recursive: true });
  const binary = join(dir, `bin${NAME_PAYLOAD}.dat`);
  writeFileSync(binary, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
  const empty = join(dir, `empty${NAME_PAYLOAD}.log`);
  writeFileSync(empty, "");
  for (const cmd of ["analyze", "parse", "stats"]) {
    for (const p of [missing, emptyDir, binary, empty]) {
      const r = runCli([cmd, p]);
      assert.equal(r.status, 2, `${cmd} ${JSON.stringify(p)}`);
      assert.match(r.stderr, /error\[SR00\d\]/);
      assertSafe(r.stderr, `${cmd} stderr`);
      assertSafe(r.stdout, `${cmd} stdout`);
    }
  }
});

test("a usage error echoing a hostile argument is escaped", () => {
  const r = runCli(["analyze", "--format", `x${PAYLOAD}`, tracePath]);
  assert.equal(r.status, 2);
  assertSafe(r.stderr, "usage error");
});

test("analyze --html: trace text is escaped in the report (no markup injected, no raw control byte)", () => {
  const markup = "</script><script>alert(1)</script><img src=x onerror=alert(2)>";
  const evil = text.split(`${STREAM}${PAYLOAD}`).join(`${STREAM}${markup}${PAYLOAD}`);
  const trace = join(dir, "markup.strace");
  writeFileSync(trace, evil);
  const out = join(dir, "report.html");
  const r = runCli(["analyze", "--html", out, trace]);
  assert.equal(r.status, 1, r.stderr);
  const html = readFileSync(out, "utf8");
  assert.ok(html.includes("onerror=alert(2)"), "the decoration is in the report");
  assert.ok(!html.includes("<script>alert(1)") && !html.includes("<img src=x"), "as text, not markup");
  assert.deepEqual(unsafeChars(html.replace(/[\r\n]/g, "")), []);
});
