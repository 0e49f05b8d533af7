// Prints input problems the way compilers do: `path:line: error[CODE]: what happened`, then
// one `hint:` line. Every byte that came from the input is escaped first, so a hostile file
// name or line cannot drive the user's terminal.
import type { InputProblem } from "../pipeline/trace-input.js";

/** Replace control characters (ESC, CR, BEL, C1 controls...) with visible escapes. */
export function escapeForTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : c;
  });
}

export function formatProblem(p: InputProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  const severity = p.severity ?? (p.fatal ? "error" : "warning");
  let text = `${escapeForTerminal(where)}: ${severity}[${p.code}]: ${escapeForTerminal(p.message)}\n`;
  if (p.hint) text += `  hint: ${escapeForTerminal(p.hint)}\n`;
  return text;
}

/** Collects problems, prints each once to stderr, and remembers whether any was fatal. */
export class ProblemReporter {
  #fatal = false;
  #seen = new Set<string>();
  readonly problems: InputProblem[] = [];
  constructor(private readonly stderr: NodeJS.WritableStream, private readonly quiet = false) {}

  readonly report = (p: InputProblem): void => {
    const key = `${p.file}\0${p.line ?? ""}\0${p.code}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.problems.push(p);
    if (p.fatal) this.#fatal = true;
    if (this.quiet && !p.fatal) return;
    this.stderr.write(formatProblem(p));
  };

  get fatal(): boolean {
    return this.#fatal;
  }
}
