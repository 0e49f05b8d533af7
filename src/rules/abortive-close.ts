// SO_LINGER {l_onoff=1, l_linger=0} then the close of a TCP stream whose last accepted bytes may
// still be in flight: the close sends an RST and the kernel discards its send queue
// (TcpExtTCPAbortOnData), so the peer can lose a response the program fully "sent"
// (BUGCLASS.md #5, HAProxy's silent close).
import type { Stream } from "../model/stream.js";
import { formatDuration } from "./finding.js";
import type { Risk, RiskEvidence, RiskRule } from "./rule.js";
import { isExplicitLastClose } from "./rule.js";
import { describeFd, fmt, who } from "./wording.js";

/**
 * "Recently" for bytes in flight: with timestamps, the close came at most this long after the
 * last accepted write with no sign from the peer in between. A second covers the round trips
 * of loopback, LAN and most WAN paths; a peer slow to read can keep bytes queued for longer,
 * so past it the rule stays silent rather than guess.
 */
export const IN_FLIGHT_WINDOW_S = 1;

/** Whether the stream's last accepted bytes may still be unacknowledged at `closeTime`. */
export function mayBeInFlight(s: Stream, closeTime: number | null, closePid: number | null, idleWaits: number): { inFlight: boolean; elapsedS: number | null } {
  const last = s.lastAccepted;
  if (last === null || s.peerSign !== null || s.broken) return { inFlight: false, elapsedS: null };
  if (last.time !== null && closeTime !== null) {
    const elapsedS = Math.max(0, closeTime - last.time);
    return { inFlight: elapsedS <= IN_FLIGHT_WINDOW_S, elapsedS };
  }
  // No timestamps: only when the thread that wrote closes, and nothing in between shows it
  // idle (a wait that timed out, a sleep): the close follows the write in one burst of work.
  // A close from another thread cannot be placed in time: silent.
  return { inFlight: closePid === last.pid && idleWaits === s.acceptedIdleWaits, elapsedS: null };
}

export const abortiveClose: RiskRule = {
  name: "abortive-close",
  code: "SR105",
  severity: "error",
  describe: "close with SO_LINGER {1, 0} while accepted bytes may still be in flight: the RST discards them",
  check(ev) {
    if (!isExplicitLastClose(ev)) return null;
    const s = ev.stream;
    if (s.kind !== "socket" || s.family === "unix" || s.lingerZero === null || s.lastAccepted === null) return null;
    const { inFlight, elapsedS } = mayBeInFlight(s, ev.at.time, ev.at.pid, ev.idleWaits);
    if (!inFlight) return null;
    const last = s.lastAccepted;
    const when = elapsedS !== null ? `${formatDuration(elapsedS * 1e6)} after` : "right after";
    const before: RiskEvidence[] = [
      { at: last, note: `${fmt(last.accepted)} bytes accepted: the peer has not answered since` },
      { at: s.lingerZero, note: "linger on with a 0 s timeout: close() will reset the connection" },
    ].sort((a, b) => (a.at.file === b.at.file ? a.at.line - b.at.line : 0));
    return {
      stream: s,
      fd: ev.fd,
      at: ev.at,
      message: `${who(ev.at)} closed ${describeFd(ev.fd, s)} with SO_LINGER {1, 0} ${when} the kernel accepted its last ${fmt(last.accepted)} bytes while they may still be in flight: the RST discards the send queue`,
      unsentBytes: 0,
      unsentExact: false,
      before,
      hint: "drop SO_LINGER {1, 0} (a normal close still delivers the queue), or wait until the peer has everything (it answers or closes, or ioctl SIOCOUTQ reads 0) before the abortive close",
    };
  },
};
