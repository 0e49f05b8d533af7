// The write family (PRODUCT.md): which argument is the destination fd and how many bytes each
// call asked to send. iovec sums are lower bounds when strace elided the array tail (`...]`).
import type { SyscallEvent, Value } from "../syntax/events.js";
import { arg, arrayOf, field, fieldByPrefix, fdOf, intOf, unnamed } from "./values.js";

export interface WriteRequest {
  readonly fd: number;
  readonly path: string | null;
  readonly requested: number;
  readonly exact: boolean;
  /** What the call says about the destination: `sendto` with an address is a datagram. */
  readonly hint: "socket" | "datagram" | null;
  /** splice/tee/sendfile/copy_file_range move bytes from this fd: a short result can mean the
   * input ran dry rather than the output being full, so the count is an upper bound. */
  readonly inputFd?: number;
  readonly inputPath?: string | null;
}

type Extractor = (args: readonly Value[]) => WriteRequest | null;

/** Σ iov_len of an iovec array; `exact` false when elided or a length is missing. */
export function iovecBytes(v: Value | undefined): { bytes: number; exact: boolean } {
  const arr = arrayOf(v);
  if (arr === null) return { bytes: 0, exact: false };
  let bytes = 0;
  let exact = !arr.elided;
  for (const item of arr.items) {
    const len = intOf(field(item, "iov_len")) ?? positionalLen(item);
    if (len === null) exact = false;
    else bytes += len;
  }
  return { bytes, exact };
}

/** strace 4.x printed iovecs as `{"data", 147}`: the length is the second positional field. */
function positionalLen(item: Value): number | null {
  const u = unnamed(item);
  if (u === undefined || u.kind !== "struct") return null;
  const f = u.fields[1];
  return f !== undefined && f.name === null ? intOf(f.value) : null;
}

function simple(fdIndex: number, countIndex: number, hint: WriteRequest["hint"] = null): Extractor {
  return (args) => {
    const d = fdOf(arg(args, fdIndex));
    const n = intOf(arg(args, countIndex));
    if (d === null) return null;
    return { fd: d.fd, path: d.path, requested: n ?? 0, exact: n !== null, hint };
  };
}

/** Calls that copy from another fd: `from` is the input fd's argument position. */
function copying(fromIndex: number, fdIndex: number, countIndex: number): Extractor {
  const base = simple(fdIndex, countIndex);
  return (args) => {
    const r = base(args);
    const from = fdOf(arg(args, fromIndex));
    return r === null ? null : { ...r, ...(from !== null ? { inputFd: from.fd, inputPath: from.path } : {}) };
  };
}

function vector(fdIndex: number, iovIndex: number): Extractor {
  return (args) => {
    const d = fdOf(arg(args, fdIndex));
    if (d === null) return null;
    const { bytes, exact } = iovecBytes(arg(args, iovIndex));
    return { fd: d.fd, path: d.path, requested: bytes, exact, hint: null };
  };
}

function isNullish(v: Value | undefined): boolean {
  const u = unnamed(v);
  return u === undefined || (u.kind === "ident" && u.name === "NULL") || (u.kind === "int" && u.value === 0);
}

function msgIov(msg: Value | undefined): Value | undefined {
  return field(msg, "msg_iov") ?? fieldByPrefix(msg, "msg_iov");
}

const EXTRACTORS: Readonly<Record<string, Extractor>> = {
  write: simple(0, 2),
  pwrite64: simple(0, 2),
  pwrite: simple(0, 2),
  send: simple(0, 2, "socket"),
  sendto: (args) => {
    const r = simple(0, 2, "socket")(args);
    if (r === null) return null;
    return isNullish(arg(args, 4)) ? r : { ...r, hint: "datagram" };
  },
  writev: vector(0, 1),
  pwritev: vector(0, 1),
  pwritev2: vector(0, 1),
  vmsplice: vector(0, 1),
  sendmsg: (args) => {
    const d = fdOf(arg(args, 0));
    if (d === null) return null;
    const msg = arg(args, 1);
    const { bytes, exact } = iovecBytes(msgIov(msg));
    const name = field(msg, "msg_name") ?? fieldByPrefix(msg, "msg_name");
    return { fd: d.fd, path: d.path, requested: bytes, exact, hint: isNullish(name) ? "socket" : "datagram" };
  },
  sendmmsg: (args) => {
    const d = fdOf(arg(args, 0));
    if (d === null) return null;
    const arr = arrayOf(arg(args, 1));
    let bytes = 0;
    let exact = arr !== null && !arr.elided;
    for (const m of arr?.items ?? []) {
      const r = iovecBytes(msgIov(field(m, "msg_hdr")));
      bytes += r.bytes;
      exact &&= r.exact;
    }
    return { fd: d.fd, path: d.path, requested: bytes, exact, hint: "socket" };
  },
  sendfile: copying(1, 0, 3),
  sendfile64: copying(1, 0, 3),
  splice: copying(0, 2, 4),
  tee: copying(0, 1, 2),
  copy_file_range: copying(0, 2, 4),
};

/** Every write-family syscall name. */
export const WRITE_FAMILY: readonly string[] = Object.keys(EXTRACTORS);

export function isWriteFamily(name: string): boolean {
  return Object.hasOwn(EXTRACTORS, name);
}

export function writeRequest(ev: SyscallEvent): WriteRequest | null {
  const ex = EXTRACTORS[ev.name];
  return ex === undefined ? null : ex(ev.args);
}

/** sendmmsg returns a message count: the bytes accepted are the sent messages' msg_len. */
export function sendmmsgAccepted(ev: SyscallEvent): number | null {
  const arr = arrayOf(arg(ev.args, 1));
  if (arr === null || ev.ret === null) return null;
  let bytes = 0;
  const sent = arr.items.slice(0, ev.ret);
  for (const m of sent) {
    const len = intOf(field(m, "msg_len"));
    if (len === null) return null;
    bytes += len;
  }
  return bytes;
}

export type WriteOutcome =
  /** The kernel accepted `accepted` bytes (0 for EAGAIN/EWOULDBLOCK). */
  | { readonly kind: "done"; readonly accepted: number }
  /** Interrupted (EINTR, ERESTART*): the call is reissued, nothing is claimed. */
  | { readonly kind: "restart" }
  /** The peer is gone (EPIPE, ECONNRESET...): nothing more can be delivered. */
  | { readonly kind: "broken" }
  /** Another error or an unknown result: not an attempt the model can count. */
  | { readonly kind: "ignored" };

// Numeric errnos as `-X raw` or an unknown errno may print them (x86_64/generic values).
const EAGAIN_NAMES = new Set(["EAGAIN", "EWOULDBLOCK", "11", "0xb"]);
const RESTART_NAMES = new Set(["EINTR", "4", "0x4"]);
// The connection is gone: whatever was unsent could not have been delivered anyway.
const PEER_GONE = new Set(["EPIPE", "ECONNRESET", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "32", "104"]);
const BROKEN_NAMES = new Set([...PEER_GONE, "ENOTCONN", "ESHUTDOWN"]);

/** A read-side errno that says the peer is gone (a reset seen by recv, read, recvmsg...). */
export function isPeerGone(errno: string | null): boolean {
  return errno !== null && PEER_GONE.has(errno);
}

export function writeOutcome(ev: SyscallEvent): WriteOutcome {
  const e = ev.errno;
  if (e !== null) {
    if (EAGAIN_NAMES.has(e)) return { kind: "done", accepted: 0 };
    if (RESTART_NAMES.has(e) || e.startsWith("ERESTART") || /^51[2-7]$/.test(e)) return { kind: "restart" };
    if (BROKEN_NAMES.has(e)) return { kind: "broken" };
    return { kind: "ignored" };
  }
  if (ev.ret === null || ev.ret < 0) return { kind: "ignored" };
  if (ev.name === "sendmmsg") {
    const bytes = sendmmsgAccepted(ev);
    return bytes === null ? { kind: "ignored" } : { kind: "done", accepted: bytes };
  }
  return { kind: "done", accepted: ev.ret };
}
