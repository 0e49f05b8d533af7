// Words shared by the findings: numbers with separators, who did it, which fd.
import type { PointRef, Stream } from "../model/stream.js";

export const fmt = (n: number): string => n.toLocaleString("en-US");

export function who(at: PointRef): string {
  return at.pid !== null ? `pid ${at.pid}` : "the process";
}

export function describeFd(fd: number, stream: Stream): string {
  return stream.name !== null ? `fd ${fd} (${stream.name})` : `${stream.kind} fd ${fd}`;
}
