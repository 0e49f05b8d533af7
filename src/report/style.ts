// Colour for the terminal renderers, as a value passed in: renderers stay pure and a caller
// that decided "no colour" gets plain text with no escape codes at all.

export interface Style {
  readonly color: boolean;
}

const sgr = (open: string, close: string) => (s: Style, text: string) =>
  s.color ? `\x1b[${open}m${text}\x1b[${close}m` : text;

export const paint = {
  error: sgr("1;31", "22;39"),
  warning: sgr("1;33", "22;39"),
  note: sgr("1;36", "22;39"),
  bold: sgr("1", "22"),
  dim: sgr("2", "22"),
};

export const PLAIN: Style = { color: false };

/**
 * Colour only when asked (`--color`), or when stdout is a terminal and NO_COLOR is not set
 * (https://no-color.org: any non-empty value disables it). `--no-color` always wins.
 */
export function shouldColor(flag: boolean | undefined, isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (flag === false) return false;
  if (flag === true) return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY;
}
