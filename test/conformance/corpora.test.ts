// Real strace logs from other projects (`<repo>/../shared/corpora`, not part of the repo):
// every line recognised or classified, nothing crashes. Foreign lines are allowed there (real
// program output, hand-edited annotations) and listed as diagnostics for a human to judge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { compareFields, expectFromLines, guessMode } from "../../scripts/conformance-oracle.js";
import { formatSample, loadEventParser, runSource } from "../../scripts/conformance-run.js";
import type { TraceEvent } from "../../src/syntax/events.js";
import { repoRoot } from "../../scripts/flag-matrix.js";

const CORPORA = resolve(repoRoot(), "..", "shared", "corpora");
const NOT_TRACES = /\.(md|pcap|pcapng)$/i;

function traces(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) return traces(p);
      return st.isFile() && !NOT_TRACES.test(name) ? [p] : [];
    });
}

test("corpora: zero unrecognised lines, no crash, and syscall fields as the oracle reads them", async (t) => {
  if (!existsSync(CORPORA)) {
    t.skip(`${CORPORA} not found (the shared corpora sit beside the repository)`);
    return;
  }
  const create = await loadEventParser();
  if (typeof create === "string") throw new Error(create);
  const files = traces(CORPORA);
  assert.ok(files.length > 0, `no trace files under ${CORPORA}`);
  const problems: string[] = [];
  const fieldProblems: string[] = [];
  let checked = 0;
  let lines = 0;
  let foreign = 0;
  for (const file of files) {
    const shown = relative(resolve(CORPORA, ".."), file);
    const events: TraceEvent[] = [];
    const s = await runSource(create, file, { maxSamples: 3, onEvents: (evs) => events.push(...evs) });
    const text = readFileSync(file, "utf8").split("\n");
    if (text[text.length - 1] === "") text.pop();
    const expected = expectFromLines(text, guessMode(text));
    checked += expected.complete.length + expected.joined.length;
    fieldProblems.push(...compareFields(shown, events, expected));
    lines += s.lines;
    foreign += s.foreign;
    for (const m of s.crashMessages) problems.push(`${shown}: crash: ${m}`);
    if (s.crashes > s.crashMessages.length) problems.push(`${shown}: ${s.crashes} crashes`);
    for (const u of s.unrecognizedSamples) problems.push(formatSample(shown, u));
    if (s.unrecognized > s.unrecognizedSamples.length) problems.push(`${shown}: ${s.unrecognized} unrecognised in all`);
    if (s.foreign > 0) {
      t.diagnostic(`${shown}: ${s.foreign} foreign (allowed in corpora), e.g. ${formatSample(shown, s.foreignSamples[0]!, 120)}`);
    }
  }
  t.diagnostic(`${files.length} files, ${lines} lines, ${foreign} foreign, ${checked} calls field-checked`);
  assert.deepEqual(problems, []);
  assert.ok(checked > lines / 2, `only ${checked} of ${lines} lines field-checked`);
  assert.deepEqual(fieldProblems.slice(0, 40), [], `${fieldProblems.length} field disagreements`);
});
