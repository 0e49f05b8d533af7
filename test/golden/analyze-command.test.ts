// `analyze` end to end through its run function: exit codes, --fail-on, --rule/--no-rule,
// --strict, the three formats over real sample traces, and findings written while the input
// is still arriving on stdin.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runAnalyze } from "../../src/cli/commands/analyze.js";
import type { AnalyzeArgs } from "../../src/cli/commands/analyze.js";
import { captureIo } from "../helpers/captured-io.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const sample = (c: string, r: string): string => join(ROOT, "samples", c, `${r}.strace`);
const expected = (c: string, r: string): { line: number; unsentBytes: number }[] =>
  JSON.parse(readFileSync(join(ROOT, "samples", c, "expected.json"), "utf8")).recordings[r];

const capture = (env: Record<string, string> = {}) => captureIo({ env });

async function analyze(args: AnalyzeArgs, env?: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const c = capture(env);
  const code = await runAnalyze(args, c.io);
  return { code, out: c.out(), err: c.err() };
}

const tmp = mkdtempSync(join(tmpdir(), "strace-race-test-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("analyze command", () => {
  test("a lossy trace: exit 1, the explanation and the table, no colour when not a TTY", async () => {
    const r = await analyze({ paths: [sample("eagain-give-up", "f-tt-T")] });
    assert.equal(r.code, 1);
    const want = expected("eagain-give-up", "f-tt-T")[0]!;
    const bytes = want.unsentBytes.toLocaleString("en-US");
    assert.match(r.out, new RegExp(`^error\\[shutdown-with-unsent\\] .*f-tt-T\\.strace:${want.line}: pid \\d+ shut down socket fd \\d+\\n  while ${bytes} bytes were never sent\\n`));
    assert.match(r.out, /1 error in .*f-tt-T\.strace/);
    assert.ok(!r.out.includes("\x1b"));
  });

  test("a clean trace: exit 0 and a JSON document with stats", async () => {
    const r = await analyze({ paths: [sample("pollout-drain", "f-tt-T")], format: "json" });
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.out);
    assert.equal(doc.tool, "strace-race");
    assert.deepEqual(doc.findings, []);
    assert.ok(doc.stats.syscalls > 0 && doc.stats.lines > 0);
  });

  test("--fail-on: warnings fail only when asked, never never fails", async () => {
    const exitPipe = sample("exit-pipe-unsent", "f-tt-T");
    assert.equal((await analyze({ paths: [exitPipe] })).code, 0);
    assert.equal((await analyze({ paths: [exitPipe], "fail-on": "warning" })).code, 1);
    assert.equal((await analyze({ paths: [sample("eagain-give-up", "f")], "fail-on": "never" })).code, 0);
  });

  test("--no-rule hides a rule; the stream still ended at its first point of no return", async () => {
    const r = await analyze({ paths: [sample("eagain-give-up", "f")], "no-rule": ["shutdown-with-unsent"], format: "ndjson" });
    assert.equal(r.code, 0);
    assert.equal(r.out.trim().split("\n").length, 1, "only the summary line");
    const only = await analyze({ paths: [sample("fd-reuse", "f")], rule: ["shutdown-with-unsent"], format: "json" });
    assert.deepEqual(JSON.parse(only.out).findings, []);
  });

  test("usage errors and unreadable input exit 2 without a stack trace", async () => {
    const bad = await analyze({ paths: [sample("eagain-give-up", "f")], rule: ["no-such-rule"] });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown rule "no-such-rule"/);
    const missing = await analyze({ paths: [join(tmp, "missing.strace")] });
    assert.equal(missing.code, 2);
    assert.ok(!missing.err.includes("    at "), missing.err);
  });

  test("--strict: an unrecognised line makes the run fail with exit 2", async () => {
    const file = join(tmp, "junk.strace");
    writeFileSync(file, `${readFileSync(sample("pollout-drain", "f"), "latin1")}100 close(3) = 0 trailing junk\n`, "latin1");
    assert.equal((await analyze({ paths: [file] })).code, 0);
    const strict = await analyze({ paths: [file], strict: true });
    assert.equal(strict.code, 2);
    assert.match(strict.err, /could not be recognised \(--strict\)/);
  });

  test("ndjson findings are written while stdin is still open", async () => {
    const c = capture();
    const lines = readFileSync(sample("eagain-give-up", "f-tt-T"), "latin1").split("\n");
    const cut = lines.findIndex((l) => l.includes("shutdown("));
    const running = runAnalyze({ paths: ["-"], format: "ndjson" }, c.io);
    c.stdin.write(`${lines.slice(0, cut + 1).join("\n")}\n`);
    // Lines after the shutdown would complete the batch; wait for the finding without them.
    for (let i = 0; i < 500 && !c.out().includes('"type":"finding"'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(c.out(), /^\{"type":"finding","rule":"shutdown-with-unsent"/);
    c.stdin.end(`${lines.slice(cut + 1).join("\n")}`);
    assert.equal(await running, 1);
    const out = c.out().trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(out.map((o) => o.type), ["finding", "summary"]);
    assert.equal(out[1].findings, 1);
  });
});
