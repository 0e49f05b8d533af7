// analyze's options as users type them: a rule option followed by the trace path must not
// take the path for a second rule name; a mistyped option stops the run before anything is read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");
const trace = "samples/hyper-short-write/f-tt-T.strace";

function rules(...args: string[]): string[] {
  const r = spawnSync(process.execPath, [bin, "analyze", "--format", "json", ...args], { cwd: root, encoding: "utf8" });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return (JSON.parse(r.stdout).findings as { rule: string }[]).map((f) => f.rule);
}

test("--no-rule NAME, repeated, then the path", () => {
  assert.deepEqual(rules(trace), ["shutdown-with-unsent"]);
  assert.deepEqual(rules("--no-rule", "shutdown-with-unsent", trace), []);
  assert.deepEqual(rules("--no-rule", "exit-with-unsent", "--no-rule", "http-short-body", trace), ["shutdown-with-unsent"]);
});

test("--rule NAME then the path; names may also be comma-separated", () => {
  assert.deepEqual(rules("--rule", "close-with-unsent", trace), []);
  assert.deepEqual(rules("--rule", "close-with-unsent,shutdown-with-unsent", trace), ["shutdown-with-unsent"]);
});

function cli(args: string[], cwd = root) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", input: "" });
}

test("an unknown option is refused before the trace is read: nothing on stdout, exit 2", () => {
  for (const args of [["analyze", trace, "--bogus"], ["analyze", "--bogus", trace], ["parse", trace, "--formt", "json"], ["stats", trace, "-Z"]]) {
    const r = cli(args);
    assert.equal(r.status, 2, args.join(" "));
    assert.equal(r.stdout, "", `${args.join(" ")}: the command did not run`);
    assert.match(r.stderr, /^strace-race: error: Unknown arguments?: /, args.join(" "));
    assert.doesNotMatch(r.stderr, /SR0\d\d/, "no input was opened");
  }
});

test("a bad option value is said on one readable line, not with escaped newlines", () => {
  const r = cli(["analyze", "--format", "xml", trace]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^strace-race: error: Invalid values: Argument: format, Given: "xml", Choices: "table", "json", "ndjson"\n  hint: /);
  assert.doesNotMatch(r.stderr, /\\x0a/);
});

test("record takes no trace path: it is refused before strace starts", () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-opts-"));
  const r = cli(["record", "kept.strace", "--", "true"], dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Unknown argument: kept\.strace/);
  assert.ok(!existsSync(join(dir, "kept.strace")), "no file made");
  assert.doesNotMatch(r.stderr, /raw trace kept/, "nothing was recorded");
  assert.doesNotMatch(cli(["record", "--help"]).stdout, /Positionals|paths/, "record's help lists no paths");
});

test("number options say what they take; the hint fits the mistake", () => {
  for (const [args, said] of [
    [["--fd", "-1"], /--fd needs a whole number, 0 or more \(not -1\)/],
    [["--pid", "1.5"], /--pid needs a whole number, 0 or more \(not 1\.5\)/],
    [["--min-unsent", "abc"], /--min-unsent needs a whole number, 0 or more\n/],
  ] as const) {
    const r = cli(["analyze", trace, ...args]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, said);
    assert.doesNotMatch(r.stderr, /rules: /, "no list of rules for a number");
  }
  assert.match(cli(["analyze", trace, "--rule", "nope"]).stderr, /unknown rule "nope"\n  hint: rules: shutdown-with-unsent/);
});

test("an HTML report that cannot be written is refused before the trace is read", () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-html-"));
  for (const [target, said] of [[join(dir, "missing", "r.html"), /ENOENT/], [dir, /it is a directory/]] as const) {
    const r = cli(["analyze", trace, "--html", target]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "", "nothing was analysed");
    assert.match(r.stderr, /error\[SR014\]: cannot write the HTML report: /);
    assert.match(r.stderr, said);
  }
  const ok = join(dir, "report.html");
  const r = cli(["analyze", trace, "--html", ok, "-q"]);
  assert.equal(r.status, 1, r.stderr);
  assert.ok(existsSync(ok));
});
