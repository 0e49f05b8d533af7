// No path with a terminal on stdin is a usage error (nobody types a trace); `-` still reads it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { run } from "../../src/cli/main.js";
import { captureIo } from "../helpers/captured-io.js";

function io(stdinIsTTY: boolean, input: string) {
  const c = captureIo({ stdinIsTTY });
  c.stdin.end(input);
  return c;
}

const TRACE = "9724  shutdown(3, SHUT_WR) = 0\n";

for (const command of ["analyze", "parse", "stats"]) {
  test(`${command} with no path and a terminal on stdin says what to give, exit 2`, async () => {
    const t = io(true, TRACE);
    assert.equal(await run([command], t.io), 2);
    assert.equal(t.out(), "");
    assert.match(t.err(), new RegExp(`^strace-race: error: no trace given, and stdin is a terminal\\n  hint: .*strace-race ${command} trace\\.log.*\\| strace-race ${command}\\n$`));
  });

  test(`${command} reads a terminal given as -, and a piped stdin with no path`, async () => {
    for (const [tty, args] of [[true, [command, "-"]], [false, [command]]] as const) {
      const t = io(tty, TRACE);
      const code = await run(args, t.io);
      assert.ok(code === 0 || code === 1, `${args.join(" ")} (tty ${tty}): exit ${code}: ${t.err()}`);
      assert.doesNotMatch(t.err(), /no trace given/);
      assert.notEqual(t.out(), "", "it read the input");
    }
  });
}
