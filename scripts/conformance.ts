// `npm run conformance`: every file of the shared corpora (`<repo>/../shared/corpora`) and
// every capture of the real-strace flag matrix through the event parser. Prints per source
// lines, unrecognised, foreign and crashes with `path:line: text` samples, then totals.
// Exit 1 when any line is unrecognised, anything crashes, a capture without program output
// has foreign lines, a matrix capture's fields disagree with the independent oracle, the fast
// path's plain-line scan reads any line differently from the grammar, or a parse worker's byte
// scan any line differently from the string path.
// Foreign lines in corpora are listed for a human to judge (real program output is allowed).
//
// Options: --no-corpora, --no-matrix, --samples N (default 5), --keep (keep the captures).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { TraceEvent } from "../src/syntax/events.js";
import { checkCapture, displayPath } from "./conformance-capture.js";
import { compareFields, expectFromLines, guessMode } from "./conformance-oracle.js";
import { formatSample, loadEventParser, runSource } from "./conformance-run.js";
import { checkByteScans } from "./conformance-bytes.js";
import { checkPlainScan } from "./conformance-plain.js";
import type { SourceTally } from "./conformance-run.js";
import { recordFlagMatrix, repoRoot } from "./flag-matrix.js";

/** Files in the corpora that are not strace output (the strace2pcap packet capture, READMEs). */
const NOT_TRACES = /\.(md|pcap|pcapng)$/i;

interface Totals {
  sources: number;
  lines: number;
  unrecognized: number;
  foreign: number;
  crashes: number;
  fieldProblems: number;
}

function newTotals(): Totals {
  return { sources: 0, lines: 0, unrecognized: 0, foreign: 0, crashes: 0, fieldProblems: 0 };
}

function add(t: Totals, s: SourceTally): void {
  t.sources++;
  t.lines += s.lines;
  t.unrecognized += s.unrecognized;
  t.foreign += s.foreign;
  t.crashes += s.crashes;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...listFiles(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

function row(path: string, s: SourceTally, extra = ""): string {
  return `${path}  lines ${s.lines}  unrecognised ${s.unrecognized}  foreign ${s.foreign}  crashes ${s.crashes}${extra}`;
}

function printSamples(path: string, s: SourceTally, showForeign: boolean): void {
  for (const m of s.crashMessages) console.log(`  crash: ${m}`);
  for (const u of s.unrecognizedSamples) console.log(`  unrecognised ${formatSample(path, u)}`);
  if (showForeign) for (const f of s.foreignSamples) console.log(`  foreign ${formatSample(path, f)}`);
}

function totalsLine(label: string, t: Totals): string {
  return `${label}: ${t.sources} sources, ${t.lines} lines, ${t.unrecognized} unrecognised, ${t.foreign} foreign, ${t.crashes} crashes${t.fieldProblems ? `, ${t.fieldProblems} field disagreements` : ""}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const samplesAt = argv.indexOf("--samples");
  const maxSamples = samplesAt >= 0 ? Math.max(0, Number(argv[samplesAt + 1] ?? 5)) : 5;
  const failures: string[] = [];

  const createEventParser = await loadEventParser();
  if (typeof createEventParser === "string") {
    console.log(`conformance: the event parser is not available: ${createEventParser}`);
    return 1;
  }

  // The fast path's plain-line scan, held to the grammar on every line of every source.
  const plain = { lines: 0, taken: 0, disagreeing: 0 };
  // The parse workers' byte scans, held to the string path on the same lines.
  const bytes = { lines: 0, light: 0, plain: 0, projected: 0, disagreeing: 0 };
  const checkPlain = async (shown: string, file: string): Promise<void> => {
    const p = await checkPlainScan(file, maxSamples);
    plain.lines += p.lines;
    plain.taken += p.taken;
    plain.disagreeing += p.disagreeing;
    for (const d of p.disagreements) console.log(`  plain scan disagrees: ${shown}:${d.slice(5)}`);
    if (p.disagreeing > 0) failures.push(`${shown}: the plain-line scan disagrees with the grammar on ${p.disagreeing} lines`);
    const b = await checkByteScans(file, maxSamples);
    bytes.lines += b.lines;
    bytes.light += b.lightTaken;
    bytes.plain += b.plainTaken;
    bytes.projected += b.projected;
    bytes.disagreeing += b.disagreeing;
    for (const d of b.disagreements) console.log(`  byte scan disagrees: ${shown}:${d.slice(5)}`);
    if (b.disagreeing > 0) failures.push(`${shown}: a worker's byte scan disagrees with the string path on ${b.disagreeing} lines`);
  };

  const corpusTotals = newTotals();
  if (!argv.includes("--no-corpora")) {
    const corpora = resolve(repoRoot(), "..", "shared", "corpora");
    if (!existsSync(corpora)) {
      console.log(`corpora: ${corpora} not found; corpus part skipped`);
    } else {
      console.log(`== corpora (${corpora})`);
      const base = resolve(corpora, "..");
      for (const file of listFiles(corpora)) {
        const shown = relative(base, file);
        if (NOT_TRACES.test(file)) {
          console.log(`${shown}  skipped (not strace output)`);
          continue;
        }
        const events: TraceEvent[] = [];
        const s = await runSource(createEventParser, file, { maxSamples, onEvents: (evs) => events.push(...evs) });
        add(corpusTotals, s);
        // The same field oracle as for the matrix, with the pid layout guessed from the file.
        const lines = readFileSync(file, "utf8").split("\n");
        if (lines[lines.length - 1] === "") lines.pop();
        const expected = expectFromLines(lines, guessMode(lines));
        const problems = compareFields(shown, events, expected);
        corpusTotals.fieldProblems += problems.length;
        console.log(row(shown, s, `  fields checked ${expected.complete.length}+${expected.joined.length} joined, disagreements ${problems.length}`));
        printSamples(shown, s, true);
        for (const p of problems.slice(0, maxSamples)) console.log(`  field ${p}`);
        if (problems.length > 0) failures.push(`${shown}: ${problems.length} field disagreements`);
        if (s.unrecognized > 0) failures.push(`${shown}: ${s.unrecognized} unrecognised`);
        if (s.crashes > 0) failures.push(`${shown}: ${s.crashes} crashes`);
        await checkPlain(shown, file);
      }
      console.log(totalsLine("corpora total", corpusTotals));
    }
  }

  const matrixTotals = newTotals();
  if (!argv.includes("--no-matrix")) {
    let matrix;
    try {
      matrix = await recordFlagMatrix();
    } catch (e) {
      console.log(`flag matrix: could not record: ${(e as Error).message}`);
      failures.push("flag matrix not recorded");
    }
    if (matrix) {
      console.log(`== flag matrix (${matrix.straceVersion}, ${matrix.captures.length} captures in ${matrix.elapsedMs} ms)`);
      for (const u of matrix.unsupported) console.log(`unsupported here: ${u.label}: ${u.reason}`);
      for (const c of matrix.captures) {
        for (const s of c.straceComplaints) console.log(`strace complained while recording ${c.label}: ${s}`);
      }
      try {
        for (const capture of matrix.captures) {
          for (const file of capture.files) {
            const c = await checkCapture(createEventParser, capture, file, maxSamples);
            const shown = displayPath(capture, file);
            add(matrixTotals, c.tally);
            matrixTotals.fieldProblems += c.fieldProblems.length;
            const fields = `  fields checked ${c.completeChecked}+${c.joinedChecked} joined, disagreements ${c.fieldProblems.length}`;
            console.log(row(shown, c.tally, fields));
            printSamples(shown, c.tally, true);
            for (const p of c.fieldProblems.slice(0, maxSamples)) console.log(`  field ${p}`);
            if (c.tally.unrecognized > 0) failures.push(`${shown}: ${c.tally.unrecognized} unrecognised`);
            if (c.tally.crashes > 0) failures.push(`${shown}: ${c.tally.crashes} crashes`);
            if (c.tally.foreign > 0 && !capture.programOutput) {
              failures.push(`${shown}: ${c.tally.foreign} foreign lines in a capture without program output`);
            }
            if (c.fieldProblems.length > 0) failures.push(`${shown}: ${c.fieldProblems.length} field disagreements`);
            await checkPlain(shown, file.path);
          }
        }
      } finally {
        if (argv.includes("--keep")) console.log(`captures kept in ${matrix.dir}`);
        else matrix.cleanup();
      }
      console.log(totalsLine("matrix total", matrixTotals));
    }
  }

  console.log(totalsLine("TOTAL (corpora)", corpusTotals));
  console.log(totalsLine("TOTAL (matrix)", matrixTotals));
  console.log(`TOTAL (plain-line scan): ${plain.taken} of ${plain.lines} lines taken, ${plain.disagreeing} disagreements with the grammar`);
  console.log(`TOTAL (worker byte scans): ${bytes.light} light and ${bytes.plain} plain of ${bytes.lines} lines taken (${bytes.projected} with arguments left out), ${bytes.disagreeing} disagreements with the string path`);
  if (failures.length > 0) {
    console.log(`FAIL: ${failures.length} problem(s)`);
    for (const f of failures.slice(0, 50)) console.log(`  ${f}`);
    if (failures.length > 50) console.log(`  ... and ${failures.length - 50} more`);
    return 1;
  }
  console.log("PASS");
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
