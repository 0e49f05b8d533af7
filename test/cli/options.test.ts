// analyze's options as users type them: a rule option followed by the trace path must not
// take the path for a second rule name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "strace-race.js");
const trace = "samples/hyper-short-write/f-tt-T.strace";

function rules(...args: string[]): string[] {
  const r = spawnSync(process.execPath, [bin, "analyze", "--format", "json", ...args], { cwd: root, encoding: "utf8" });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return (JSON.parse(r.stdout).findings as { rule: string }[]).map((f) => f.rule);
}

test("--no-rule NAME, repeated, then the path", () => {
  assert.deepEqual(rules(trace), ["shutdown-with-unsent"]);
  assert.deepEqual(rules("--no-rule", "shutdown-with-unsent", trace), []);
  assert.deepEqual(rules("--no-rule", "exit-with-unsent", "--no-rule", "http-short-body", trace), ["shutdown-with-unsent"]);
});

test("--rule NAME then the path; names may also be comma-separated", () => {
  assert.deepEqual(rules("--rule", "close-with-unsent", trace), []);
  assert.deepEqual(rules("--rule", "close-with-unsent,shutdown-with-unsent", trace), ["shutdown-with-unsent"]);
});
