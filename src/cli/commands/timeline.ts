// `timeline <path> --fd N [--pid P]`: the byte timeline of the streams that used fd N, one
// table per stream (an fd number can name several streams over a trace): each write attempt
// with what it asked, what the kernel took and the unsent bytes after it, and the points where
// the write side ended.
import type { Argv } from "yargs";
import { createAnalyzer } from "../../analysis.js";
import type { ModelEvent } from "../../model/model-events.js";
import { readTraceEvents, resolveTraces } from "../../pipeline/trace-input.js";
import { shouldColor } from "../../report/style.js";
import { renderTimeline } from "../../report/timeline-table.js";
import type { TimelineRow, TimelineStream } from "../../report/timeline-table.js";
import { TOOL_NAME } from "../../version.js";
import { EXIT_OK, EXIT_USAGE } from "../command.js";
import type { CliIo, CommandSpec } from "../command.js";
import { ProblemReporter } from "../diagnostics.js";

export interface TimelineArgs {
  readonly path?: string;
  readonly fd?: number;
  readonly pid?: number;
  readonly color?: boolean;
  readonly [k: string]: unknown;
}

/** Rows kept per run: the command is for one stream, but a trace can hold millions of writes. */
const MAX_ROWS = 100_000;

interface Collected {
  readonly fd: number;
  name: string | null;
  kind: string;
  readonly rows: TimelineRow[];
}

export async function runTimeline(args: TimelineArgs, io: CliIo): Promise<number> {
  const fd = args.fd;
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0) {
    io.stderr.write(`${TOOL_NAME}: error: timeline needs --fd N\n  hint: ${TOOL_NAME} timeline trace.log --fd 8 [--pid 1234]\n`);
    return EXIT_USAGE;
  }
  const pid = args.pid ?? null;
  const reporter = new ProblemReporter(io.stderr);
  const { groups, problems } = await resolveTraces(args.path !== undefined ? [args.path] : []);
  for (const p of problems) reporter.report(p);
  const style = { color: shouldColor(args.color, io.stdoutIsTTY, io.env) };

  let shown = 0;
  let truncated = false;
  for (const group of groups) {
    const streams = new Map<number, Collected>();
    const order: Collected[] = [];
    const rowsOf = (ev: ModelEvent, evFd: number, evPid: number | null): TimelineRow[] | null => {
      if (evFd !== fd || (pid !== null && evPid !== pid)) return null;
      let c = streams.get(ev.stream.id);
      if (c === undefined) {
        c = { fd, name: ev.stream.name, kind: ev.stream.kind, rows: [] };
        streams.set(ev.stream.id, c);
        order.push(c);
      }
      c.name = ev.stream.name ?? c.name;
      c.kind = ev.stream.kind;
      if (shown >= MAX_ROWS) {
        truncated = true;
        return null;
      }
      shown++;
      return c.rows;
    };
    const onModelEvent = (ev: ModelEvent): void => {
      if (ev.kind === "attempt") {
        const a = ev.attempt;
        rowsOf(ev, a.fd, a.pid)?.push({
          time: a.time,
          file: a.file,
          line: a.line,
          pid: a.pid,
          syscall: a.syscall,
          requested: a.requested,
          requestedExact: a.requestedExact,
          accepted: a.accepted,
          result: a.result,
          unsentAfter: a.unsentAfter,
        });
        return;
      }
      const label = ev.kind === "shutdown" ? `shutdown ${ev.how.toUpperCase()}` : ev.cause === "exit" ? "exit" : ev.last ? ev.cause : `${ev.cause} (not the last reference)`;
      rowsOf(ev, ev.fd, ev.at.pid)?.push({
        time: ev.at.time,
        file: ev.at.file,
        line: ev.at.line,
        pid: ev.at.pid,
        syscall: label,
        requested: null,
        requestedExact: true,
        accepted: null,
        result: ev.at.summary.replace(/^.*\) = /, "= "),
        unsentAfter: ev.stream.unsentBytes,
      });
    };
    const analyzer = createAnalyzer({ trace: group.name, onModelEvent });
    const reading = readTraceEvents(group, io, { onProblem: reporter.report });
    for await (const batch of reading.batches) analyzer.push(batch);
    analyzer.end();
    if (groups.length > 1) io.stdout.write(`${group.name}:\n`);
    if (order.length === 0) {
      io.stdout.write(`no write, shutdown or close on fd ${fd}${pid !== null ? ` in pid ${pid}` : ""}\n`);
    }
    for (const c of order) {
      const s: TimelineStream = { fd: c.fd, name: c.name, kind: c.kind, rows: c.rows };
      io.stdout.write(renderTimeline(s, style));
    }
  }
  if (truncated) io.stderr.write(`${TOOL_NAME}: note: only the first ${MAX_ROWS.toLocaleString("en-US")} events are shown\n`);
  return reporter.fatal ? EXIT_USAGE : EXIT_OK;
}

export const timelineCommand: CommandSpec<TimelineArgs> = {
  command: "timeline <path>",
  describe: "show the byte timeline of the stream(s) on one fd: attempts, accepted bytes, unsent after each",
  builder: (y: Argv) =>
    y
      .positional("path", { describe: "a trace file, .gz, or -ff directory (- for stdin)", type: "string" })
      .option("fd", { type: "number", demandOption: true, describe: "the fd number to follow" })
      .option("pid", { type: "number", describe: "only this pid's uses of the fd" })
      .option("color", { type: "boolean", describe: "colour the output" }),
  run: runTimeline,
};
