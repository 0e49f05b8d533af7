// The last reference to a TCP stream closed without shutdown(SHUT_WR) and without draining while
// input was left unread: the last read filled its buffer, or the request read declared a body
// that was not read in full. Closing with unread data makes the kernel send an RST
// (TcpExtTCPAbortOnClose) that can destroy the response the peer has not read yet (BUGCLASS.md
// #7, #8, #15; RFC 9112 §9.6). AF_UNIX streams are left out: there the peer still reads every
// byte queued and only its final read ends in ECONNRESET instead of EOF, no response is lost.
import type { Risk, RiskEvidence, RiskRule } from "./rule.js";
import { isExplicitLastClose } from "./rule.js";
import { describeFd, fmt, who } from "./wording.js";

export const closeWithUnreadInput: RiskRule = {
  name: "close-with-unread-input",
  code: "SR106",
  severity: "warning",
  describe: "a TCP stream closed with input unread and no half-close: the kernel answers with an RST",
  check(ev) {
    if (!isExplicitLastClose(ev)) return null;
    const s = ev.stream;
    const r = s.read;
    if (s.kind !== "socket" || s.family !== "inet" || r === null || s.broken) return null;
    if (s.shutWr !== null || r.eof !== null) return null;
    const bodyLeft = r.request?.bodyRemaining ?? 0;
    // A full buffer that ended exactly where the peer's HTTP message ended is explained by the
    // framing (a client reading exactly Content-Length bytes), not a sign of more input.
    const filled = r.lastReadFilled && r.request?.atMessageEnd !== true;
    if (!filled && bodyLeft === 0) return null;
    const before: RiskEvidence[] = [];
    if (bodyLeft > 0 && r.requestHeadAt !== null) {
      const alsoFull = filled && r.lastRead === r.requestHeadAt ? "; this read filled its buffer" : "";
      before.push({ at: r.requestHeadAt, note: `request head: ${fmt(bodyLeft)} body bytes never read${alsoFull}` });
    }
    if (r.lastRead !== null && r.lastRead !== r.requestHeadAt) {
      before.push({ at: r.lastRead, note: filled ? "the last read filled its buffer: more input may be queued" : "the last read" });
    }
    const declared = `the peer's request declared ${fmt(bodyLeft)} more body bytes than were read`;
    const full = "its last read filled the buffer (more input may be queued)";
    const why = bodyLeft > 0 && filled ? `${full} and ${declared}` : bodyLeft > 0 ? declared : full;
    return {
      stream: s,
      fd: ev.fd,
      at: ev.at,
      message: `${who(ev.at)} closed ${describeFd(ev.fd, s)} without shutdown(SHUT_WR) or draining while ${why}: unread input makes the kernel reset the connection, which can destroy the response`,
      unsentBytes: 0,
      unsentExact: true,
      before,
      hint: "end politely: shutdown(fd, SHUT_WR), read until EOF with a time and byte bound, then close(fd)",
    };
  },
};
