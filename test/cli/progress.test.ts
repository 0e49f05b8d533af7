// The progress line on a terminal is erased before anything else is written there: findings on
// stdout (the same terminal) and problems on stderr start on a line of their own; `record`, whose
// traced program shares the terminal, draws none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import type { CliIo } from "../../src/cli/command.js";
import { run } from "../../src/cli/main.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

test("findings and problems never share a line with the progress", async () => {
  const sample = readFileSync(join(root, "samples", "hyper-short-write", "f-tt-T.strace"), "utf8");
  // One terminal for both streams, as when a user runs analyze interactively.
  let screen = "";
  const terminal = () => {
    const t = new PassThrough();
    t.on("data", (b: Buffer) => (screen += b.toString()));
    return t;
  };
  const stdin = new PassThrough();
  const io: CliIo = { stdin, stdout: terminal(), stderr: terminal(), stdoutIsTTY: true, stderrIsTTY: true, env: {}, columns: 100 };
  const done = run(["analyze", "--no-color", "-"], io);
  // Losses keep coming for 2 s (the progress is drawn after 1 s, every 250 ms).
  for (let r = 1; r <= 40; r++) {
    stdin.write(sample.replace(/^(\d+)/gm, (pid) => String(Number(pid) + r * 10)));
    await new Promise((res) => setTimeout(res, 50));
  }
  stdin.end("9999 write(3, \"cut");
  assert.equal(await done, 1);
  assert.match(screen, /read \d+ MB, [\d.]+ MB\/s, \d+ finding\(s\)/, "the progress was drawn");
  const glued = /finding\(s\)(?!\r\x1b\[2K)/.exec(screen);
  assert.equal(glued, null, `text right after the progress: ${JSON.stringify(screen.slice(glued?.index ?? 0, (glued?.index ?? 0) + 40))}`);
  // After the progress's erasure, or after a finding's newline when no progress was drawn since
  // (the progress is drawn every 250 ms; the last findings may come after the last drawing).
  assert.match(screen, /(?:\r\x1b\[2K|\n)<stdin>:\d+:\d+: warning\[SR015\]/, "the cut-line warning starts its own line");
});

test("record draws no progress line: the traced program writes to the same terminal", { skip: spawnSync("strace", ["-f", "-o", "/dev/null", "true"]).status === 0 ? false : "strace cannot trace here" }, async () => {
  let screen = "";
  const terminal = () => {
    const t = new PassThrough();
    t.on("data", (b: Buffer) => (screen += b.toString()));
    return t;
  };
  const trace = join(mkdtempSync(join(tmpdir(), "sr-progress-")), "rec.strace");
  const io: CliIo = { stdin: new PassThrough(), stdout: terminal(), stderr: terminal(), stdoutIsTTY: true, stderrIsTTY: true, env: {}, columns: 100 };
  const code = await run(["record", "--no-color", "-o", trace, "--", "sh", "-c", "echo tick >&2; sleep 1.6; echo tock >&2"], io);
  assert.equal(code, 0);
  assert.match(screen, /tick\n[^]*tock\n/, "the program's lines, each whole");
  assert.doesNotMatch(screen, /finding\(s\)/, "no progress line");
});
