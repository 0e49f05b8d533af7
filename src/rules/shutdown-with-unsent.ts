// shutdown(SHUT_WR | SHUT_RDWR) while bytes the program meant to send were never accepted:
// the hyper bug (BUGCLASS.md #1). The kernel keeps its own queue; the user-space tail is lost.
import type { Rule } from "./rule.js";
import { hasUnsentTail } from "./rule.js";

export const shutdownWithUnsent: Rule = {
  name: "shutdown-with-unsent",
  code: "SR101",
  severity: "error",
  describe: "the write side was shut down while bytes were still unsent",
  check(ev) {
    if (ev.kind !== "shutdown" || (ev.how !== "wr" && ev.how !== "rdwr")) return null;
    return hasUnsentTail(ev.stream) ? { stream: ev.stream, fd: ev.fd, at: ev.at, action: "shut down" } : null;
  },
};
