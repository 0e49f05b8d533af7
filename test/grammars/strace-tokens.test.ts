// The decoration token is matched by one bracket scan shared by every `<` of a line (linear);
// it must find exactly what a fresh scan from each `<` finds. The reference below is that fresh
// scan, kept here as the specification, and a lexer built with it is compared token by token.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createToken, Lexer } from "chevrotain";
import type { CustomPatternMatcherReturn } from "chevrotain";
import { allTokens, AuxAtom, Decoration, straceLexer } from "../../grammars/strace-tokens.js";

const MAX_DECORATION = 32 * 1024;

/** From one `<`: balanced `<>`, `->` and `\x` skip a character, quoted text is skipped, at most
 *  MAX_DECORATION characters read. */
function referenceDecoration(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 0x3c) return null;
  const end = Math.min(text.length, offset + MAX_DECORATION);
  let depth = 0;
  for (let i = offset; i < end; i++) {
    const c = text[i];
    if (c === "<") depth++;
    else if (c === ">") {
      if (--depth === 0) return [text.slice(offset, i + 1)];
    } else if (c === "-" && text[i + 1] === ">") i++;
    else if (c === "\\") i++;
    else if (c === '"') {
      for (i++; i < end && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    }
  }
  return null;
}

const ReferenceDecoration = createToken({
  name: "Decoration",
  pattern: { exec: referenceDecoration },
  start_chars_hint: ["<"],
  line_breaks: false,
  categories: [AuxAtom],
});
const referenceLexer = new Lexer(
  allTokens.map((t) => (t === Decoration ? ReferenceDecoration : t)),
  { positionTracking: "onlyOffset" },
);

function tokens(lexer: Lexer, text: string): string[] {
  return lexer.tokenize(text).tokens.map((t) => `${t.startOffset}:${t.tokenType.name}:${t.image}`);
}

function assertSame(text: string): void {
  assert.deepEqual(tokens(straceLexer, text), tokens(referenceLexer, text), JSON.stringify(text.slice(0, 200)));
}

test("decorations: a later '<' closes where an earlier one could not", () => {
  assert.deepEqual(
    tokens(straceLexer, "read(5<a<b>, x)").filter((t) => t.includes("Decoration")),
    ["8:Decoration:<b>"],
  );
  for (const text of [
    "read(5<a<b>, x)",
    "read(5</dev/null<char 1:3>>, x)",
    'read(3<"<">, 1<TCP:[1.2.3.4:5->6.7.8.9:10]>)',
    "x <a <b <c> d> e",
    "x <\\<\\<a>>",
    '<"<\\"<\\"<\\"',
    "<<<->>>>",
  ]) {
    assertSame(text);
  }
});

test("decorations match the fresh scan from each '<' on random lines", () => {
  const char = fc.constantFrom("<", "<", ">", ">", '"', "\\", "-", "a", " ", ",", "(", ")");
  fc.assert(
    fc.property(fc.array(char, { maxLength: 80 }), (chars) => {
      const text = chars.join("");
      assertSame(text);
      assertSame(text); // the same line again: the shared scan starts over
    }),
    { seed: 20261125, numRuns: 3000 },
  );
});

test("decorations longer than the bound are not taken, from any start", () => {
  const far = `<${"a<".repeat(MAX_DECORATION / 2)}${">".repeat(MAX_DECORATION / 2 + 1)}`;
  assertSame(far);
  assertSame(`x <${"a".repeat(MAX_DECORATION - 3)}> <${"a".repeat(MAX_DECORATION - 1)}>`);
});
