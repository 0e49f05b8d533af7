// The last process holding a stream exited or was killed while bytes were unsent, e.g.
// process.exit() right after a short write to a stdout pipe (BUGCLASS #10). A warning: the
// program may have meant to drop them.
import type { Rule } from "./rule.js";
import { hasUnsentTail } from "./rule.js";

export const exitWithUnsent: Rule = {
  name: "exit-with-unsent",
  code: "SR103",
  severity: "warning",
  describe: "the last process holding the stream exited while bytes were still unsent",
  check(ev) {
    if (ev.kind !== "release" || !ev.last || ev.cause !== "exit") return null;
    return hasUnsentTail(ev.stream) ? { stream: ev.stream, fd: ev.fd, at: ev.at, action: "exited holding" } : null;
  },
};
