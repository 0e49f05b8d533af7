// Words shared by the findings: numbers with separators, who did it, which fd.
import type { PointRef, Stream } from "../model/stream.js";

/** `1,234,567`: n.toLocaleString("en-US"), without ICU for whole numbers (it cost a few µs a
 *  call, a tenth of the JSON output's time on a trace with many findings). */
export function fmt(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString("en-US");
  const digits = String(n < 0 ? -n : n);
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

export function who(at: PointRef): string {
  return at.pid !== null ? `pid ${at.pid}` : "the process";
}

export function describeFd(fd: number, stream: Stream): string {
  return stream.name !== null ? `fd ${fd} (${stream.name})` : `${stream.kind} fd ${fd}`;
}
