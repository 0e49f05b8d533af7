// `stats [paths..] [--format table|json]`: what the parser saw — lines by kind, syscalls by
// name, pids, the strace flags the text shows evidence of, and the lines it could not read with
// their path:line, so a user can tell at a glance whether the trace was understood.
import Table from "cli-table3";
import type { Argv } from "yargs";
import { readTraceEvents, resolveTraces } from "../../pipeline/trace-input.js";
import type { LineKind } from "../../syntax/events.js";
import { LINE_KINDS } from "../../syntax/parser-stats.js";
import type { LineSample, ParserStats } from "../../syntax/parser-stats.js";
import { EXIT_OK, EXIT_USAGE, FULL_DESCRIPTION, noTraceGiven, PATHS_POSITIONAL } from "../command.js";
import type { CliIo, CommandSpec } from "../command.js";
import { escapeText, stringifyJson } from "../../report/escape.js";
import { ProblemReporter } from "../diagnostics.js";

export interface StatsArgs {
  readonly paths?: readonly string[];
  readonly format?: "table" | "json";
  readonly full?: boolean;
  readonly [k: string]: unknown;
}

const SAMPLES_SHOWN = 20;

/** The JSON form of `stats` (a public contract: README). */
export interface StatsReport {
  readonly files: readonly string[];
  /** Physical lines read. */
  readonly lines: number;
  readonly linesByKind: Readonly<Record<LineKind, number>>;
  readonly unrecognized: number;
  readonly foreign: number;
  readonly syscalls: Readonly<Record<string, number>>;
  readonly pids: readonly number[];
  readonly flags: readonly string[];
  /** Longest string printed cut short, i.e. strace's `-s` (null: no string was cut). */
  readonly stringLimit: number | null;
  readonly unrecognizedSamples: readonly LineSample[];
  readonly foreignSamples: readonly LineSample[];
}

/** Fold the stats of every parser (one per file) into one report. Pure. */
export function summarizeStats(all: readonly ParserStats[]): StatsReport {
  const linesByKind = Object.fromEntries(LINE_KINDS.map((k) => [k, 0])) as Record<LineKind, number>;
  const syscalls = new Map<string, number>();
  const pids = new Set<number>();
  const flags = new Set<string>();
  const unrecognizedSamples: LineSample[] = [];
  const foreignSamples: LineSample[] = [];
  let lines = 0;
  let stringLimit: number | null = null;
  for (const s of all) {
    lines += s.totalLines;
    for (const k of LINE_KINDS) linesByKind[k] += s.lines[k];
    for (const [name, n] of s.syscalls) syscalls.set(name, (syscalls.get(name) ?? 0) + n);
    for (const p of s.pids) pids.add(p);
    for (const f of s.flags) flags.add(f);
    unrecognizedSamples.push(...s.unrecognizedSamples);
    foreignSamples.push(...s.foreignSamples);
    if (s.truncatedStringBytes !== null) stringLimit = Math.max(stringLimit ?? 0, s.truncatedStringBytes);
  }
  const byCount = [...syscalls].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    files: all.map((s) => s.file),
    lines,
    linesByKind,
    unrecognized: linesByKind.unrecognized,
    foreign: linesByKind.foreign,
    syscalls: Object.fromEntries(byCount),
    pids: [...pids].sort((a, b) => a - b),
    flags: [...flags].sort(),
    stringLimit,
    unrecognizedSamples: unrecognizedSamples.slice(0, SAMPLES_SHOWN),
    foreignSamples: foreignSamples.slice(0, SAMPLES_SHOWN),
  };
}

const PLAIN = { head: [] as string[], border: [] as string[] };
/** No rule between rows: these tables are lists. */
const COMPACT = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

/** The human form of a stats report; text from the trace is escaped for the terminal. Pure. */
export function renderStatsTable(r: StatsReport): string {
  let out = `${r.files.length === 1 ? escapeText(r.files[0]) : `${r.files.length} files`}: ${r.lines.toLocaleString("en-US")} lines\n`;
  const kinds = new Table({ head: ["line kind", "lines"], style: PLAIN, chars: COMPACT });
  for (const k of LINE_KINDS) if (r.linesByKind[k] > 0) kinds.push([k, r.linesByKind[k].toLocaleString("en-US")]);
  out += kinds.toString() + "\n";
  const calls = new Table({ head: ["syscall", "calls"], style: PLAIN, chars: COMPACT });
  const names = Object.entries(r.syscalls);
  for (const [name, n] of names.slice(0, 25)) calls.push([escapeText(name), n.toLocaleString("en-US")]);
  if (names.length > 25) calls.push([`(${names.length - 25} more)`, ""]);
  if (names.length > 0) out += calls.toString() + "\n";
  const pidList = r.pids.length > 12 ? `${r.pids.slice(0, 12).join(", ")}, … (${r.pids.length})` : r.pids.join(", ");
  out += `pids: ${r.pids.length === 0 ? "none printed" : pidList}\n`;
  out += `strace flags in evidence: ${r.flags.length === 0 ? "none" : r.flags.join(" ")}\n`;
  if (r.stringLimit !== null) out += `strings cut at ${r.stringLimit} bytes (-s ${r.stringLimit})\n`;
  if (r.unrecognized > 0) {
    out += `unrecognized lines: ${r.unrecognized}\n`;
    for (const s of r.unrecognizedSamples) {
      out += `  ${escapeText(`${s.file}:${s.line}`)}: ${escapeText(s.text)}${s.reason ? `  (${s.reason})` : ""}\n`;
    }
  }
  if (r.foreign > 0) {
    out += `foreign lines (not strace output, e.g. program output in a 2>&1 capture): ${r.foreign}\n`;
    for (const s of r.foreignSamples.slice(0, 5)) out += `  ${escapeText(`${s.file}:${s.line}`)}: ${escapeText(s.text)}\n`;
  }
  return out;
}

export async function runStats(args: StatsArgs, io: CliIo): Promise<number> {
  const noTrace = noTraceGiven("stats", args.paths, io);
  if (noTrace !== null) return noTrace;
  const reporter = new ProblemReporter(io.stderr);
  const { groups, problems } = await resolveTraces(args.paths ?? [], io);
  for (const p of problems) reporter.report(p);
  const all: ParserStats[] = [];
  for (const group of groups) {
    const reading = readTraceEvents(group, io, { onProblem: reporter.report, plainScan: args.full !== true });
    // Events are not needed here, only the parsers' counters once the input is drained.
    for await (const _batch of reading.batches);
    for (const p of reading.parsers()) all.push(p.stats);
  }
  const report = summarizeStats(all);
  // Nothing was read (missing, empty or binary input): the error lines say it all.
  if (all.length === 0 || (reporter.fatal && report.lines === 0)) return EXIT_USAGE;
  io.stdout.write(args.format === "json" ? stringifyJson(report, 2) + "\n" : renderStatsTable(report));
  return reporter.fatal ? EXIT_USAGE : EXIT_OK;
}

export const statsCommand: CommandSpec<StatsArgs> = {
  command: "stats [paths..]",
  describe: "show how the trace was parsed: lines by kind, syscalls, pids, strace flags, unrecognised lines",
  builder: (y: Argv) =>
    y
      .positional("paths", PATHS_POSITIONAL)
      .option("format", { choices: ["table", "json"] as const, default: "table" as const, describe: "output format" })
      .option("full", { type: "boolean", default: false, describe: FULL_DESCRIPTION }),
  run: runStats,
};
