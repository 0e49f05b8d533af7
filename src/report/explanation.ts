// One finding explained the way a compiler explains an error: the headline with the point of
// no return, then the evidence lines (recent writes, the point, later points) with what each
// one means. Pure: returns the text.
import type { Finding } from "../rules/finding.js";
import { escapeText } from "./escape.js";
import { paint } from "./style.js";
import type { Style } from "./style.js";

/** Longest call text kept on an evidence line before it is cut with `…`. */
const MAX_CALL = 48;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Shorten a call's arguments, never its result: `sendto(6, …, 14896226, MSG_NOS…) = 219264`. */
function cutCall(text: string, max: number): string {
  if (text.length <= max) return text;
  const i = text.lastIndexOf(") = ");
  if (i < 0) return cut(text, max);
  const result = text.slice(i);
  const room = max - result.length - 1;
  return room >= 8 ? `${text.slice(0, room)}…${result}` : cut(text, max);
}

/** Shared objects whose frames say nothing about the program's own code path. */
const RUNTIME_LIB = /\/(libc|libpthread|ld-linux[^/]*|libstdc\+\+|libgcc_s|libuv|libnode)[.-][^/]*$/;

/**
 * The first `-k` frame outside libc and friends: `closer+0x71 (/tmp/srv)` from
 * `/tmp/srv(closer+0x71) [0x1670]`. null when every frame is a runtime library's.
 */
export function ownFrame(stack: readonly string[] | undefined): string | null {
  for (const frame of stack ?? []) {
    const m = /^(.*?)\((.*)\)\s*\[[^\]]*\]$/.exec(frame.trim());
    const path = m?.[1] ?? frame;
    if (RUNTIME_LIB.test(path)) continue;
    const symbol = m?.[2] ?? "";
    return symbol !== "" ? `${symbol} (${path})` : path;
  }
  return null;
}

function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  return i >= 0 ? path.slice(i + 1) : path;
}

/** `columns`: when an evidence line would be wider, its note moves to a line of its own. */
export function renderExplanation(f: Finding, style: Style, columns = 80): string {
  const sev = f.severity === "error" ? paint.error(style, `error[${f.rule}]`) : paint.warning(style, `warning[${f.rule}]`);
  const where = paint.bold(style, `${escapeText(f.file)}:${f.line}`);
  // The message reads "X did Y while N bytes were never sent": the clause goes on its own line.
  const msg = escapeText(f.message);
  const split = msg.lastIndexOf(" while ");
  const head = split > 0 ? msg.slice(0, split) : msg;
  const tail = split > 0 ? msg.slice(split + 1) : "";
  const lines = [`${sev} ${where}: ${head}`];
  if (tail !== "") lines.push(`  ${tail}`);
  // Evidence lines name the file by its base name (the headline has the full path).
  const showPid = new Set(f.evidence.map((e) => e.pid)).size > 1;
  const rows = f.evidence.map((e) => {
    const call = cutCall(escapeText(e.call), MAX_CALL);
    // With -k, the program's own frame tells which code path ended the stream.
    const frame = e.role === "point-of-no-return" ? ownFrame(e.stack) : null;
    return {
      loc: `${escapeText(baseName(e.file))}:${e.line}`,
      call: showPid && e.pid !== null ? `[${e.pid}] ${call}` : call,
      note: escapeText(e.note),
      frame: frame !== null ? escapeText(frame) : null,
    };
  });
  const locWidth = Math.max(...rows.map((r) => r.loc.length));
  const callWidth = Math.max(...rows.map((r) => r.call.length));
  for (const r of rows) {
    const left = `  ${r.loc.padEnd(locWidth)}  ${r.call.padEnd(callWidth)}`;
    const arrow = `← ${r.note}`;
    const loc = paint.dim(style, r.loc.padEnd(locWidth));
    if (left.length + 2 + arrow.length <= columns) {
      lines.push(`  ${loc}  ${r.call.padEnd(callWidth)}  ${arrow}`);
    } else {
      lines.push(`  ${loc}  ${r.call}`);
      lines.push(`${" ".repeat(locWidth + 4)}${arrow}`);
    }
    if (r.frame !== null) lines.push(`${" ".repeat(locWidth + 4)}${paint.dim(style, `in ${r.frame}`)}`);
  }
  if (f.hint !== undefined) lines.push(`  hint: ${escapeText(f.hint)}`);
  return `${lines.join("\n")}\n`;
}
