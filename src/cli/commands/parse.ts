// `parse [paths..]`: strace text in, NDJSON out, one event per line (the objects of
// src/syntax/events.ts, unfinished/resumed already joined). Written per batch, not per event.
import type { Argv } from "yargs";
import { readTraceEvents, resolveTraces } from "../../pipeline/trace-input.js";
import { stringifyJson } from "../../report/escape.js";
import { EXIT_OK, EXIT_USAGE, FULL_DESCRIPTION, noTraceGiven, PATHS_POSITIONAL } from "../command.js";
import type { CliIo, CommandSpec } from "../command.js";
import { ProblemReporter } from "../diagnostics.js";
import { watchReader, writeChunk } from "../output.js";

export interface ParseArgs {
  readonly paths?: readonly string[];
  readonly full?: boolean;
  readonly [k: string]: unknown;
}


export async function runParse(args: ParseArgs, io: CliIo): Promise<number> {
  const noTrace = noTraceGiven("parse", args.paths, io);
  if (noTrace !== null) return noTrace;
  const reporter = new ProblemReporter(io.stderr);
  const { groups, problems } = await resolveTraces(args.paths ?? [], io);
  for (const p of problems) reporter.report(p);
  const readerGone = watchReader(io.stdout);
  reading: for (const group of groups) {
    const reading = readTraceEvents(group, io, { onProblem: reporter.report, plainScan: args.full !== true });
    for await (const batch of reading.batches) {
      let chunk = "";
      // Terminal-safe JSON: trace text can hold C1 and bidi controls JSON.stringify leaves raw.
      for (const ev of batch) chunk += stringifyJson(ev) + "\n";
      if (chunk === "") continue;
      const wait = writeChunk(io.stdout, chunk);
      if (wait !== null) await wait;
      // `parse huge.log | head`: once head has gone, the rest of the file is not read.
      if (readerGone()) break reading;
    }
  }
  return reporter.fatal ? EXIT_USAGE : EXIT_OK;
}

export const parseCommand: CommandSpec<ParseArgs> = {
  command: "parse [paths..]",
  describe: "print the trace as NDJSON events, one per line (unfinished/resumed calls joined)",
  builder: (y: Argv) =>
    y
      .positional("paths", PATHS_POSITIONAL)
      .option("full", { type: "boolean", default: false, describe: FULL_DESCRIPTION })
      .example("$0 parse trace.log", "one JSON event per line")
      .example("strace -f -o /dev/stdout ./prog | $0 parse", "parse a live trace"),
  run: runParse,
};
