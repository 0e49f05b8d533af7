// Writing to stdout at the pace of its reader: a command that writes faster than a pipe is read
// (into a pager, a log shipper) waits for it to drain, so output never piles up in memory.

/** Resolves once `out` can take more, or can take nothing ever again (closed, `| head`). */
export function drained(out: NodeJS.WritableStream): Promise<void> {
  const w = out as NodeJS.WritableStream & { destroyed?: boolean; writableNeedDrain?: boolean };
  if (w.destroyed === true || w.writableNeedDrain === false) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      out.off("drain", done);
      out.off("close", done);
      out.off("error", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
    out.on("error", done);
  });
}

/** Write `chunk`; a promise to await when the stream asks the writer to wait, else null. */
export function writeChunk(out: NodeJS.WritableStream, chunk: string): Promise<void> | null {
  return out.write(chunk) ? null : drained(out);
}

/** Watches `out` from now on: the function returned says whether its reader has gone (`| head`
 *  exited, EPIPE), after which nothing written will ever be read. process.stdout is never
 *  destroyed by EPIPE: the error is the only sign. */
export function watchReader(out: NodeJS.WritableStream): () => boolean {
  let gone = false;
  out.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") gone = true;
  });
  return () => gone || (out as NodeJS.WritableStream & { destroyed?: boolean }).destroyed === true;
}
