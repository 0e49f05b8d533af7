// Feeds one trace file through the event parser the way the real pipeline does (64 KiB
// chunks, lines split with the partial last line kept, gzip by magic bytes) and tallies what
// came out: lines, unrecognised and foreign lines, crashes, and samples with `path:line`.
import { fileSource } from "../src/io/byte-source.js";
import { readLineBatches } from "../src/io/line-batches.js";
import type { TraceEvent } from "../src/syntax/events.js";

/** The parser contract (src/syntax/event-parser.ts), restated here so this script compiles
 * and reports clearly while that module is missing. */
export interface EventParserLike {
  push(lines: readonly string[], firstLine: number, out: TraceEvent[]): void;
  end(out: TraceEvent[]): void;
  readonly stats: unknown;
}
export type CreateEventParser = (opts: { readonly file: string; readonly pid?: number | null }) => EventParserLike;

/** Loads createEventParser from the built parser module, or returns why it could not. */
export async function loadEventParser(): Promise<CreateEventParser | string> {
  const url = new URL("../src/syntax/event-parser.js", import.meta.url);
  try {
    const mod = (await import(url.href)) as { createEventParser?: unknown };
    if (typeof mod.createEventParser !== "function") {
      return `${url.pathname} does not export createEventParser`;
    }
    return mod.createEventParser as CreateEventParser;
  } catch (e) {
    return `cannot load ${url.pathname}: ${(e as Error).message.split("\n")[0]}`;
  }
}

export interface Sample {
  readonly line: number;
  readonly text: string;
  readonly reason?: string;
}

export interface SourceTally {
  readonly path: string;
  lines: number;
  unrecognized: number;
  foreign: number;
  /** Exceptions thrown by push/end (the contract says they never throw). */
  crashes: number;
  events: number;
  readonly unrecognizedSamples: Sample[];
  readonly foreignSamples: Sample[];
  readonly crashMessages: string[];
}

export interface RunOptions {
  /** pid from an `-ff` file suffix. */
  readonly pid?: number | null;
  /** Samples kept per kind (default 5). */
  readonly maxSamples?: number;
  /** Receives every event (for field checks); omit to stream without keeping them. */
  readonly onEvents?: (events: readonly TraceEvent[]) => void;
}

/** Reads `path` through the project's own input seam (64 KiB chunks, gzip by magic bytes,
 * partial last line kept, CR stripped) and hands batches of whole lines to `onBatch`. */
export async function forEachLineBatch(
  path: string,
  onBatch: (lines: string[], firstLine: number) => void,
): Promise<number> {
  let lines = 0;
  for await (const batch of readLineBatches(fileSource(path, null).chunks)) {
    onBatch(batch.lines, batch.firstLine);
    lines += batch.lines.length;
  }
  return lines;
}

/** Runs one file through a fresh parser and counts what it produced. */
export async function runSource(
  createEventParser: CreateEventParser,
  path: string,
  opts: RunOptions = {},
): Promise<SourceTally> {
  const maxSamples = opts.maxSamples ?? 5;
  const tally: SourceTally = {
    path,
    lines: 0,
    unrecognized: 0,
    foreign: 0,
    crashes: 0,
    events: 0,
    unrecognizedSamples: [],
    foreignSamples: [],
    crashMessages: [],
  };
  let parser: EventParserLike;
  try {
    parser = createEventParser({ file: path, pid: opts.pid ?? null });
  } catch (e) {
    tally.crashes++;
    tally.crashMessages.push(`createEventParser: ${describe(e)}`);
    return tally;
  }
  const out: TraceEvent[] = [];
  const count = (): void => {
    for (const ev of out) {
      tally.events++;
      if (ev.type === "unrecognized") {
        tally.unrecognized++;
        if (tally.unrecognizedSamples.length < maxSamples) {
          tally.unrecognizedSamples.push({ line: ev.line, text: ev.text, reason: ev.reason });
        }
      } else if (ev.type === "foreign") {
        tally.foreign++;
        if (tally.foreignSamples.length < maxSamples) {
          tally.foreignSamples.push({ line: ev.line, text: ev.text });
        }
      }
    }
    if (opts.onEvents && out.length > 0) opts.onEvents(out.slice());
    out.length = 0;
  };
  tally.lines = await forEachLineBatch(path, (lines, firstLine) => {
    try {
      parser.push(lines, firstLine, out);
    } catch (e) {
      tally.crashes++;
      if (tally.crashMessages.length < maxSamples) {
        tally.crashMessages.push(`lines ${firstLine}-${firstLine + lines.length - 1}: ${describe(e)}`);
      }
    }
    count();
  });
  try {
    parser.end(out);
  } catch (e) {
    tally.crashes++;
    tally.crashMessages.push(`end: ${describe(e)}`);
  }
  count();
  return tally;
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const where = e.stack?.split("\n").find((l) => l.includes("at ")) ?? "";
    return `${e.name}: ${e.message}${where ? ` (${where.trim()})` : ""}`;
  }
  return String(e);
}

/** `path:line: text`, shortened for a terminal. */
export function formatSample(path: string, s: Sample, maxChars = 200): string {
  const text = s.text.length > maxChars ? `${s.text.slice(0, maxChars)}…` : s.text;
  return `${path}:${s.line}: ${JSON.stringify(text).slice(1, -1)}${s.reason ? `  [${s.reason}]` : ""}`;
}
