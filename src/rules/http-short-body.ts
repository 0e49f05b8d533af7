// An HTTP/1.x response whose head declared more than the stream carried when its write side
// ended: fewer than head + Content-Length bytes accepted, or a chunked body without its final
// `0\r\n\r\n`. Catches what the byte model cannot: bytes a program buffered and never tried to
// write (PRODUCT.md "Beyond the baseline"; BUGCLASS.md kernel facts).
import type { ModelEvent } from "../model/model-events.js";
import type { Stream } from "../model/stream.js";
import { describeFd, fmt, who } from "./wording.js";
import type { HttpFacts, Risk, RiskEvidence, RiskRule } from "./rule.js";
import { isPointOfNoReturn } from "./rule.js";

/** The open response of a stream whose framing says more was due, or null. */
export function httpShortfall(stream: Stream): HttpFacts | null {
  if (stream.kind !== "socket" || stream.broken || stream.response === null) return null;
  const m = stream.response.openMessage();
  if (m === null) return null;
  return {
    message: m.index,
    startLine: m.startLine,
    headBytes: m.headBytes,
    contentLength: m.contentLength,
    chunked: m.chunked,
    declaredBytes: m.declaredBytes,
    deliveredBytes: m.deliveredBytes,
  };
}

/** Bytes missing: exact for Content-Length; for chunked only the terminator is certain. */
export function httpMissing(h: HttpFacts): { bytes: number; exact: boolean } {
  if (h.declaredBytes !== null) return { bytes: Math.max(0, h.declaredBytes - h.deliveredBytes), exact: true };
  return { bytes: "0\r\n\r\n".length, exact: false };
}

/** `the HTTP response (HTTP/1.1 200 OK, #2 on the stream) had 524,331 of its 1,048,620 bytes delivered` */
export function httpClause(h: HttpFacts): string {
  const which = `the HTTP response "${h.startLine}"${h.message > 1 ? ` (response ${h.message} on this stream)` : ""}`;
  if (h.declaredBytes !== null) {
    return `${which} declared Content-Length ${fmt(h.contentLength ?? 0)} (${fmt(h.declaredBytes)} bytes with its head) and only ${fmt(h.deliveredBytes)} were delivered`;
  }
  return `${which} is chunked and its final 0\\r\\n\\r\\n was never sent (${fmt(h.deliveredBytes)} bytes delivered)`;
}

function action(ev: ModelEvent): string {
  if (ev.kind === "shutdown") return "shut down";
  if (ev.kind === "release" && ev.cause === "exit") return "exited holding";
  return "closed";
}

/** The head of the response, then the last write when it is another call. */
function evidence(s: Stream, h: HttpFacts): RiskEvidence[] {
  const out: RiskEvidence[] = [];
  const head = s.responseHeadAt;
  if (head !== null) out.push({ at: head, note: `head of the response: ${h.chunked ? "chunked" : `Content-Length ${fmt(h.contentLength ?? 0)}`}` });
  const last = s.lastAccepted;
  if (last !== null && (head === null || last.line !== head.line || last.file !== head.file)) {
    out.push({ at: last, note: `the last bytes accepted: ${fmt(h.deliveredBytes)} of the response delivered` });
  }
  return out;
}

export const httpShortBody: RiskRule = {
  name: "http-short-body",
  code: "SR104",
  severity: "error",
  describe: "an HTTP/1.x response ended before the body its head declared (Content-Length, or chunked without 0\\r\\n\\r\\n)",
  check(ev) {
    if (ev.kind === "attempt" || !isPointOfNoReturn(ev)) return null;
    const h = httpShortfall(ev.stream);
    if (h === null) return null;
    const missing = httpMissing(h);
    const s = ev.stream;
    return {
      stream: s,
      fd: ev.fd,
      at: ev.at,
      message: `${who(ev.at)} ${action(ev)} ${describeFd(ev.fd, s)} while ${httpClause(h)}`,
      unsentBytes: missing.bytes,
      unsentExact: missing.exact,
      before: evidence(s, h),
      http: h,
      hint: "write the whole body before ending the stream (flush the buffer, then shutdown/close), or send a correct length",
    };
  },
};
