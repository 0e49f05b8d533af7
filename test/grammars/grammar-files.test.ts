// The grammar's companions stay true to it: the EBNF names exactly the parser's rules, the
// committed railroad diagram is what the generator produces today, and the lexer is built
// first-char optimised with no definition errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Lexer } from "chevrotain";
import { straceLineParser } from "../../grammars/strace-line-parser.js";
import { allTokens, straceLexer } from "../../grammars/strace-tokens.js";
import { railroadHtml, railroadPath } from "../../scripts/gen-railroad.js";

function ebnfPath(): string {
  return railroadPath().replace(/railroad\.html$/, "strace-line.ebnf");
}

test("the EBNF defines exactly the parser's rules", () => {
  const ebnf = readFileSync(ebnfPath(), "utf8").replace(/\(\*[\s\S]*?\*\)/g, "");
  const defined = new Set([...ebnf.matchAll(/^([A-Za-z]\w*)\s*=/gm)].map((m) => m[1]));
  const rules = new Set(straceLineParser.getSerializedGastProductions().map((r) => (r as unknown as { name: string }).name));
  assert.deepEqual([...defined].sort(), [...rules].sort());
});

test("grammars/railroad.html is current (regenerate: node dist/scripts/gen-railroad.js)", () => {
  assert.equal(readFileSync(railroadPath(), "utf8"), railroadHtml());
});

test("the lexer has no definition errors and every token is first-char optimisable", () => {
  assert.deepEqual(straceLexer.lexerDefinitionErrors, []);
  // ensureOptimizations throws while building when any pattern defeats the first-char index.
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.join(" "));
  try {
    new Lexer(allTokens, { ensureOptimizations: true, positionTracking: "onlyOffset" });
  } finally {
    console.warn = original;
  }
  assert.deepEqual(warnings, []);
});

test("the parser was built with its grammar validations on and reports no definition errors", () => {
  assert.deepEqual((straceLineParser as unknown as { definitionErrors: unknown[] }).definitionErrors, []);
});
