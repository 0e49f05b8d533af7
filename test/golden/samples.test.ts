// Golden tests: every recording of every sample under samples/ must give exactly the findings
// its expected.json lists (rule, line, unsent bytes; the file too for -ff sets). The figures
// come from the samples' own ground truth, never from this code.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createAnalyzer } from "../../src/analysis.js";
import type { Finding } from "../../src/analysis.js";
import { readTraceEvents, resolveTraces } from "../../src/pipeline/trace-input.js";
import { quietIo } from "../helpers/quiet-io.js";

// dist/test/golden/ → the repository root.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SAMPLES = join(ROOT, "samples");

interface Expected {
  readonly rule: string;
  readonly line: number;
  readonly unsentBytes: number;
  readonly file?: string;
}


export async function analyzePath(path: string): Promise<Finding[]> {
  const { groups, problems } = await resolveTraces([path]);
  assert.deepEqual(problems.filter((p) => p.fatal), [], `${path} must be readable`);
  assert.equal(groups.length, 1, `${path} is one trace`);
  const group = groups[0]!;
  const analyzer = createAnalyzer({ trace: group.name });
  const findings: Finding[] = [];
  for await (const batch of readTraceEvents(group, quietIo()).batches) findings.push(...analyzer.push(batch));
  findings.push(...analyzer.end());
  return findings;
}

function testSample(caseName: string, recording: string): void {
  test(`${caseName} / ${recording}`, async () => {
    const dir = join(SAMPLES, caseName);
    const spec = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { recordings: Record<string, Expected[]> };
    const expected = spec.recordings[recording] ?? [];
    const path = recording === "ff" ? join(dir, "ff") : join(dir, `${recording}.strace`);
    const findings = await analyzePath(path);
    const got = findings.map((f, i) => ({
      rule: f.rule,
      line: f.line,
      unsentBytes: f.unsentBytes,
      ...(expected[i]?.file !== undefined ? { file: basename(f.file) } : {}),
    }));
    assert.deepEqual(got, expected);
  });
}

const cases = existsSync(SAMPLES) ? readdirSync(SAMPLES).filter((c) => existsSync(join(SAMPLES, c, "expected.json"))).sort() : [];
for (const c of cases) {
  const spec = JSON.parse(readFileSync(join(SAMPLES, c, "expected.json"), "utf8")) as { recordings: Record<string, unknown> };
  for (const recording of Object.keys(spec.recordings)) testSample(c, recording);
}
