// Opens one input (a file or stdin) as a stream of byte chunks, unpacking gzip found by its
// magic bytes (not by the name, and twice-gzipped logs too), and refusing binary formats with
// a message that names them.
import { createReadStream } from "node:fs";
import { once } from "node:events";
import { createGunzip } from "node:zlib";
import { sniff } from "./sniff.js";

export const CHUNK_BYTES = 64 * 1024;
const MAX_GZIP_LAYERS = 3;

/** A readable input. `chunks` may be iterated once; a read error ends it and is reported
 * through `failure` (partial data already yielded stays valid). */
export interface ByteSource {
  readonly name: string;
  /** Size on disk (compressed size for gzip), null for stdin. */
  readonly size: number | null;
  readonly chunks: AsyncIterable<Buffer>;
  /** Raw bytes consumed so far (before unpacking): for progress. */
  readonly bytesRead: () => number;
  /** Set once the stream ended early: why, and how many unpacked bytes had been read. */
  readonly failure: () => SourceFailure | null;
  /** gzip layers unpacked (known after the first chunk). */
  readonly gzipLayers: () => number;
}

export interface SourceFailure {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** Thrown inside the chunk iterator when the content is a binary format; caught by the reader. */
export class NotTextError extends Error {
  constructor(readonly looksLike: string) {
    super(`looks like ${looksLike}`);
  }
}

export function fileSource(path: string, size: number | null, display = path): ByteSource {
  return makeSource(display, size, () => createReadStream(path, { highWaterMark: CHUNK_BYTES }));
}

export function streamSource(name: string, stream: NodeJS.ReadableStream): ByteSource {
  return makeSource(name, null, () => stream);
}

function makeSource(
  name: string,
  size: number | null,
  open: () => NodeJS.ReadableStream,
): ByteSource {
  let bytesRead = 0;
  let failure: SourceFailure | null = null;
  let layers = 0;
  let unpackedBytes = 0;

  async function* raw(): AsyncGenerator<Buffer> {
    const stream = open();
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      bytesRead += buf.length;
      yield buf;
    }
  }

  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      let source: AsyncIterable<Buffer> = raw();
      for (;;) {
        const [head, rest] = await peek(source);
        if (head === null) return;
        const kind = sniff(head);
        if (kind.kind === "binary") throw new NotTextError(kind.looksLike);
        if (kind.kind === "gzip" && layers < MAX_GZIP_LAYERS) {
          layers++;
          source = gunzip(rest);
          continue;
        }
        for await (const c of rest) {
          unpackedBytes += c.length;
          yield c;
        }
        return;
      }
    } catch (err) {
      if (err instanceof NotTextError) throw err;
      failure = describeFailure(err, layers, unpackedBytes);
    }
  }

  return {
    name,
    size,
    chunks: { [Symbol.asyncIterator]: () => chunks() },
    bytesRead: () => bytesRead,
    failure: () => failure,
    gzipLayers: () => layers,
  };
}

function describeFailure(err: unknown, layers: number, unpacked: number): SourceFailure {
  const e = err as NodeJS.ErrnoException;
  if (layers > 0 && (e.code === "Z_BUF_ERROR" || /unexpected end/i.test(String(e.message)))) {
    return {
      code: "SR004",
      message: `gzip data ends early: the file is truncated after ${unpacked.toLocaleString("en-US")} unpacked bytes`,
      hint: "everything before that point was analysed; copy the whole file again if you can",
    };
  }
  if (layers > 0 && typeof e.code === "string" && e.code.startsWith("Z_")) {
    return {
      code: "SR005",
      message: `gzip data is corrupt (${e.message}) after ${unpacked.toLocaleString("en-US")} unpacked bytes`,
      hint: "everything before that point was analysed",
    };
  }
  return {
    code: "SR006",
    message: `read failed: ${e.message ?? String(err)}`,
  };
}

/** The first chunk and an iterable of all chunks (the first included). */
async function peek(
  source: AsyncIterable<Buffer>,
): Promise<[Buffer | null, AsyncIterable<Buffer>]> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return [null, source];
  const head = first.value;
  const all = (async function* () {
    yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
  return [head, all];
}

async function* gunzip(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gz = createGunzip({ chunkSize: CHUNK_BYTES });
  let feedError: unknown = null;
  const feeding = (async () => {
    try {
      for await (const c of input) {
        if (!gz.write(c)) await once(gz, "drain");
      }
      gz.end();
    } catch (err) {
      feedError = err;
      gz.destroy(err as Error);
    }
  })();
  for await (const out of gz as AsyncIterable<Buffer>) yield out;
  await feeding;
  if (feedError) throw feedError;
}
