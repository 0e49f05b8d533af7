// The end-of-run table: one row per finding that reads as a sentence, sized to the terminal
// (80 columns at least). cli-table3 colours its borders unless told not to.
import Table from "cli-table3";
import type { Finding } from "../rules/finding.js";
import { escapeText } from "./escape.js";
import { formatCount } from "./numbers.js";
import { paint } from "./style.js";
import type { Style } from "./style.js";

export interface TableOptions {
  readonly style: Style;
  /** Terminal width; the table never exceeds max(80, columns) up to 120. */
  readonly columns: number;
}

function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  return i >= 0 ? path.slice(i + 1) : path;
}

function sentence(f: Finding): string {
  // The HTTP and RST rules say it their own way.
  if (f.rule !== "shutdown-with-unsent" && f.rule !== "close-with-unsent" && f.rule !== "exit-with-unsent") return escapeText(f.message);
  const bytes = `${f.unsentExact ? "" : "at least "}${formatCount(f.unsentBytes)} bytes`;
  const who = f.pid !== null ? `pid ${f.pid}` : "the process";
  const verb =
    f.rule === "shutdown-with-unsent" ? "shut down" : f.rule === "close-with-unsent" ? "closed the last reference to" : "exited holding";
  const stream = f.stream !== null ? ` (${escapeText(f.stream)})` : "";
  let text = `${who} ${verb} fd ${f.fd}${stream} with ${bytes} never sent`;
  if (f.elapsedUs !== null && f.lastWrite !== null) text += `, ${formatElapsed(f.elapsedUs)} after the last write`;
  if (f.fromOtherTask !== null) text += `, from another ${f.fromOtherTask}`;
  return text;
}

function formatElapsed(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(2)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** Break a long location into cell-wide pieces (cli-table3 would cut a word with no spaces). */
function hardWrap(text: string, width: number): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += width) parts.push(text.slice(i, i + width));
  return parts.join("\n");
}

export function renderFindingsTable(findings: readonly Finding[], opts: TableOptions): string {
  const width = Math.min(120, Math.max(80, opts.columns)) - 2;
  const whereWidth = 20;
  const sevWidth = 10;
  // Borders take one column each side and between cells.
  const whatWidth = width - whereWidth - sevWidth - 4;
  const table = new Table({
    head: ["where", "severity", "what happened"],
    colWidths: [whereWidth, sevWidth, whatWidth],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: opts.style.color ? { head: ["bold"], border: ["grey"] } : { head: [], border: [] },
  });
  for (const f of findings) {
    const sev = f.severity === "error" ? paint.error(opts.style, "error") : paint.warning(opts.style, "warning");
    table.push([hardWrap(`${escapeText(baseName(f.file))}:${f.line}`, whereWidth - 2), `${sev}\n${f.code}`, `${sentence(f)} [${f.rule}]`]);
  }
  return `${table.toString()}\n`;
}
