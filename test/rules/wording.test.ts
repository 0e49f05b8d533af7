// Numbers in findings read as toLocaleString("en-US") prints them, without its cost.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fmt } from "../../src/rules/wording.js";

test("fmt groups digits exactly as toLocaleString('en-US') does", () => {
  for (const n of [0, -0, 7, 999, 1000, -1000, 123456, 1234567, 3975121, -9007199254740991, 9007199254740991, 1.5, 1234.5678, NaN, Infinity, 1e21]) {
    assert.equal(fmt(n), n.toLocaleString("en-US"), String(n));
  }
  fc.assert(
    fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.double()), (n) => assert.equal(fmt(n), n.toLocaleString("en-US"))),
    { numRuns: 20_000, seed: 20261205 },
  );
});
