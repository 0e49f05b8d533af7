// `analyze [paths..]`: the main job. Each trace group gets a fresh analyzer; findings are
// written to stdout as soon as they are known (an explanation block, or one NDJSON line), the
// table / JSON / summary at the end. Exit 0 clean, 1 findings at or above --fail-on, 2 unusable.
import { constants as fsConstants } from "node:fs";
import { access, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Argv } from "yargs";
import { createAnalyzer, isRuleName, RULE_NAMES, RULES } from "../../analysis.js";
import { ARGS_NEEDED, ARGS_PROJECTED } from "../../model/args-needed.js";
import type { Analyzer, Finding, RuleName, TraceNote } from "../../analysis.js";
import { PARALLEL_DEFAULTS, readTraceEvents, resolveTraces } from "../../pipeline/trace-input.js";
import { ChartCollector } from "../../report/chart-data.js";
import { escapeText } from "../../report/escape.js";
import { renderExplanation } from "../../report/explanation.js";
import { renderHtmlReport } from "../../report/html-report.js";
import { renderFindingsTable } from "../../report/findings-table.js";
import { JsonReportWriter, renderNdjsonFinding, renderNdjsonSummary } from "../../report/json-report.js";
import type { Report, ReportStats } from "../../report/json-report.js";
import { renderNotes, renderTotals } from "../../report/summary-text.js";
import { shouldColor } from "../../report/style.js";
import type { Style } from "../../report/style.js";
import { TOOL_NAME, TOOL_VERSION } from "../../version.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, isWholeNumber, MODEL_FULL_DESCRIPTION, noTraceGiven, PATHS_POSITIONAL } from "../command.js";
import type { CliIo, CommandSpec } from "../command.js";
import { ProblemReporter } from "../diagnostics.js";
import { drained, watchReader } from "../output.js";
import { startProgress, type Progress } from "../progress.js";

export type OutputFormat = "table" | "json" | "ndjson";
export type FailOn = "error" | "warning" | "never";

export interface AnalyzeArgs {
  readonly paths?: readonly string[];
  readonly format?: string;
  readonly "fail-on"?: string;
  // Repeated options come as an array, a single one as a string (not greedy `array` options,
  // which would swallow the trace paths that follow: `--no-rule NAME trace.log`).
  readonly rule?: string | readonly (string | boolean)[];
  readonly "no-rule"?: string | readonly (string | boolean)[];
  readonly pid?: number;
  readonly fd?: number;
  readonly "min-unsent"?: number;
  readonly strict?: boolean;
  readonly color?: boolean;
  readonly "no-color"?: boolean;
  readonly quiet?: boolean;
  readonly html?: string;
  readonly full?: boolean;
  readonly [k: string]: unknown;
}

/** Options after validation. */
interface Settings {
  readonly format: OutputFormat;
  readonly failOn: FailOn;
  readonly rules: readonly RuleName[];
  readonly pid: number | null;
  readonly fd: number | null;
  readonly minUnsent: number;
  readonly strict: boolean;
  readonly quiet: boolean;
  readonly style: Style;
  /** Where to write the self-contained HTML report, if anywhere. */
  readonly html: string | null;
  /** Parse every line with the grammar, even calls whose arguments the model never reads. */
  readonly full: boolean;
}

/** Rows of the closing findings table; every finding is explained as it is found anyway. */
const TABLE_MAX_ROWS = 200;

/** JSON findings held back at most, waiting for the first of them to become final. */
const JSON_MAX_WAITING = 1000;

const RULE_LIST = RULES.map((r) => `${r.name} (${r.code}, ${r.severity})`).join(", ");

export function buildAnalyzeOptions(y: Argv): Argv {
  return analyzeFlags(y.positional("paths", PATHS_POSITIONAL));
}

/** analyze's options without its paths: `record` takes these too, and reads its own trace. */
export function analyzeFlags(y: Argv): Argv {
  return (
    y
      // `--no-rule NAME` must be an option of its own, not yargs' negation of `--rule`.
      .parserConfiguration({ "boolean-negation": false })
      .option("format", { choices: ["table", "json", "ndjson"], default: "table", describe: "output format (json and ndjson are a documented contract)" })
      .option("fail-on", { choices: ["error", "warning", "never"], default: "error", describe: "exit 1 when a finding of this severity or worse is found" })
      .option("rule", { type: "string", describe: `run only these rules (repeatable): ${RULE_NAMES.join(", ")}` })
      .option("no-rule", { type: "string", describe: "skip these rules (repeatable)" })
      .option("pid", { type: "number", describe: "only findings involving this pid" })
      .option("fd", { type: "number", describe: "only findings on this fd number" })
      .option("min-unsent", { type: "number", default: 1, describe: "only findings with at least this many unsent bytes" })
      .option("strict", { type: "boolean", default: false, describe: "fail with exit 2 when any line could not be recognised" })
      .option("color", { type: "boolean", describe: "colour the output (default: when stdout is a terminal and NO_COLOR is unset)" })
      .option("no-color", { type: "boolean", describe: "never colour the output" })
      .option("quiet", { alias: "q", type: "boolean", default: false, describe: "print only the findings: no notes, no totals" })
      .option("full", { type: "boolean", default: false, describe: MODEL_FULL_DESCRIPTION })
      .option("html", { type: "string", describe: "also write a self-contained HTML report (charts, evidence) to this file" })
      .epilog(
        `Rules: ${RULE_LIST}.\n` +
          "Record traces with: strace -f -tt -T -yy -o trace.log -- ./server (a file keeps pids on every line).\n" +
          "--strict makes any unrecognised line an error (exit 2) instead of a note.",
      )
  );
}

/** Why `path` cannot be written (its folder missing or read-only, a directory there), or null.
 *  Checked before reading anything; the file itself is written at the end. */
async function unwritable(path: string): Promise<string | null> {
  try {
    await access(dirname(resolve(path)), fsConstants.W_OK);
    const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return null;
      throw err;
    });
    if (st?.isDirectory()) return "it is a directory";
    if (st !== null) await access(path, fsConstants.W_OK);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function usage(io: CliIo, message: string, hint: string): number {
  io.stderr.write(`${TOOL_NAME}: error: ${escapeText(message)}\n  hint: ${hint}\n`);
  return EXIT_USAGE;
}

function ruleList(values: string | readonly (string | boolean)[] | undefined): string[] {
  return (values === undefined ? [] : typeof values === "string" ? [values] : values).flatMap((v) => String(v).split(",")).map((s) => s.trim()).filter((s) => s !== "");
}

/** A usage error of analyze's options: what is wrong, and the hint that helps with it. */
interface SettingsError {
  readonly error: string;
  readonly hint: string;
}

const SEE_HELP = `see \`${TOOL_NAME} analyze --help\``;

function settingsFrom(args: AnalyzeArgs, io: CliIo): Settings | SettingsError {
  const format = (args.format ?? "table") as OutputFormat;
  if (!["table", "json", "ndjson"].includes(format)) return { error: `unknown --format ${format}`, hint: SEE_HELP };
  const failOn = (args["fail-on"] ?? "error") as FailOn;
  if (!["error", "warning", "never"].includes(failOn)) return { error: `unknown --fail-on ${failOn}`, hint: SEE_HELP };
  const only = ruleList(args.rule);
  const skip = ruleList(args["no-rule"]);
  for (const name of [...only, ...skip]) {
    if (!isRuleName(name)) return { error: `unknown rule "${name}"`, hint: `rules: ${RULE_NAMES.join(", ")}; ${SEE_HELP}` };
  }
  const rules = (only.length > 0 ? (only as RuleName[]) : [...RULE_NAMES]).filter((r) => !skip.includes(r));
  for (const [name, v] of [["--pid", args.pid], ["--fd", args.fd], ["--min-unsent", args["min-unsent"]]] as const) {
    if (v !== undefined && !isWholeNumber(v)) {
      const given = typeof v === "number" && !Number.isNaN(v) ? ` (not ${v})` : "";
      return { error: `${name} needs a whole number, 0 or more${given}`, hint: SEE_HELP };
    }
  }
  const colorFlag = args["no-color"] === true ? false : args.color;
  return {
    format,
    failOn,
    rules,
    pid: args.pid ?? null,
    fd: args.fd ?? null,
    minUnsent: args["min-unsent"] ?? 1,
    strict: args.strict === true,
    quiet: args.quiet === true,
    html: typeof args.html === "string" && args.html !== "" ? args.html : null,
    full: args.full === true,
    style: { color: format === "table" && shouldColor(colorFlag, io.stdoutIsTTY, io.env) },
  };
}

export async function runAnalyze(args: AnalyzeArgs, io: CliIo): Promise<number> {
  const settings = settingsFrom(args, io);
  if ("error" in settings) return usage(io, settings.error, settings.hint);
  const s = settings;
  const noTrace = noTraceGiven("analyze", args.paths, io);
  if (noTrace !== null) return noTrace;
  // An HTML report that could not be written would be found out only after the whole trace.
  const htmlProblem = s.html !== null ? await unwritable(s.html) : null;
  if (htmlProblem !== null) {
    io.stderr.write(`${escapeText(s.html!)}: error[SR014]: cannot write the HTML report: ${escapeText(htmlProblem)}\n`);
    return EXIT_USAGE;
  }
  const reporter = new ProblemReporter(io.stderr, s.quiet);
  const { groups, problems } = await resolveTraces(args.paths ?? [], io);
  for (const p of problems) reporter.report(p);

  const findings: Finding[] = [];
  const notes: TraceNote[] = [];
  // The HTML report needs every finding and each stream's chart, whatever the stdout format.
  const charts = s.html !== null ? new ChartCollector() : null;
  const htmlFindings: Finding[] = [];
  const flags = new Set<string>();
  const totals = { lines: 0, syscalls: 0, unrecognized: 0, foreign: 0, signals: 0, exits: 0, writeAttempts: 0 };
  const traces: { name: string; lines: number; syscalls: number; findings: number }[] = [];
  let errors = 0;
  let warnings = 0;
  // Memory stays flat however many findings a trace has: NDJSON is written and forgotten (a
  // live `strace -p | analyze` can run for days); the JSON document prints each finding once
  // the analyzer says it can no longer change (its stream is gone); the table mode explains
  // each finding as found and keeps only the first TABLE_MAX_ROWS for its closing table.
  // Output waits for a slow reader of stdout (a pipe into `less`, a log shipper): without that,
  // findings pile up in memory as fast as they are made.
  let mustDrain = false;
  // What a batch prints goes out in one write (a write to a file is a system call each: one
  // per finding cost a second per GB of trace with many findings).
  let pending = "";
  const print = (text: string): void => {
    pending += text;
  };
  /** The progress line of the trace being read: erased before findings go to the same terminal. */
  let progress: Progress | null = null;
  const flushOut = (): void => {
    if (pending === "") return;
    if (io.stdoutIsTTY) progress?.clear();
    if (!io.stdout.write(pending)) mustDrain = true;
    pending = "";
  };
  const json = s.format === "json" ? new JsonReportWriter(print, TOOL_NAME, TOOL_VERSION) : null;
  let waiting: Finding[] = [];
  let tableOmitted = 0;
  const emit = (f: Finding): void => {
    if (f.severity === "error") errors++;
    else warnings++;
    if (s.format === "ndjson") print(renderNdjsonFinding(f));
    else if (json !== null) waiting.push(f);
    else if (findings.length < TABLE_MAX_ROWS) findings.push(f);
    else tableOmitted++;
    if (charts !== null) htmlFindings.push(f);
    if (s.format === "table") print(`${renderExplanation(f, s.style, io.columns)}\n`);
  };
  /** Print the JSON findings that are final, in the order they were found. A finding on a
   *  stream that stays open would hold back every later one: past JSON_MAX_WAITING it goes out
   *  with the evidence known so far, as NDJSON findings do. */
  const flushJson = (analyzer: Analyzer): void => {
    if (json === null || waiting.length === 0) return;
    let n = 0;
    while (n < waiting.length && (analyzer.isFinal(waiting[n]) || waiting.length - n > JSON_MAX_WAITING)) json.finding(waiting[n++]);
    if (n > 0) waiting = waiting.slice(n);
  };

  // `analyze huge.log | head`: once head has gone nothing printed is read, and only the exit
  // code is left to tell. When it can no longer change (a finding that fails the run is known, or
  // `--fail-on never`), the rest is not read; --html and --strict still need the whole trace.
  const readerGone = watchReader(io.stdout);
  /** Findings that make the exit code 1. */
  const failing = (): number => (s.failOn === "never" ? 0 : s.failOn === "warning" ? errors + warnings : errors);
  const settled = (): boolean => readerGone() && s.html === null && !s.strict && (s.failOn === "never" || failing() > 0);

  reading: for (const group of groups) {
    const analyzer = createAnalyzer({
      trace: group.name,
      rules: s.rules,
      pid: s.pid,
      fd: s.fd,
      minUnsent: s.minUnsent,
      onModelEvent: charts?.onModelEvent,
    });
    const reading = readTraceEvents(group, io, {
      onProblem: (p) => {
        progress?.clear();
        reporter.report(p);
      },
      strict: s.strict,
      argsNeeded: s.full ? undefined : ARGS_NEEDED,
      argsProjected: ARGS_PROJECTED,
      plainScan: !s.full,
      parallel: PARALLEL_DEFAULTS,
      keepParsers: false,
    });
    progress = startProgress(io, reading, group.bytes, () => errors + warnings);
    try {
      for await (const batch of reading.batches) {
        for (const f of analyzer.push(batch)) emit(f);
        flushJson(analyzer);
        flushOut();
        if (mustDrain) {
          mustDrain = false;
          await drained(io.stdout);
        }
        if (settled()) break reading;
      }
      for (const f of analyzer.end()) emit(f);
      flushJson(analyzer);
    } finally {
      flushOut();
      progress.stop();
      progress = null;
    }
    for (const f of reading.flags()) flags.add(f);
    const st = analyzer.stats;
    totals.lines += st.lines;
    totals.syscalls += st.syscalls;
    totals.unrecognized += st.unrecognized;
    totals.foreign += st.foreign;
    totals.signals += st.signals;
    totals.exits += st.exits;
    totals.writeAttempts += st.writeAttempts;
    traces.push({ name: group.name, lines: st.lines, syscalls: st.syscalls, findings: st.findings });
    notes.push(...analyzer.notes);
  }

  const stats: ReportStats = { ...totals, traces };
  const report: Report = { tool: TOOL_NAME, version: TOOL_VERSION, findings, stats, notes };
  if (json !== null) {
    json.end(stats, notes);
    flushOut();
  }
  else if (s.format === "ndjson") io.stdout.write(renderNdjsonSummary(report, errors, warnings));
  // Nothing usable was read: the error on stderr says it all, no "no findings" line.
  else if (groups.length > 0 && !(reporter.fatal && totals.syscalls === 0)) {
    if (findings.length > 0) io.stdout.write(renderFindingsTable(findings, { style: s.style, columns: io.columns }));
    if (tableOmitted > 0) io.stdout.write(`(the table shows the first ${TABLE_MAX_ROWS} findings; ${tableOmitted.toLocaleString("en-US")} more are explained above)\n`);
    if (!s.quiet) io.stdout.write(renderNotes(notes, s.style) + renderTotals(errors, warnings, stats, s.style));
  }

  if (charts !== null && s.html !== null && groups.length > 0) {
    const { streams, omitted } = charts.streams();
    const html = renderHtmlReport({
      tool: TOOL_NAME,
      version: TOOL_VERSION,
      stats,
      flags: [...flags].sort(),
      notes,
      findings: htmlFindings.map((finding) => ({ finding, series: charts.seriesFor(finding) })),
      streams,
      streamsOmitted: omitted,
    });
    try {
      await writeFile(s.html, html);
      if (!s.quiet) io.stderr.write(`${TOOL_NAME}: HTML report written to ${escapeText(s.html)}\n`);
    } catch (err) {
      io.stderr.write(`${escapeText(s.html)}: error[SR014]: cannot write the HTML report: ${escapeText((err as Error).message)}\n`);
      return EXIT_USAGE;
    }
  }

  if (reporter.fatal) return EXIT_USAGE;
  if (s.strict && totals.unrecognized > 0) {
    io.stderr.write(
      `${TOOL_NAME}: error: ${totals.unrecognized} line(s) could not be recognised (--strict)\n` +
        `  hint: \`${TOOL_NAME} stats\` lists them with their line numbers\n`,
    );
    return EXIT_USAGE;
  }
  return failing() > 0 ? EXIT_FINDINGS : EXIT_OK;
}

export const analyzeCommand: CommandSpec<AnalyzeArgs> = {
  command: "analyze [paths..]",
  describe: "find streams shut down, closed or abandoned with bytes still unsent",
  builder: buildAnalyzeOptions,
  run: runAnalyze,
};
