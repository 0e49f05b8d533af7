// HTTP/1.x message framing over the bytes a stream really carried (RFC 9112 §6): where each
// message's head ends and how long its body is (Content-Length, or chunked up to `0\r\n\r\n`).
// It sees only what strace printed (the first `-s` bytes of each buffer): body bytes are skipped
// by count, while a head, a chunk-size line or the terminator must be visible, else framing is
// lost and nothing is claimed. Bounded state: one head buffer of at most MAX_HEAD_BYTES.

/** A run of bytes the kernel took, of which strace showed the first `known.length`. */
export interface Piece {
  readonly known: string;
  readonly length: number;
}

/** Longest head kept; a longer one is not an HTTP head we check. */
export const MAX_HEAD_BYTES = 8192;
const MAX_CHUNK_LINE = 256;

type Phase =
  | "head"
  | "body"
  | "chunk-size"
  | "chunk-data"
  | "chunk-crlf"
  | "trailer"
  /** Not HTTP/1.x (or a body delimited by close, an upgrade): nothing to check any more. */
  | "off"
  /** The bytes needed to follow the framing were not visible (strace's -s). */
  | "lost";

/** The message being delivered when the stream ended. */
export interface OpenMessage {
  /** 1-based index of the message on the stream (pipelined messages count up). */
  readonly index: number;
  /** The start line: `HTTP/1.1 200 OK`, `POST /upload HTTP/1.1`. */
  readonly startLine: string;
  readonly headBytes: number;
  /** The declared body length; null for a chunked body. */
  readonly contentLength: number | null;
  readonly chunked: boolean;
  /** head + Content-Length, or null for chunked (its end is the terminator). */
  readonly declaredBytes: number | null;
  /** Bytes of this message carried so far (head included). */
  readonly deliveredBytes: number;
  /** Chunked only: the terminator has begun (`0\r\n` seen) but not ended. */
  readonly inTerminator: boolean;
}

export interface HeadInfo {
  readonly startLine: string;
  readonly method: string | null;
  readonly status: number | null;
}

export class HttpFramer {
  private phase: Phase = "head";
  private head = "";
  private line = "";
  private remaining = 0;
  private offset = 0;
  private start = 0;
  private messages = 0;
  private current: { startLine: string; headBytes: number; contentLength: number | null; chunked: boolean } | null = null;
  /** A head that began like HTTP/1.x was cut by strace's -s before its end. */
  headCut = false;
  /** The most recent complete head (for the request side: the method of the last request). */
  lastHead: HeadInfo | null = null;

  /** `response`: the stream's bytes should start with `HTTP/1.`; `request`: with `METHOD SP`;
   * `either`: the bytes a program reads (a server reads requests, a client responses). */
  constructor(
    private readonly side: "response" | "request" | "either",
    private readonly onHead?: (h: HeadInfo) => void,
  ) {}

  get active(): boolean {
    return this.phase !== "off" && this.phase !== "lost";
  }

  get completed(): number {
    return this.messages;
  }

  /** Whether the next `n` bytes are read for their content, not only counted: false inside a
   *  body or chunk that holds all of them (ending it at most), and once checking stopped. */
  needsBytes(n: number): boolean {
    if (!this.active) return false;
    return !((this.phase === "body" || this.phase === "chunk-data") && this.remaining >= n);
  }

  /** Add `c` to the chunk-size or trailer line being read: the whole line once `c` ends it,
   *  else null (also when the line grew past MAX_CHUNK_LINE: the framing is off then). */
  private lineChar(c: string): string | null {
    this.line += c;
    if (this.line.length > MAX_CHUNK_LINE) {
      this.phase = "off";
      return null;
    }
    if (c !== "\n") return null;
    const line = this.line;
    this.line = "";
    return line;
  }

  /** Stop checking (a HEAD request makes a Content-Length without a body legal). */
  stop(): void {
    this.phase = "off";
  }

  /** Feed the next bytes of the stream, in order. */
  consume(pieces: readonly Piece[]): void {
    for (const p of pieces) {
      if (!this.active) return;
      let i = 0;
      while (i < p.length && this.active) {
        const known = i < p.known.length;
        switch (this.phase) {
          case "body":
          case "chunk-data": {
            const n = Math.min(this.remaining, p.length - i);
            i += n;
            this.offset += n;
            this.remaining -= n;
            if (this.remaining === 0) {
              if (this.phase === "body") this.finish();
              else {
                this.phase = "chunk-crlf";
                this.remaining = 2;
              }
            }
            break;
          }
          case "chunk-crlf": {
            // The CRLF after chunk data is fixed: skipped by count, checked when visible.
            if (known && p.known[i] !== (this.remaining === 2 ? "\r" : "\n")) {
              this.phase = "off";
              break;
            }
            i++;
            this.offset++;
            if (--this.remaining === 0) {
              this.phase = "chunk-size";
              this.line = "";
            }
            break;
          }
          default: {
            if (!known) {
              this.onInvisible();
              break;
            }
            if (this.phase === "head") {
              // A head is taken in runs up to its blank line (a run at a time, not a character).
              const n = this.headRun(p.known, i, Math.min(p.known.length, p.length));
              i += n;
              this.offset += n;
              break;
            }
            this.step(p.known[i] as string);
            i++;
            this.offset++;
          }
        }
      }
    }
  }

  /** The message still open at this point, when its framing says more was due. */
  openMessage(): OpenMessage | null {
    if (this.current === null || !this.active) return null;
    if (this.phase === "head") return null;
    const c = this.current;
    return {
      index: this.messages + 1,
      startLine: c.startLine,
      headBytes: c.headBytes,
      contentLength: c.contentLength,
      chunked: c.chunked,
      declaredBytes: c.chunked || c.contentLength === null ? null : c.headBytes + c.contentLength,
      deliveredBytes: this.offset - this.start,
      inTerminator: this.phase === "trailer",
    };
  }

  /** The bytes so far end exactly at the end of a complete message: nothing more is due. */
  get atMessageEnd(): boolean {
    return this.active && this.phase === "head" && this.head.length === 0 && this.messages > 0;
  }

  /** Bytes of the current message's body still due (Content-Length framing), else 0. */
  get bodyRemaining(): number {
    return this.phase === "body" ? this.remaining : 0;
  }

  private onInvisible(): void {
    const looksHttp = this.phase === "head" && this.head.length > 0 && this.prefixOk(this.head);
    if (looksHttp) this.headCut = true;
    // The very first bytes of the stream unseen (sendfile, a hidden buffer): never checkable.
    this.phase = this.phase === "head" && this.head.length === 0 && this.messages === 0 ? "off" : "lost";
  }

  private prefixOk(h: string): boolean {
    const want = "HTTP/1.";
    const response = h.length <= want.length ? want.startsWith(h) : h.startsWith(want);
    const request = /^[A-Z]{1,16}$/.test(h) || /^[A-Z]{1,16} /.test(h);
    return this.side === "response" ? response : this.side === "request" ? request : response || request;
  }

  /**
   * Add known[from, end) to the head, up to and including the blank line that ends it: what
   * taking it a character at a time does (the start of the head checked while it is at most 17
   * long, off past MAX_HEAD_BYTES, the head read at its `\r\n\r\n`), with one search. Every
   * prefix of a head prefixOk takes is taken too, so checking the run's end checks each
   * character's. Returns how many characters it took (all of them once the framing is off).
   */
  private headRun(known: string, from: number, end: number): number {
    const before = this.head.length;
    if (before === 0) this.start = this.offset;
    // The blank line may begin in the head so far: look from up to 3 characters back.
    const back = Math.min(3, before);
    const edge = (this.head.slice(before - back) + known.slice(from, Math.min(end, from + 3))).indexOf("\r\n\r\n");
    let blank = edge >= 0 && edge + 4 > back ? edge + 4 - back : -1;
    if (blank < 0) {
      const at = known.indexOf("\r\n\r\n", from);
      if (at >= 0 && at + 4 <= end) blank = at + 4 - from;
    }
    const take = blank >= 0 ? blank : end - from;
    if (before + take > MAX_HEAD_BYTES) {
      this.phase = "off";
      return end - from;
    }
    this.head += known.slice(from, from + take);
    if (before < 17 && !this.prefixOk(this.head.length <= 17 ? this.head : this.head.slice(0, 17))) {
      this.phase = "off";
      return end - from;
    }
    if (blank >= 0) this.onHeadEnd();
    return take;
  }

  private step(c: string): void {
    switch (this.phase) {
      case "chunk-size": {
        const line = this.lineChar(c);
        if (line === null) return;
        const m = /^([0-9a-fA-F]+)[ \t]*(?:;[^\r\n]*)?\r?\n$/.exec(line);
        if (m === null) {
          this.phase = "off";
          return;
        }
        const size = parseInt(m[1] as string, 16);
        if (size === 0) this.phase = "trailer";
        else {
          this.phase = "chunk-data";
          this.remaining = size;
        }
        return;
      }
      case "trailer": {
        const line = this.lineChar(c);
        if (line === null) return;
        if (line === "\r\n" || line === "\n") this.finish();
        return;
      }
      default:
        return;
    }
  }

  private onHeadEnd(): void {
    const head = this.head;
    this.head = "";
    const lines = head.split("\r\n");
    const startLine = lines[0] ?? "";
    let contentLength: number | null = null;
    let chunked = false;
    for (const l of lines.slice(1)) {
      const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(l);
      if (m === null) continue;
      const name = (m[1] as string).toLowerCase();
      const value = m[2] as string;
      if (name === "content-length") {
        if (!/^\d+$/.test(value)) {
          this.phase = "off";
          return;
        }
        const n = Number(value);
        // Conflicting lengths: the peer cannot frame it either; not ours to judge.
        if (contentLength !== null && contentLength !== n) {
          this.phase = "off";
          return;
        }
        contentLength = n;
      } else if (name === "transfer-encoding") {
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
        if (!chunked) {
          this.phase = "off";
          return;
        }
      }
    }
    let method: string | null = null;
    let status: number | null = null;
    const isResponse = this.side === "response" || (this.side === "either" && startLine.startsWith("HTTP/"));
    if (isResponse) {
      const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(startLine);
      if (m === null) {
        this.phase = "off";
        return;
      }
      status = Number(m[1]);
    } else {
      const m = /^([A-Z]{1,16}) \S+ HTTP\/1\.[01]$/.exec(startLine);
      if (m === null) {
        this.phase = "off";
        return;
      }
      method = m[1] as string;
    }
    const info: HeadInfo = { startLine, method, status };
    this.lastHead = info;
    this.onHead?.(info);
    if (!this.active) return;
    this.current = { startLine, headBytes: head.length, contentLength: chunked ? null : contentLength, chunked };
    if (status !== null && status >= 100 && status < 200) {
      // 101 switches protocols; other 1xx are interim heads with no body (RFC 9110 §15.2).
      if (status === 101) this.phase = "off";
      else this.finishInterim();
      return;
    }
    if (status === 204 || status === 304) {
      this.finish();
      return;
    }
    if (chunked) {
      this.phase = "chunk-size";
      this.line = "";
      return;
    }
    if (contentLength === null) {
      // A response delimited by close has no length to check; a request without one has no body.
      if (isResponse) this.phase = "off";
      else this.finish();
      return;
    }
    if (contentLength === 0) {
      this.finish();
      return;
    }
    this.phase = "body";
    this.remaining = contentLength;
  }

  private finish(): void {
    this.messages++;
    this.current = null;
    this.phase = "head";
    this.head = "";
  }

  private finishInterim(): void {
    this.current = null;
    this.phase = "head";
    this.head = "";
  }
}
