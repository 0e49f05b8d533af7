// The symbolic names of a flags-like value: identifiers and -X verbose comments, in order.
// findFlagName (which the model asks of most calls) must find exactly the first of flagNames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { slotValue, straceLineParser } from "../../grammars/strace-line-parser.js";
import type { Value } from "../../src/syntax/events.js";
import { findFlagName, flagNames } from "../../src/model/values.js";

/** The arguments of a call line, as the grammar reads them. */
function args(line: string): Value[] {
  const body = straceLineParser.parseLine(line).value?.body;
  assert.ok(body !== undefined && body.kind === "call", line);
  return body.args.filter((s) => s.length > 0).map(slotValue);
}

const LINES: [string, string[][]][] = [
  ['openat(AT_FDCWD, "/x", O_RDONLY|O_CLOEXEC) = 3', [["AT_FDCWD"], [], ["O_RDONLY", "O_CLOEXEC"]]],
  ["socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_TCP) = 3", [["AF_INET"], ["SOCK_STREAM", "SOCK_CLOEXEC", "SOCK_NONBLOCK"], ["IPPROTO_TCP"]]],
  ["socket(0x2 /* AF_INET */, 0x80801 /* SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK */, 0) = 3", [["AF_INET"], ["SOCK_STREAM", "SOCK_CLOEXEC", "SOCK_NONBLOCK"], []]],
  ["shutdown(3, 0x1 /* SHUT_WR */) = 0", [[], ["SHUT_WR"]]],
  ["ioctl(5, TIOCOUTQ, [491563]) = 0", [[], ["TIOCOUTQ"], []]],
  ["fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0", [[], ["F_SETFL"], ["O_RDWR", "O_NONBLOCK"]]],
  ['newfstatat(3, "", {st_mode=S_IFSOCK|0777, st_size=0, ...}, AT_EMPTY_PATH) = 0', [[], [], [], ["AT_EMPTY_PATH"]]],
  ["accept4(3, NULL, NULL, flags=SOCK_CLOEXEC) = 4", [[], ["NULL"], ["NULL"], ["SOCK_CLOEXEC"]]],
  // Comments after a name and after flags come after what they follow.
  ["f(SOCK_STREAM /* SOCK_DGRAM */, A_CLOEXEC|B /* C_CLOEXEC|D */) = 0", [["SOCK_STREAM", "SOCK_DGRAM"], ["A_CLOEXEC", "B", "C_CLOEXEC", "D"]]],
];

test("flagNames lists the names in order, and findFlagName finds the first a test accepts", () => {
  const tests: ((n: string) => boolean)[] = [() => true, (n) => n.endsWith("_CLOEXEC"), (n) => n.startsWith("S_IF"), (n) => n === "TIOCOUTQ", (n) => n.startsWith("SOCK_"), () => false];
  for (const [line, expected] of LINES) {
    const values = args(line);
    assert.deepEqual(values.map(flagNames), expected, line);
    for (const v of values) for (const t of tests) assert.equal(findFlagName(v, t), flagNames(v).find(t), line);
  }
});
