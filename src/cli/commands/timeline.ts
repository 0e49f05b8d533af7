// `timeline <path> --fd N [--pid P]`: the byte timeline of the streams that fd N referred to
// (in pid P's table when given), one table per stream since an fd number can name several
// streams over a trace. A chosen stream's whole life is shown, whichever pid or fd touched it:
// each write attempt with what it asked, what the kernel took and the unsent bytes after it,
// and the shutdowns and closes.
import type { Argv } from "yargs";
import { createAnalyzer } from "../../analysis.js";
import type { ModelEvent } from "../../analysis.js";
import { ARGS_NEEDED, ARGS_PROJECTED } from "../../model/args-needed.js";
import { PARALLEL_DEFAULTS, readTraceEvents, resolveTraces } from "../../pipeline/trace-input.js";
import { chartPointOf, seriesFromSamples } from "../../report/chart-data.js";
import type { ChartSample } from "../../report/chart-data.js";
import { shouldColor } from "../../report/style.js";
import { renderTerminalChart } from "../../report/terminal-chart.js";
import { renderTimeline } from "../../report/timeline-table.js";
import type { TimelineRow } from "../../report/timeline-table.js";
import { TOOL_NAME } from "../../version.js";
import { EXIT_OK, EXIT_USAGE, isWholeNumber, MODEL_FULL_DESCRIPTION } from "../command.js";
import type { CliIo, CommandSpec } from "../command.js";
import { ProblemReporter } from "../diagnostics.js";

export interface TimelineArgs {
  readonly path?: string;
  readonly fd?: number;
  readonly pid?: number;
  readonly color?: boolean;
  readonly full?: boolean;
  readonly [k: string]: unknown;
}

/** Rows shown per run: the command is for one stream, but a trace can hold millions of writes. */
const MAX_ROWS = 100_000;
/** Rows remembered for a live stream not (yet) chosen: a later use of fd N can choose it. */
const MAX_PENDING_ROWS = 1_000;

interface Chosen {
  name: string | null;
  kind: string;
  readonly rows: TimelineRow[];
  readonly samples: ChartSample[];
}

interface Pending {
  readonly rows: TimelineRow[];
  readonly samples: ChartSample[];
}

function rowOf(ev: ModelEvent): { row: TimelineRow; fd: number; pid: number | null } {
  if (ev.kind === "attempt") {
    const a = ev.attempt;
    return {
      fd: a.fd,
      pid: a.pid,
      row: {
        time: a.time,
        file: a.file,
        line: a.line,
        pid: a.pid,
        fd: a.fd,
        syscall: a.syscall,
        requested: a.requested,
        requestedExact: a.requestedExact,
        accepted: a.accepted,
        result: a.result,
        unsentAfter: a.unsentAfter,
      },
    };
  }
  const result = ev.at.summary.replace(/^.*\) = /, "= ");
  return {
    fd: ev.fd,
    pid: ev.at.pid,
    row: {
      time: ev.at.time,
      file: ev.at.file,
      line: ev.at.line,
      pid: ev.at.pid,
      fd: ev.fd,
      syscall: ev.kind === "shutdown" ? `shutdown ${ev.how.toUpperCase()}` : ev.cause,
      requested: null,
      requestedExact: true,
      accepted: null,
      // A release that left other references is not a point of no return: say so.
      result: ev.kind === "release" && !ev.last ? `${result}, not last` : result,
      unsentAfter: ev.stream.unsentBytes,
    },
  };
}

export async function runTimeline(args: TimelineArgs, io: CliIo): Promise<number> {
  const fd = args.fd;
  if (!isWholeNumber(fd)) {
    io.stderr.write(`${TOOL_NAME}: error: timeline needs --fd N\n  hint: ${TOOL_NAME} timeline trace.log --fd 8 [--pid 1234]\n`);
    return EXIT_USAGE;
  }
  const pid = args.pid ?? null;
  if (pid !== null && !isWholeNumber(pid)) {
    io.stderr.write(`${TOOL_NAME}: error: --pid needs a whole number, 0 or more\n  hint: ${TOOL_NAME} timeline trace.log --fd 8 --pid 1234\n`);
    return EXIT_USAGE;
  }
  const reporter = new ProblemReporter(io.stderr);
  const { groups, problems } = await resolveTraces(args.path !== undefined ? [args.path] : [], io);
  for (const p of problems) reporter.report(p);
  const style = { color: shouldColor(args.color, io.stdoutIsTTY, io.env) };

  let shown = 0;
  let truncated = false;
  for (const group of groups) {
    const chosen = new Map<number, Chosen>();
    const order: Chosen[] = [];
    const pending = new Map<number, Pending>();
    const onModelEvent = (ev: ModelEvent): void => {
      const { row, fd: evFd, pid: evPid } = rowOf(ev);
      // Shutdowns and closes read the stream's totals now, so the chart point is taken here.
      const sample = chartPointOf(ev);
      const id = ev.stream.id;
      let c = chosen.get(id);
      if (c === undefined && evFd === fd && (pid === null || evPid === pid)) {
        const before = pending.get(id);
        c = { name: ev.stream.name, kind: ev.stream.kind, rows: before?.rows ?? [], samples: before?.samples ?? [] };
        pending.delete(id);
        chosen.set(id, c);
        order.push(c);
      }
      if (c !== undefined) {
        c.name = ev.stream.name ?? c.name;
        c.kind = ev.stream.kind;
        if (shown < MAX_ROWS) {
          c.rows.push(row);
          c.samples.push(sample);
          shown++;
        } else truncated = true;
      } else {
        const p = pending.get(id) ?? { rows: [], samples: [] };
        p.rows.push(row);
        p.samples.push(sample);
        if (p.rows.length > MAX_PENDING_ROWS) {
          p.rows.shift();
          p.samples.shift();
        }
        pending.set(id, p);
      }
      if (ev.kind === "release" && ev.last) pending.delete(id);
    };
    const analyzer = createAnalyzer({ trace: group.name, onModelEvent });
    // The model's events are the same with the fast path (a test compares them on every sample).
    const fast = args.full !== true;
    const reading = readTraceEvents(group, io, {
      onProblem: reporter.report,
      argsNeeded: fast ? ARGS_NEEDED : undefined,
      argsProjected: ARGS_PROJECTED,
      plainScan: fast,
      parallel: PARALLEL_DEFAULTS,
    });
    for await (const batch of reading.batches) analyzer.push(batch);
    analyzer.end();
    if (groups.length > 1) io.stdout.write(`${group.name}:\n`);
    // Streams the fd only opened and closed (shared libraries, config files) are noise here.
    const written = order.filter((c) => c.rows.some((r) => r.requested !== null));
    if (written.length === 0) io.stdout.write(`no write on fd ${fd}${pid !== null ? ` in pid ${pid}` : ""}\n`);
    for (const c of written) {
      io.stdout.write(renderTimeline({ fd, name: c.name, kind: c.kind, rows: c.rows }, style));
      const series = seriesFromSamples({ fd, name: c.name, kind: c.kind }, c.samples);
      io.stdout.write("\n" + renderTerminalChart(series, { width: io.columns, color: style.color }));
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
      .option("pid", { type: "number", describe: "the fd in this pid's table (its stream is shown whole)" })
      .option("color", { type: "boolean", describe: "colour the output" })
      .option("full", { type: "boolean", default: false, describe: MODEL_FULL_DESCRIPTION }),
  run: runTimeline,
};
