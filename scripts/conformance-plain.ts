// The plain-line scan of the fast path against the grammar, line by line: every line the scan
// takes must give exactly the grammar's ParsedLine. Run over the corpora and the flag matrix by
// `npm run conformance`; a disagreement fails it.
import { isDeepStrictEqual } from "node:util";
import { straceLineParser, type ParsedLine } from "../grammars/strace-line-parser.js";
import { plainLine } from "../src/syntax/plain-line.js";
import { forEachLineBatch } from "./conformance-run.js";

export interface PlainScanTally {
  lines: number;
  /** Lines the scan took (the rest went to the grammar). */
  taken: number;
  /** Lines where the scan and the grammar disagree, and the first few as `line N: text: why`. */
  disagreeing: number;
  readonly disagreements: string[];
}

/** One line: null when the scan leaves it to the grammar or agrees with it, else what differs.
 *  `plain` is the scan's reading when the caller has it already. */
export function plainScanDisagreement(text: string, plain: ParsedLine | null = plainLine(text)): string | null {
  if (plain === null) return null;
  const grammar = straceLineParser.parseLine(text).value;
  if (grammar === null) return "the scan took a line the grammar rejects";
  return isDeepStrictEqual(plain, grammar) ? null : `the scan read ${JSON.stringify(plain.body)}, the grammar ${JSON.stringify(grammar.body)}`;
}

export async function checkPlainScan(path: string, maxSamples = 5): Promise<PlainScanTally> {
  const tally: PlainScanTally = { lines: 0, taken: 0, disagreeing: 0, disagreements: [] };
  await forEachLineBatch(path, (lines, firstLine) => {
    for (let i = 0; i < lines.length; i++) {
      tally.lines++;
      const text = lines[i];
      const plain = plainLine(text);
      if (plain === null) continue;
      tally.taken++;
      const problem = plainScanDisagreement(text, plain);
      if (problem === null) continue;
      tally.disagreeing++;
      if (tally.disagreements.length < maxSamples) {
        tally.disagreements.push(`line ${firstLine + i}: ${text.slice(0, 200)}: ${problem.slice(0, 400)}`);
      }
    }
  });
  return tally;
}
