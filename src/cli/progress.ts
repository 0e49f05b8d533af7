// Progress on stderr for large inputs, only when stderr is a terminal: bytes read of the
// total, rate, findings so far, redrawn in place a few times a second and erased at the end.
import type { CliIo } from "./command.js";
import type { TraceReading } from "../pipeline/trace-input.js";

const MIN_BYTES_FOR_PROGRESS = 32 * 1024 * 1024;
const REDRAW_MS = 250;

export interface Progress {
  /** Erase the line before something else is written to the terminal (it is drawn again at
   *  the next redraw): findings on stdout and problems on stderr start on a line of their own. */
  clear(): void;
  stop(): void;
}

const NONE: Progress = { clear() {}, stop() {} };

export function startProgress(
  io: CliIo,
  reading: TraceReading,
  totalBytes: number | null,
  findingsSoFar: () => number,
): Progress {
  if (!io.stderrIsTTY || io.env.NO_PROGRESS) return NONE;
  if (totalBytes !== null && totalBytes < MIN_BYTES_FOR_PROGRESS) return NONE;
  const started = Date.now();
  let shown = false;
  const draw = () => {
    const read = reading.bytesRead();
    const seconds = (Date.now() - started) / 1000;
    if (seconds < 1) return;
    const mb = read / 1048576;
    const of = totalBytes !== null ? ` of ${(totalBytes / 1048576).toFixed(0)} MB (${((100 * read) / totalBytes).toFixed(0)}%)` : " MB";
    const text = `read ${mb.toFixed(0)}${of}, ${(mb / seconds).toFixed(1)} MB/s, ${findingsSoFar()} finding(s)`;
    io.stderr.write(`\r\x1b[2K${text}`);
    shown = true;
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  const clear = () => {
    if (shown) io.stderr.write("\r\x1b[2K");
    shown = false;
  };
  return {
    clear,
    stop() {
      clearInterval(timer);
      clear();
    },
  };
}
