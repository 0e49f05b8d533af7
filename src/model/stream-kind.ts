// What kind of open file an fd refers to, read from the creating call or from the `-y`/`-yy`
// decoration (STRACE-FORMAT §5). Only byte streams (stream sockets, pipes) can lose a tail:
// datagrams are sent whole or not at all, and files, eventfds, epoll never "half-send".

export type StreamKind =
  /** A connected byte-stream socket (TCP, UNIX-STREAM, SEQPACKET) or one of unknown type. */
  | "socket"
  /** A pipe or FIFO end. */
  | "pipe"
  /** A datagram socket (UDP, UNIX-DGRAM, netlink, raw): no truncation findings. */
  | "datagram"
  /** Regular files, devices, anon inodes (eventfd, timerfd, epoll), pidfds... */
  | "other"
  /** Nothing yet tells: an undecorated fd first seen in a write. */
  | "unknown";

export function isByteStream(kind: StreamKind): boolean {
  return kind === "socket" || kind === "pipe";
}

const DATAGRAM_PROTOCOLS = new Set([
  "UDP",
  "UDPv6",
  "UDPLITE",
  "UDPLITEv6",
  "UNIX",
  "UNIX-DGRAM",
  "NETLINK",
  "RAW",
  "RAWv6",
  "PACKET",
  "ICMP",
  "ICMPv6",
  "PING",
  "PINGv6",
]);

/** `-xx` prints even decorations as `\xNN` escapes; decode them if the parser left them. */
function decodeHexEscapes(path: string): string {
  if (!path.includes("\\x")) return path;
  return path.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export interface DecorationInfo {
  readonly kind: StreamKind;
  /** A stable identity when the decoration carries one: the socket/pipe inode, or the
   * connected address pair (`TCP:[a->b]`), so a reused fd number can be told apart. */
  readonly identity: string | null;
}

/** Classify a decoration (`UNIX-STREAM:[1->2]`, `pipe:[9]`, `/tmp/x`, `anon_inode:[eventfd]`). */
export function classifyDecoration(rawPath: string): DecorationInfo {
  const path = decodeHexEscapes(rawPath);
  const m = /^([A-Za-z][A-Za-z0-9_-]*):\[(.*)\]$/s.exec(path);
  if (m === null) return { kind: "other", identity: null };
  const proto = m[1] as string;
  const inside = m[2] as string;
  const inode = /^(\d+)(?:->|,|$)/.exec(inside);
  const identity =
    inode !== null ? `${proto === "socket" || proto === "pipe" ? proto : "sock"}:${inode[1]}` : inside.includes("->") ? `addr:${inside}` : null;
  if (proto === "pipe") return { kind: "pipe", identity };
  if (proto === "anon_inode") return { kind: "other", identity: null };
  if (proto === "socket") return { kind: "socket", identity };
  if (DATAGRAM_PROTOCOLS.has(proto)) return { kind: "datagram", identity };
  if (/^(TCP|TCPv6|UNIX-STREAM|UNIX-SEQPACKET|SCTP|SCTPv6|MPTCP|MPTCPv6|VSOCK|TIPC|L2TP|SMC)$/.test(proto)) {
    return { kind: "socket", identity };
  }
  // Other `PROTO:[...]` forms are sockets of families strace knows by name; their type is
  // unknown, so they are not byte streams unless a stream call proves it.
  return { kind: "unknown", identity };
}

/** socket()/socketpair() type argument → kind (`SOCK_STREAM|SOCK_NONBLOCK`, `0x1|0x800`). */
export function kindFromSocketType(names: readonly string[], bits: number): StreamKind {
  if (names.includes("SOCK_STREAM") || names.includes("SOCK_SEQPACKET")) return "socket";
  if (names.includes("SOCK_DGRAM") || names.includes("SOCK_RAW") || names.includes("SOCK_RDM")) return "datagram";
  // Linux: the low 4 bits are the type (SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3, SOCK_RDM 4,
  // SOCK_SEQPACKET 5), the rest are SOCK_NONBLOCK/SOCK_CLOEXEC.
  const type = bits & 0xf;
  if (type === 1 || type === 5) return "socket";
  if (type === 2 || type === 3 || type === 4) return "datagram";
  return "unknown";
}
