// Prints input problems the way compilers do: `path:line:col: error[CODE]: what happened`, the
// offending line (escaped, shortened to fit), then one `hint:` line. Every byte that came from
// the input is escaped first, so a hostile file name or line cannot drive the user's terminal.
import type { InputProblem } from "../pipeline/trace-input.js";
import { escapeText, shortenEscaped } from "../report/escape.js";

/** Replace control characters (ESC, CR, BEL, newline, C1 controls, bidi overrides...) with
 * visible escapes. */
export function escapeForTerminal(text: string): string {
  return escapeText(text);
}

/** Where a problem is: `path`, or `path:line:col` when it is about one line. */
function location(p: InputProblem): string {
  if (p.line === undefined) return escapeText(p.file);
  return `${escapeText(p.file)}:${p.line}:${p.column ?? 1}`;
}

/** `columns`: the offending line is shortened to fit a terminal this wide. */
export function formatProblem(p: InputProblem, columns = 80): string {
  const severity = p.severity ?? (p.fatal ? "error" : "warning");
  let text = `${location(p)}: ${severity}[${p.code}]: ${escapeText(p.message)}\n`;
  if (p.text !== undefined) {
    const gutter = p.line !== undefined ? `${p.line} | ` : "| ";
    text += `  ${gutter}${shortenEscaped(p.text, Math.max(20, columns - gutter.length - 2))}\n`;
  }
  if (p.hint) text += `  hint: ${escapeText(p.hint)}\n`;
  return text;
}

/** Collects problems, prints each once to stderr, and remembers whether any was fatal. */
export class ProblemReporter {
  #fatal = false;
  #seen = new Set<string>();
  readonly problems: InputProblem[] = [];
  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly quiet = false,
    private readonly columns = 80,
  ) {}

  readonly report = (p: InputProblem): void => {
    const key = `${p.file}\0${p.line ?? ""}\0${p.code}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    // Keep the problem, not the whole offending line (it may be megabytes long).
    this.problems.push(p.text !== undefined && p.text.length > 4096 ? { ...p, text: p.text.slice(0, 4096) } : p);
    if (p.fatal) this.#fatal = true;
    if (this.quiet && !p.fatal) return;
    this.stderr.write(formatProblem(p, this.columns));
  };

  get fatal(): boolean {
    return this.#fatal;
  }
}
