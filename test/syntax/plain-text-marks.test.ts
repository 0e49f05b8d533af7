// A parse worker asks whether each line of a segment is plain text (ASCII, none of the words the
// string path reads beyond the call) by a few searches over the whole segment: the answer must
// be the per-line check's for every line, in segments of sample lines and of random text made
// of exactly the bytes those words are built from; and whether a clean line holds a `\x` or a
// `/*` (the flag evidence reads such a line's text).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { plainText, PlainTextMarks } from "../../src/syntax/plain-bytes.js";
import { sampleTraces } from "../property/strace-text.js";

/** Each line of the segment as a worker cuts it ([start, end) without the newline or a `\r`
 *  before it), with the two answers; `asked` picks the lines asked (a worker skips some). */
function compare(bytes: Buffer, asked: (n: number) => boolean): { line: number; text: string; marks: boolean | string; perLine: boolean | string }[] {
  const marks = new PlainTextMarks(bytes);
  const wrong = [];
  let s = 0;
  for (let n = 0; ; n++) {
    const nl = bytes.indexOf(10, s);
    if (nl < 0) break;
    const e = nl > s && bytes[nl - 1] === 13 ? nl - 1 : nl;
    if (asked(n)) {
      const got = marks.clean(s, e);
      const want = plainText(bytes, s, e);
      if (got !== want) wrong.push({ line: n + 1, text: bytes.toString("latin1", s, e), marks: got, perLine: want });
      // Whether it holds a hex escape or a comment (the flag evidence then reads its text), asked of a clean line.
      const noted = got && marks.noted(s, e);
      const line = bytes.subarray(s, e);
      if (got && noted !== (line.includes("\\x") || line.includes("/*"))) wrong.push({ line: n + 1, text: bytes.toString("latin1", s, e), marks: `noted ${noted}`, perLine: `noted ${!noted}` });
    }
    s = nl + 1;
  }
  return wrong;
}

test("every sample line: the segment's marks answer as the per-line check", () => {
  let refused = 0;
  for (const t of sampleTraces()) {
    const bytes = Buffer.from(t.text);
    assert.deepEqual(compare(bytes, () => true), [], t.name);
    assert.deepEqual(compare(bytes, (n) => n % 3 === 1), [], `${t.name}, every third line`);
    let s = 0;
    for (let nl = bytes.indexOf(10); nl >= 0; s = nl + 1, nl = bytes.indexOf(10, s)) if (!plainText(bytes, s, nl)) refused++;
  }
  // The samples hold lines of each kind, or this proves little.
  assert.ok(refused > 10, `${refused} sample lines refused`);
});

test("random lines built of the refused words' bytes, `\\r\\n` ends and bytes past ASCII", () => {
  const pieces = ["%", "\\", "x", "\\x", "/", "*", "/*", "strace", "strace:", ":", "[", " ", "[ P", "P", "\r", "é", "\x80", 'write(3, "a", 1) = 1', "s", "tr", "ace"];
  const line = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((p) => p.join(""));
  fc.assert(
    fc.property(fc.array(fc.tuple(line, fc.boolean()), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 3 }), (lines, every) => {
      const text = lines.map(([l, crlf]) => l + (crlf ? "\r\n" : "\n")).join("");
      const bytes = Buffer.from(text, text.includes("é") ? "utf8" : "latin1");
      assert.deepEqual(compare(bytes, (n) => n % every === 0), []);
    }),
    { numRuns: 3000 },
  );
});
