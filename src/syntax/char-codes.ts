// Character codes and classes the hand scans share (plain-line.ts over strings, light-bytes.ts
// and plain-bytes.ts over bytes: the same codes for ASCII), and the powers of ten their exact
// decimal arithmetic divides by.

/** The bytes b[from, to) as a latin1 string. A Buffer (what the workers read) makes it without a
 *  view of the range: half the cost of Buffer.from(...).toString(), for every string a byte scan
 *  makes. */
export function latin1(b: Uint8Array, from: number, to: number): string {
  return b instanceof Buffer ? b.toString("latin1", from, to) : Buffer.from(b.buffer, b.byteOffset + from, to - from).toString("latin1");
}

/** The ASCII codes the scans compare with. A const enum: the compiler writes each as its
 *  number, where an imported constant is read from the module's binding and checked at every
 *  use (a loop comparing bytes with one ran 60% slower than with a literal). */
export const enum Ch {
  SPACE = 0x20,
  QUOTE = 0x22,
  LPAREN = 0x28,
  RPAREN = 0x29,
  STAR = 0x2a,
  COMMA = 0x2c,
  MINUS = 0x2d,
  DOT = 0x2e,
  SLASH = 0x2f,
  COLON = 0x3a,
  LT = 0x3c,
  EQUALS = 0x3d,
  GT = 0x3e,
  LBRACKET = 0x5b,
  BACKSLASH = 0x5c,
  RBRACKET = 0x5d,
  LBRACE = 0x7b,
  PIPE = 0x7c,
  RBRACE = 0x7d,
}

// The character classes. A scan that calls them at every byte keeps them as module constants
// (`const isDigit = digitCode;`): called through its import, each call read the module binding
// again and checked it (the parse workers' scan took 2.4% more instructions).
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
/** A hex digit as strace prints them (lower case). */
export function isLowerHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}
export function isIdentStart(c: number): boolean {
  return ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x5f;
}
export function isWord(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** What may stand inside the parenthesised text after a return (`(Resource temporarily
 *  unavailable)`, `(flags O_RDWR|O_NONBLOCK)`, `([{fd=4, revents=POLLIN}])`) for the plain scans:
 *  letters, digits, space and `_-.,:/|=[]{}`. Anything else (quotes, `<`, `/*`, `(+`) can make
 *  one of the lexer's tokens span a parenthesis, so it is left to the grammar. */
export const AUX_CHARS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = t[c + 0x20] = 1;
  for (const ch of " _-.,:/|=[]{}") t[ch.charCodeAt(0)] = 1;
  return t;
})();

/** 10^0 .. 10^15, each exact in a double: digits over one of these is the double nearest the
 *  decimal they spell (one rounding of exact values, as string-to-number conversion gives). */
export const POW10: readonly number[] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
