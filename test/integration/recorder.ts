// Typed access, for the integration tests, to the sample recorder (samples/tools/recorder.mjs: it
// builds the sample programs, runs them under the real strace and locates the expected findings
// from the programs' own truth files), plus a runner for the built CLI.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** dist/test/integration/ → the repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export interface SampleCase {
  readonly name: string;
  readonly kind: "c" | "node";
  readonly description: string;
  /** The HTTP and reset cases: extra -s recordings, a filtered set with the read side. */
  readonly http?: boolean;
}

export interface Recording {
  readonly name: string;
  readonly flags: readonly string[];
  readonly output: "file" | "ff" | "2to1";
}

/** One line of a program's truth file. */
export interface TruthRecord {
  readonly kind: "loss" | "clean" | "client" | "demo";
  /** The call that ended the stream, when the rule does not say (shutdown, close). */
  readonly call?: string;
  /** Bytes of a string strace must print for the finding to be visible (an HTTP head). */
  readonly minStrsize?: number;
  readonly rule?: string;
  readonly pid?: number;
  readonly tid?: number;
  readonly fd?: number;
  readonly truthFd?: number;
  readonly intended?: number;
  readonly accepted?: number;
  readonly unsentBytes?: number;
}

export interface ExpectedFinding {
  readonly rule: string;
  readonly line: number;
  readonly unsentBytes: number;
  readonly file?: string;
}

interface RecorderModule {
  readonly SAMPLES_DIR: string;
  readonly CASES: readonly SampleCase[];
  readonly RECORDINGS: readonly Recording[];
  caseByName(name: string): SampleCase;
  recordingByName(name: string): Recording;
  recordingsFor(c: SampleCase): readonly Recording[];
  strsizeOf(rec: Recording): number;
  straceWorks(): boolean;
  buildCase(c: SampleCase, workDir: string): void;
  recordCase(
    c: SampleCase,
    rec: Recording,
    opts: { workDir: string; outPath: string; attempts?: number },
  ): Promise<{ truth: TruthRecord[]; expected: ExpectedFinding[] }>;
  traceTexts(rec: Recording, outPath: string): { file: string; text: string }[];
  locate(rec: Recording, truth: readonly TruthRecord[], texts: { file: string; text: string }[]): ExpectedFinding[];
}

export const recorder = (await import(
  pathToFileURL(path.join(repoRoot, "samples", "tools", "recorder.mjs")).href
)) as RecorderModule;

/** The part of a JSON finding the tests look at (PRODUCT.md, "JSON"). */
export interface CliFinding {
  readonly rule: string;
  readonly severity: string;
  readonly file: string;
  readonly line: number;
  readonly pid: number | null;
  readonly fd: number;
  readonly unsentBytes: number;
  readonly unsentExact: boolean;
}

export interface CliRun {
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly findings: CliFinding[];
}

/** `node bin/strace-race.js analyze --format json <path>` from the repository root. */
export function analyzeJson(tracePath: string): CliRun {
  const r = spawnSync(process.execPath, ["bin/strace-race.js", "analyze", "--format", "json", tracePath], {
    cwd: repoRoot,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  let findings: CliFinding[] = [];
  try {
    const report = JSON.parse(r.stdout) as { findings?: CliFinding[] };
    findings = report.findings ?? [];
  } catch {
    throw new Error(`analyze printed no JSON (exit ${r.status}):\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  }
  return { exitCode: r.status, stderr: r.stderr, findings };
}

/** A comparable key for a finding: rule, file (base name, -ff sets only), line, unsent bytes. */
export function findingKey(f: { rule: string; line: number; unsentBytes: number; file?: string }, perFile: boolean): string {
  const file = perFile && f.file ? path.basename(f.file) : "";
  return `${f.rule} ${file}:${f.line} ${f.unsentBytes}`;
}
