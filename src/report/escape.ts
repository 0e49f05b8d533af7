// Every string that came from a trace (file names, decorations, calls) passes through here
// before it reaches a terminal: control bytes become visible `\xNN` escapes, so a hostile
// trace cannot move the cursor, retitle the window or hide a line.

// C0 controls except \t and \n are escaped, plus DEL and the C1 range (0x80-0x9f, which some
// terminals treat as CSI and friends).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

export function escapeText(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
