// The last reference to a stream closed (close, dup2 over it, close_range, close-on-exec)
// while bytes were unsent. Closing one of several references loses nothing (BUGCLASS #3, #9).
import type { Rule } from "./rule.js";
import { hasUnsentTail } from "./rule.js";

export const closeWithUnsent: Rule = {
  name: "close-with-unsent",
  code: "SR102",
  severity: "error",
  describe: "the last reference to the stream was closed while bytes were still unsent",
  check(ev) {
    if (ev.kind !== "release" || !ev.last || ev.cause === "exit") return null;
    return hasUnsentTail(ev.stream) ? { stream: ev.stream, fd: ev.fd, at: ev.at, action: "closed" } : null;
  },
};
