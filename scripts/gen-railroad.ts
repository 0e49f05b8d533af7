// Regenerates grammars/railroad.html, the syntax diagram of the strace line grammar, from the
// parser's serialized grammar. Run after changing the grammar: node dist/scripts/gen-railroad.js
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSyntaxDiagramsCode } from "chevrotain";
import { straceLineParser } from "../grammars/strace-line-parser.js";

/** The diagram's HTML, exactly as committed. */
export function railroadHtml(): string {
  return createSyntaxDiagramsCode(straceLineParser.getSerializedGastProductions());
}

/** grammars/railroad.html, found from this module's place in the repo (src or dist). */
export function railroadPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  if (dir.endsWith(join("dist", "scripts"))) dir = dirname(dir);
  return join(dirname(dir), "grammars", "railroad.html");
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(railroadPath(), railroadHtml());
  process.stdout.write(`wrote ${railroadPath()}\n`);
}
