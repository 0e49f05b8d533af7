// The escaping functions every renderer relies on, one case per character family.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { escapeText, hasUnsafeText, shortenEscaped, stringifyJson } from "../../src/report/escape.js";
import { formatProblem } from "../../src/cli/diagnostics.js";
import { unsafeChars } from "./cli-run.js";

test("escapeText: ESC, OSC, CSI, C1, BEL, CR, BS, newline, DEL and bidi controls become visible", () => {
  assert.equal(escapeText("a\x1b[2Jb"), "a\\x1b[2Jb");
  assert.equal(escapeText("\x1b]0;t\x07"), "\\x1b]0;t\\x07");
  assert.equal(escapeText("\x9b31m\x9d\x9c"), "\\x9b31m\\x9d\\x9c");
  assert.equal(escapeText("x\ry\bz\x7f\n"), "x\\x0dy\\x08z\\x7f\\x0a");
  assert.equal(escapeText("\u202eabc\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c"), "\\u202eabc\\u202c\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c");
  assert.equal(escapeText("tab\tand é ü 日本 ✓"), "tab\tand é ü 日本 ✓", "tabs and printable Unicode stay");
});

test("escapeText: no unsafe character survives, for any string (property)", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
      const e = escapeText(s);
      assert.deepEqual(unsafeChars(e), []);
      assert.equal(hasUnsafeText(e), false);
      // escapeText also escapes "\n" (a file name must not fake a new line of output).
      assert.equal(hasUnsafeText(s), unsafeChars(s).length > 0 || s.includes("\n"));
    }),
    { seed: 6, numRuns: 500 },
  );
});

test("stringifyJson: same value once parsed, and no unsafe character in the text (property)", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string({ unit: "binary", maxLength: 60 }), (v, s) => {
      const value = { v, s };
      const text = stringifyJson(value, 2);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
      assert.deepEqual(unsafeChars(text.replace(/\n/g, "")), []);
    }),
    { seed: 6, numRuns: 300 },
  );
});

test("shortenEscaped: fits, never cuts an escape in half", () => {
  assert.equal(shortenEscaped("short", 10), "short");
  for (let max = 2; max < 30; max++) {
    const out = shortenEscaped("ab\x1bcd\u202eef\x9bgh".repeat(3), max);
    assert.ok(out.length <= max, `${out} fits ${max}`);
    assert.doesNotMatch(out, /\\(x[0-9a-f]?|u[0-9a-f]{0,3})…$/, out);
  }
});

test("formatProblem: path:line:col: severity[CODE]: message, the offending line, one hint", () => {
  const text = formatProblem(
    { file: "t\x1b.log", line: 12, column: 3, code: "SR013", message: "bad\rline", text: `9 write(1, "${"x".repeat(300)}\x1b[2J")`, hint: "do \x07 this", fatal: false, severity: "error" },
    80,
  );
  const lines = text.split("\n");
  assert.equal(lines[0], "t\\x1b.log:12:3: error[SR013]: bad\\x0dline");
  assert.match(lines[1]!, /^ {2}12 \| 9 write\(1, "x+…$/);
  assert.ok(lines[1]!.length <= 80, `${lines[1]!.length} columns`);
  assert.equal(lines[2], "  hint: do \\x07 this");
  assert.equal(lines[3], "");
  assert.equal(lines.length, 4);
  assert.deepEqual(unsafeChars(text.replace(/\n/g, "")), []);
  // Without a line: just the path; without a column: column 1.
  assert.equal(formatProblem({ file: "a.log", code: "SR001", message: "no such file", fatal: true }), "a.log: error[SR001]: no such file\n");
  assert.match(formatProblem({ file: "a.log", line: 4, code: "SR003", message: "m", fatal: false }), /^a\.log:4:1: warning\[SR003\]: m\n$/);
});
