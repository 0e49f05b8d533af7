// Recognises the physical lines that are not one strace call and need no grammar: blank lines,
// 7.x `--color` escapes (stripped first), strace's own messages (at any column: STRACE-FORMAT §6),
// `-k` stack frames, `-e read=/write=` hex dumps and the `-c`/`-C` summary table (§2).

/** SGR colour codes that strace 7.0+ `--color=always` wraps around parts of a line. */
const SGR = /\x1b\[[0-9;]*m/g;

export function stripColor(text: string): string {
  return text.indexOf("\x1b[") < 0 ? text : text.replace(SGR, "");
}

/** strace's diagnostics start with argv[0] (`strace:`, `/opt/strace/bin/strace:`, `./strace:`).
 *  A leading `/` needs a directory after it, so the `/` closing `/* 35 vars *\/` in the text
 *  just before a spliced message is not taken for part of the path. */
const ARGV0 = String.raw`(?:\.{1,2}\/|(?:\.{0,2}\/)?(?:[\w.+-]+\/)+)?strace: `;
const MESSAGE_AT_START = new RegExp(`^${ARGV0}`);
/** The messages strace prints between the pieces of another tracee's line (`2>&1`). */
const MESSAGE_INSIDE = new RegExp(`${ARGV0}Process \\d+ (?:attached|detached|suspended)`);
const PROCESS_NOTICE = /strace: Process (\d+) (attached|detached)/;
/** `[ Process PID=1234 runs in 32 bit mode. ]` (personality change). */
const PERSONALITY = /^(?:\d+ +|\[pid +\d+\] +)?\[ Process PID=\d+ runs in .* mode\. \]$/;

export interface StraceMessage {
  /** Column where the message starts (0 when it is the whole line). */
  readonly column: number;
  readonly text: string;
  readonly notice: "attached" | "detached" | "message";
  /** The pid named in `Process N attached/detached`. */
  readonly pid: number | null;
}

/** Find strace's own message in a line: the whole line, or spliced into a call's text. */
export function findStraceMessage(text: string): StraceMessage | null {
  const at = text.indexOf("strace: ");
  if (at < 0 && text.indexOf("[ Process PID=") < 0) return null; // the common case, cheaply
  let column = -1;
  if (MESSAGE_AT_START.test(text) || PERSONALITY.test(text)) column = 0;
  else if (at >= 0 && text.indexOf("strace: Process ") >= 0) {
    const m = MESSAGE_INSIDE.exec(text);
    if (m) column = m.index;
  }
  if (column < 0) return null;
  const message = text.slice(column);
  const p = PROCESS_NOTICE.exec(message);
  return {
    column,
    text: message,
    notice: p ? (p[2] as "attached" | "detached") : "message",
    pid: p ? +p[1] : null,
  };
}

/** ` > /usr/lib/libc.so.6(shutdown+0x7) [0x10ad97]` (-k); ` > unexpected_backtracing_error`. */
export function stackFrame(text: string): string | null {
  return text.startsWith(" > ") ? text.slice(3) : null;
}

const HEXDUMP = /^ \| [0-9a-f]{5}  |^ \* \d+ bytes in buffer \d+$|^ = \d+ buffers in vector \d+$/;

/** -e read=/-e write= dumps: ` | 00000  6c 69 ...  line1. |`, ` * 5 bytes in buffer 0`. */
export function isHexDump(text: string): boolean {
  return text.charCodeAt(0) === 0x20 && HEXDUMP.test(text);
}

const SUMMARY_HEADER = /^\s*% time\s+(?:total )?seconds\s+usecs\/call\s+calls\b|^\s*% time\s+.*\bsyscall\s*$|^System call usage summary for .*:$/;
const SUMMARY_RULE = /^\s*-{3,}(?: +-{2,})+\s*$/;
const SUMMARY_ROW = /^\s*\d+\.\d+(?:\s+\d+(?:\.\d+)?)+\s+(?:[\w?]+|total)\s*$/;

/** Summary table lines (`strace -c` / `-C`): a header, a rule, rows. `inTable` says whether a
 *  header was already seen, so bare numeric rows are only taken after one. */
export function summaryLine(text: string, inTable: boolean): "header" | "row" | null {
  if ((text.indexOf("% time") >= 0 || text.startsWith("System call usage")) && SUMMARY_HEADER.test(text)) return "header";
  if (!inTable) return null;
  return SUMMARY_RULE.test(text) || SUMMARY_ROW.test(text) ? "row" : null;
}

export function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === "");
}
