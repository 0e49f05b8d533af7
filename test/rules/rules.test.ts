// Each rule alone, on model events built by hand: which events are points of no return for a
// stream with unsent bytes, and which are not.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ModelEvent, ReleaseCause } from "../../src/model/model-events.js";
import { Stream } from "../../src/model/stream.js";
import type { PointRef } from "../../src/model/stream.js";
import type { StreamKind } from "../../src/model/stream-kind.js";
import { closeWithUnsent } from "../../src/rules/close-with-unsent.js";
import { exitWithUnsent } from "../../src/rules/exit-with-unsent.js";
import { LOSS_RULES, RISK_RULES, RULES } from "../../src/rules/registry.js";
import { shutdownWithUnsent } from "../../src/rules/shutdown-with-unsent.js";

const at: PointRef = { file: "t", line: 9, pid: 1, group: 1, time: null, summary: "x" };

function stream(kind: StreamKind, accepted: number, highWater: number): Stream {
  const s = new Stream(kind, null, null);
  s.accepted = accepted;
  s.highWater = highWater;
  return s;
}

const shut = (s: Stream, how: "rd" | "wr" | "rdwr" | "unknown"): ModelEvent => ({ kind: "shutdown", stream: s, fd: 3, how, at });
const release = (s: Stream, cause: ReleaseCause, last: boolean): ModelEvent => ({ kind: "release", stream: s, fd: 3, cause, last, at, idleWaits: 0 });

describe("rules", () => {
  test("stable names, codes and severities", () => {
    assert.deepEqual(
      RULES.map((r) => [r.name, r.code, r.severity]),
      [
        ["shutdown-with-unsent", "SR101", "error"],
        ["close-with-unsent", "SR102", "error"],
        ["exit-with-unsent", "SR103", "warning"],
        ["http-short-body", "SR104", "error"],
        ["abortive-close", "SR105", "error"],
        ["close-with-unread-input", "SR106", "warning"],
      ],
    );
  });

  test("shutdown-with-unsent: SHUT_WR and SHUT_RDWR with a tail, nothing else", () => {
    const lossy = stream("socket", 100, 1000);
    assert.equal(shutdownWithUnsent.check(shut(lossy, "wr"))?.action, "shut down");
    assert.notEqual(shutdownWithUnsent.check(shut(lossy, "rdwr")), null);
    assert.equal(shutdownWithUnsent.check(shut(lossy, "rd")), null);
    assert.equal(shutdownWithUnsent.check(shut(lossy, "unknown")), null);
    assert.equal(shutdownWithUnsent.check(shut(stream("socket", 1000, 1000), "wr")), null);
    assert.equal(shutdownWithUnsent.check(release(lossy, "close", true)), null);
  });

  test("close-with-unsent: only the last reference, never an exit", () => {
    const lossy = stream("pipe", 0, 10);
    assert.equal(closeWithUnsent.check(release(lossy, "close", true))?.action, "closed");
    for (const cause of ["dup2", "close-range", "exec"] as const) assert.notEqual(closeWithUnsent.check(release(lossy, cause, true)), null);
    assert.equal(closeWithUnsent.check(release(lossy, "close", false)), null);
    assert.equal(closeWithUnsent.check(release(lossy, "exit", true)), null);
  });

  test("exit-with-unsent: the last holder's exit", () => {
    const lossy = stream("socket", 5, 10);
    assert.equal(exitWithUnsent.check(release(lossy, "exit", true))?.action, "exited holding");
    assert.equal(exitWithUnsent.check(release(lossy, "exit", false)), null);
    assert.equal(exitWithUnsent.check(release(lossy, "close", true)), null);
  });

  test("datagrams, other fds, unknown fds and broken streams never lose a tail", () => {
    for (const kind of ["datagram", "other", "unknown"] as const) {
      const s = stream(kind, 0, 100);
      for (const rule of [...LOSS_RULES, ...RISK_RULES]) {
        assert.equal(rule.check(shut(s, "wr")), null);
        assert.equal(rule.check(release(s, "close", true)), null);
        assert.equal(rule.check(release(s, "exit", true)), null);
      }
    }
    const broken = stream("socket", 0, 100);
    broken.broken = true;
    assert.equal(shutdownWithUnsent.check(shut(broken, "wr")), null);
  });
});
