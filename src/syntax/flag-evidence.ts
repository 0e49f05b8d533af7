// Evidence of the strace options a trace was recorded with, gathered line by line for `stats`:
// the leader's shape (-f, -t/-tt/-ttt, precision, -n, -i, -Y, --secontext, -T) and the way
// values are printed (-x/-xx, -X verbose, -y/-yy, the -s string limit).
import { strLength, type ParsedLine } from "../../grammars/strace-line-parser.js";
import { SYSCALL_ROLES } from "../../grammars/syscall-roles.js";
import { isLowerHex } from "./char-codes.js";
import type { LinePrefix } from "./line-prefix.js";
import type { ParserStats } from "./parser-stats.js";

/** The characters at the start of a line that the text evidence reads. */
export const EVIDENCE_CHARS = 4096;

export class FlagEvidence {
  private lastShape = -1;

  constructor(private readonly stats: ParserStats) {}

  /** Evidence of strace's value-printing options in a parsed line: its text, and its arguments. */
  noteValues(line: string, p: ParsedLine): void {
    // Evidence needs no more than the start of a line; the regexes must not run over megabytes.
    this.noteText(line.length > EVIDENCE_CHARS ? line.slice(0, EVIDENCE_CHARS) : line);
    const b = p.body;
    if (b.kind !== "call" && b.kind !== "resumed") return;
    const first = b.args[0]?.[0];
    const second = SYSCALL_ROLES[b.name]?.buf === 1 ? b.args[1]?.[0] : undefined;
    this.noteArgs(
      b.name,
      first !== undefined && first.kind === "fd" ? first.path : null,
      second !== undefined && second.kind === "str" && second.truncated ? strLength(second) : -1,
    );
  }

  /** The evidence in the text of a line's first EVIDENCE_CHARS characters (cheap checks only):
   *  -x or -xx from its hex escapes, -X verbose from its comments. */
  noteText(text: string): void {
    const flags = this.stats.flags;
    // Each check only adds its flag: once that is known, the line need not be scanned for it.
    if (!(flags.has("-xx") && flags.has("-x")) && text.indexOf("\\x") >= 0) {
      // strace prints mostly-binary strings all in hex anyway; only -xx does so for a printable
      // string, and only -x mixes plain characters with \x escapes.
      const allHex = ALL_HEX_STRING.exec(text);
      if (allHex !== null && /^(?:\\x(?:[2-6][0-9a-f]|7[0-9a-e]))+$/.test(allHex[1])) flags.add("-xx");
      else if (hasMixedHexString(text)) flags.add("-x");
    }
    // -X verbose names a printed number's constant: `0x1 /* SHUT_WR */` (not `/* CAP_??? */`).
    if (!flags.has("-X verbose") && text.indexOf(" /* ") >= 0 && /\b0x[0-9a-f]+ \/\* [A-Z_][A-Z0-9_|]* \*\//.test(text)) flags.add("-X verbose");
  }

  /** The evidence in a call's arguments: the first one's fd decoration (-y/-yy), and the
   *  decoded length of the second one's string when strace cut it (-s), or -1. */
  noteArgs(name: string, firstFdPath: string | null, secondCutBytes: number): void {
    if (firstFdPath !== null) this.noteDecoration(isSocketDecoration(firstFdPath));
    this.noteCut(name, secondCutBytes);
  }

  /** A decorated fd: a socket's protocol named (-yy), or a path (-y). */
  noteDecoration(socket: boolean): void {
    this.stats.flags.add(socket ? "-yy" : "-y");
  }

  /** The decoded length of a call's second argument when strace cut it (-s), or -1. */
  noteCut(name: string, secondCutBytes: number): void {
    // Only data buffers show -s: strace cuts some names (comm, 16 bytes) on its own. The name is
    // looked up only when the length is a new longest (a lookup by name at every cut string was
    // a cost of its own).
    const longest = this.stats.truncatedStringBytes;
    if (secondCutBytes >= 0 && (longest === null || secondCutBytes > longest) && SYSCALL_ROLES[name]?.buf === 1) {
      this.stats.truncatedStringBytes = secondCutBytes;
    }
  }

  /** Evidence of strace options, for `stats`. */
  notePrefix(prefix: LinePrefix, hasDuration: boolean): void {
    // Lines of one trace look alike: skip the work when this line's shape was seen last time.
    const shape =
      (prefix.pid === null ? 0 : prefix.bracketedPid ? 1 : 2) |
      (prefix.comm === null ? 0 : 4) |
      (prefix.sysno ? 8 : 0) |
      (prefix.ip ? 16 : 0) |
      (prefix.secontext ? 32 : 0) |
      (hasDuration ? 64 : 0) |
      (prefix.stampDigits << 7) |
      ((prefix.stamp === null ? 0 : STAMP_CODES[prefix.stamp]) << 12);
    if (shape === this.lastShape) return;
    this.lastShape = shape;
    const flags = this.stats.flags;
    if (prefix.pid !== null) flags.add(prefix.bracketedPid ? "-f (stderr)" : "-f");
    if (prefix.comm !== null) flags.add("-Y");
    if (prefix.stamp !== null) {
      const digits = prefix.stampDigits;
      const precision = digits === 0 ? "s" : digits <= 3 ? "ms" : digits <= 6 ? "us" : "ns";
      flags.add(prefix.stamp === "t-r" ? "-t -r" : `-${prefix.stamp === "unix-s" ? "ttt" : prefix.stamp}`);
      if ((digits !== 6 && prefix.stamp !== "t" && prefix.stamp !== "unix-s") || prefix.stamp === "unix-s") {
        flags.add(`--timestamps=${precision}`);
      }
    }
    if (prefix.sysno) flags.add("-n");
    if (prefix.ip) flags.add("-i");
    if (prefix.secontext) flags.add("--secontext");
    if (hasDuration) flags.add("-T");
  }
}

const ALL_HEX_STRING = /"((?:\\x[0-9a-f]{2}){3,})"/;
/** A string literal with both `\x` escapes and plain characters: only -x prints that. Looks at
 *  the first three closed literals holding a `\x`, in one pass (a regex for this backtracked
 *  quadratically over a long unclosed `-xx` string: seconds on a `-s 65536` trace). */
function hasMixedHexString(text: string): boolean {
  let seen = 0;
  for (let i = text.indexOf('"'); i >= 0 && seen < 3; ) {
    let hex = false;
    let plain = false;
    let j = i + 1;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x22 /* " */) break;
      if (c !== 0x5c /* \ */) {
        plain = true;
        continue;
      }
      const e = text.charCodeAt(j + 1);
      if (e === 0x78 /* x */ && isLowerHex(text.charCodeAt(j + 2)) && isLowerHex(text.charCodeAt(j + 3))) {
        hex = true;
        j += 3;
      } else if (e >= 0x30 && e <= 0x37) {
        let k = j + 2;
        while (k < j + 4 && text.charCodeAt(k) >= 0x30 && text.charCodeAt(k) <= 0x37) k++;
        j = k - 1;
      } else {
        if (e === 0x78) hex = true;
        j += 1;
      }
    }
    if (j >= text.length) return false; // unclosed: not a literal
    if (hex) {
      if (plain) return true;
      seen++;
    }
    i = text.indexOf('"', j + 1);
  }
  return false;
}

const STAMP_CODES: Record<NonNullable<LinePrefix["stamp"]>, number> = { t: 1, tt: 2, ttt: 3, "unix-s": 4, r: 5, "t-r": 6 };

/** -yy names a socket's protocol (`TCP:[...]`, `UNIX-STREAM:[...]`); -y prints `socket:[N]`. */
const SOCKET_DECORATION = /^[A-Z][A-Za-z0-9-]*:\[/;

export function isSocketDecoration(path: string): boolean {
  return SOCKET_DECORATION.test(path);
}
