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

export function renderExplanation(f: Finding, style: Style): string {
  const sev = f.severity === "error" ? paint.error(style, `error[${f.rule}]`) : paint.warning(style, `warning[${f.rule}]`);
  const where = paint.bold(style, `${escapeText(f.file)}:${f.line}`);
  // The message reads "X did Y while N bytes were never sent": the clause goes on its own line.
  const msg = escapeText(f.message);
  const split = msg.lastIndexOf(" while ");
  const head = split > 0 ? msg.slice(0, split) : msg;
  const tail = split > 0 ? msg.slice(split + 1) : "";
  const lines = [`${sev} ${where}: ${head}`];
  if (tail !== "") lines.push(`  ${tail}`);
  const rows = f.evidence.map((e) => ({
    loc: `${escapeText(e.file)}:${e.line}`,
    call: cut(escapeText(e.call), MAX_CALL),
    note: escapeText(e.note),
    pid: e.pid,
  }));
  const showPid = new Set(rows.map((r) => r.pid)).size > 1;
  const locWidth = Math.max(...rows.map((r) => r.loc.length));
  const callWidth = Math.max(...rows.map((r) => r.call.length + (showPid && r.pid !== null ? String(r.pid).length + 2 : 0)));
  for (const r of rows) {
    const call = showPid && r.pid !== null ? `[${r.pid}] ${r.call}` : r.call;
    lines.push(`  ${paint.dim(style, r.loc.padEnd(locWidth))}  ${call.padEnd(callWidth)}  ← ${r.note}`);
  }
  return `${lines.join("\n")}\n`;
}
