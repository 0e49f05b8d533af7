// Reads the leader of a parsed line (STRACE-FORMAT.md §1): which element is the pid, which the
// absolute or relative timestamp, -n/-i/--secontext. strace prints them in a fixed order
// (printleader()), but a bare integer can be a pid or a `--timestamps=unix,s` epoch: pids have at
// most 7 digits, epochs at least 9, and a second bare integer after the pid is a timestamp.
import type { Leader } from "../../grammars/strace-line-parser.js";
import { POW10 } from "./char-codes.js";

/** Which timestamp family a line used, for `stats`' flag detection. */
export type StampKind = "t" | "tt" | "ttt" | "unix-s" | "r" | "t-r";

export interface LinePrefix {
  pid: number | null;
  bracketedPid: boolean;
  comm: string | null;
  /** Absolute time (seconds) when printed, else relative (-r), else null. */
  time: number | null;
  stamp: StampKind | null;
  /** Digits after the decimal point of the absolute or relative stamp (precision s/ms/us/ns). */
  stampDigits: number;
  sysno: boolean;
  ip: boolean;
  secontext: boolean;
}

export function emptyPrefix(): LinePrefix {
  return {
    pid: null,
    bracketedPid: false,
    comm: null,
    time: null,
    stamp: null,
    stampDigits: 0,
    sysno: false,
    ip: false,
    secontext: false,
  };
}

function fractionDigits(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Seconds since local midnight of an `HH:MM:SS[.frac]` clock (strftime %T, -t/-tt). */
export function clockSeconds(text: string): number {
  const d = (i: number) => text.charCodeAt(i) - 48;
  const whole = (d(0) * 10 + d(1)) * 3600 + (d(3) * 10 + d(4)) * 60 + d(6) * 10 + d(7);
  if (text.length <= 8) return whole;
  // `.712183` as 712183 / 1e6: both exact, so the quotient is the double nearest 0.712183, the
  // same one `+".712183"` gives (string-to-number conversion was a tenth of the fast path's time).
  const digits = text.length - 9;
  if (digits < 1 || digits > 15) return whole + +text.slice(8);
  let frac = 0;
  for (let i = 9; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return whole + +text.slice(8);
    frac = frac * 10 + c;
  }
  return whole + frac / POW10[digits]!;
}

/** Fill `into` from the leaders of one line (reuses the object: this runs for every line). */
export function readPrefix(leaders: readonly Leader[], into: LinePrefix): LinePrefix {
  into.pid = null;
  into.bracketedPid = false;
  into.comm = null;
  into.time = null;
  into.stamp = null;
  into.stampDigits = 0;
  into.sysno = false;
  into.ip = false;
  into.secontext = false;
  let absolute: number | null = null;
  let relative: number | null = null;
  for (const l of leaders) {
    switch (l.kind) {
      case "pid":
        into.pid = l.pid;
        into.bracketedPid = true;
        if (l.comm !== undefined) into.comm = l.comm;
        break;
      case "int":
        if (into.pid === null && absolute === null && l.text.length <= 7 && l.text[0] !== "-") {
          into.pid = +l.text;
          if (l.comm !== undefined) into.comm = l.comm;
        } else if (l.text.length >= 9) {
          absolute = +l.text;
          into.stamp = "unix-s";
        } else {
          relative = +l.text;
          into.stamp = "r";
        }
        break;
      case "clock":
        absolute = clockSeconds(l.text);
        into.stamp = l.text.length > 8 ? "tt" : "t";
        into.stampDigits = fractionDigits(l.text);
        break;
      case "float": {
        const v = +l.text;
        // -ttt prints the epoch; -r prints small offsets. 1e8 s is 1973: no -r gap is that long.
        if (v >= 1e8) {
          absolute = v;
          into.stamp = "ttt";
        } else {
          relative = v;
          into.stamp = "r";
        }
        into.stampDigits = fractionDigits(l.text);
        break;
      }
      case "rel":
        relative = +l.text;
        into.stamp = "t-r";
        break;
      case "sysno":
        into.sysno = true;
        break;
      case "ip":
        into.ip = true;
        break;
      case "secontext":
        into.secontext = true;
        break;
      case "comment":
        break;
    }
  }
  into.time = absolute ?? relative;
  return into;
}
