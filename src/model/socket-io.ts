// What a call says about the bytes themselves and the socket around them: the visible bytes of
// a write or read as pieces for the HTTP framer, the read family's sizes, SO_LINGER, the send
// queue ioctl and the address family. Readers over `Value`s only (see values.ts).
import type { SyscallEvent, Value } from "../syntax/events.js";
import type { Piece } from "./http-framing.js";
import type { SocketFamily } from "./stream.js";
import { arg, arrayOf, field, fieldByPrefix, findFlagName, flagNames, hasFlag, intOf, unnamed } from "./values.js";
import { iovecBytes } from "./write-family.js";

/** MSG_PEEK (include/linux/socket.h): the bytes stay queued. */
const MSG_PEEK = 0x2;
/** SOL_SOCKET / SO_LINGER as `-X raw` prints them (x86_64 and generic). */
const SOL_SOCKET = 1;
const SO_LINGER = 13;
/** SIOCOUTQ == TIOCOUTQ (0x5411): bytes in the send queue not yet acknowledged. */
const TIOCOUTQ = 0x5411;

function strOf(v: Value | undefined): { value: string; truncated: boolean } | null {
  const u = unnamed(v);
  return u !== undefined && u.kind === "str" ? { value: u.value, truncated: u.truncated } : null;
}

/** A buffer argument of `length` bytes: what strace showed of it. */
function bufferPiece(v: Value | undefined, length: number): Piece {
  const s = strOf(v);
  return { known: s === null ? "" : s.value.slice(0, length), length };
}

/** iovec items as pieces, each as long as its iov_len. */
function iovecPieces(v: Value | undefined): Piece[] {
  const arr = arrayOf(v);
  if (arr === null) return [];
  const out: Piece[] = [];
  for (const item of arr.items) {
    const len = intOf(field(item, "iov_len"));
    if (len === null) return out;
    out.push(bufferPiece(field(item, "iov_base"), len));
  }
  return out;
}

/** The first `bytes` bytes of a list of pieces. */
export function takeBytes(pieces: readonly Piece[], bytes: number): Piece[] {
  const out: Piece[] = [];
  let left = bytes;
  for (const p of pieces) {
    if (left <= 0) break;
    const n = Math.min(p.length, left);
    out.push(n === p.length ? p : { known: p.known.slice(0, n), length: n });
    left -= n;
  }
  if (left > 0) out.push({ known: "", length: left });
  return out;
}

/** The bytes a write-family call offered, as strace showed them (empty `known` for copies). */
export function writePieces(ev: SyscallEvent, requested: number): Piece[] {
  switch (ev.name) {
    case "write":
    case "pwrite64":
    case "pwrite":
    case "send":
    case "sendto":
      return [bufferPiece(arg(ev.args, 1), requested)];
    case "writev":
    case "pwritev":
    case "pwritev2":
      return iovecPieces(arg(ev.args, 1));
    case "sendmsg": {
      const msg = arg(ev.args, 1);
      return iovecPieces(field(msg, "msg_iov") ?? fieldByPrefix(msg, "msg_iov"));
    }
    default:
      return [{ known: "", length: requested }];
  }
}

export interface ReadCall {
  readonly fd: number;
  readonly path: string | null;
  /** The buffer size offered; null when the call does not say. */
  readonly requested: number | null;
  /** Bytes read (0 = EOF), or null on error. */
  readonly got: number | null;
  readonly pieces: readonly Piece[];
  readonly peek: boolean;
}

/** read/recv/recvfrom/readv/recvmsg: the size offered, the bytes got, what strace showed.
 *  `d`: the fd of its first argument, as the caller read it (fdOf) to decide whether to look. */
export function readCall(ev: SyscallEvent, d: { readonly fd: number; readonly path: string | null }): ReadCall | null {
  const got = ev.errno === null && ev.ret !== null && ev.ret >= 0 ? ev.ret : null;
  let requested: number | null = null;
  let pieces: Piece[] = [];
  let peek = false;
  switch (ev.name) {
    case "read":
    case "recv":
    case "recvfrom":
      requested = intOf(arg(ev.args, 2));
      pieces = [bufferPiece(arg(ev.args, 1), got ?? 0)];
      if (ev.name !== "read") peek = hasFlag(arg(ev.args, 3), "MSG_PEEK", MSG_PEEK);
      break;
    case "readv": {
      const r = iovecBytes(arg(ev.args, 1));
      requested = r.exact ? r.bytes : null;
      pieces = iovecPieces(arg(ev.args, 1));
      break;
    }
    case "recvmsg": {
      const msg = arg(ev.args, 1);
      const iov = field(msg, "msg_iov") ?? fieldByPrefix(msg, "msg_iov");
      const r = iovecBytes(iov);
      requested = r.exact ? r.bytes : null;
      pieces = iovecPieces(iov);
      peek = hasFlag(arg(ev.args, 2), "MSG_PEEK", MSG_PEEK);
      break;
    }
    default:
      return null;
  }
  return { fd: d.fd, path: d.path, requested, got, pieces: got === null ? [] : takeBytes(pieces, got), peek };
}

/** setsockopt(fd, SOL_SOCKET, SO_LINGER, {l_onoff, l_linger}, 8): "abort" for {1, 0},
 * "graceful" for any other linger setting, null when the call is not about SO_LINGER. */
export function lingerSetting(ev: SyscallEvent): "abort" | "graceful" | null {
  if (ev.errno !== null) return null;
  const level = arg(ev.args, 1);
  const opt = arg(ev.args, 2);
  const isSol = flagNames(level).includes("SOL_SOCKET") || intOf(level) === SOL_SOCKET;
  const isLinger = flagNames(opt).includes("SO_LINGER") || intOf(opt) === SO_LINGER;
  if (!isSol || !isLinger) return null;
  const v = arg(ev.args, 3);
  const onoff = intOf(field(v, "l_onoff"));
  const linger = intOf(field(v, "l_linger"));
  if (onoff === null || linger === null) return null;
  return onoff !== 0 && linger === 0 ? "abort" : "graceful";
}

const isOutqName = (n: string): boolean => n === "SIOCOUTQ" || n === "TIOCOUTQ";

/** ioctl(fd, SIOCOUTQ/TIOCOUTQ, [n]): the bytes still in the send queue, or null. */
export function sendQueueBytes(ev: SyscallEvent): number | null {
  if (ev.errno !== null) return null;
  const req = arg(ev.args, 1);
  const named = findFlagName(req, isOutqName) !== undefined;
  if (!named && intOf(req) !== TIOCOUTQ) return null;
  return intOf(arg(ev.args, 2));
}

/** AF_INET/AF_INET6 → inet, AF_UNIX/AF_LOCAL → unix, from a name or a number. */
export function familyOf(v: Value | undefined): SocketFamily | null {
  const names = flagNames(v);
  if (names.some((n) => n === "AF_INET" || n === "AF_INET6" || n === "PF_INET" || n === "PF_INET6")) return "inet";
  if (names.some((n) => n === "AF_UNIX" || n === "AF_LOCAL" || n === "PF_UNIX" || n === "PF_LOCAL")) return "unix";
  if (names.length > 0) return null;
  const n = intOf(v);
  return n === 2 || n === 10 ? "inet" : n === 1 ? "unix" : null;
}

/** The family a `-y`/`-yy` decoration names (`TCP:[...]`, `UNIX-STREAM:[...]`), or null. */
export function familyFromDecoration(raw: string | null): SocketFamily | null {
  if (raw === null) return null;
  // `-xx` prints decorations as `\xNN` escapes too.
  const path = raw.includes("\\x") ? raw.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : raw;
  if (/^(TCP|TCPv6|MPTCP|MPTCPv6):\[/.test(path)) return "inet";
  if (/^UNIX(-STREAM|-SEQPACKET)?:\[/.test(path)) return "unix";
  return null;
}
