// Records the chatty test program (test/fixtures/chatty/chatty.c) with the real strace under a
// matrix of flag sets, into a temporary directory, for the conformance run and its tests.
// Flags are spelled as strace 6.1 accepts them (`strace -h`); a flag set the local strace
// rejects is reported as unsupported, never faked.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where strace's output goes: `-o FILE`, `-ff -o PREFIX` (one file per pid), or strace's
 * stderr with the program's stdout and stderr on the same descriptor (`2>&1`). */
export type CaptureMode = "file" | "ff" | "stderr";

/** Which chatty is traced: the C one (default), or its Node.js or Python flavour for the
 * syscalls of a language runtime (libuv's epoll loop and thread pool, CPython's imports). */
export type ChattyProgram = "c" | "node" | "python";

export interface FlagVariant {
  /** Human label, e.g. `-f -tt` or `-f 2>&1`. */
  readonly label: string;
  /** strace arguments (without -o and the program). */
  readonly args: readonly string[];
  readonly mode: CaptureMode;
  readonly program: ChattyProgram;
}

export interface CaptureFile {
  readonly path: string;
  /** pid from an `-ff` file suffix (`trace.1234`), else null. */
  readonly pid: number | null;
}

export interface Capture {
  readonly label: string;
  readonly args: readonly string[];
  readonly mode: CaptureMode;
  readonly program: ChattyProgram;
  readonly files: readonly CaptureFile[];
  /** True only for `2>&1` captures: program output is mixed into strace's lines. */
  readonly programOutput: boolean;
  /** `-f`/`-ff` in the args (pids printed on lines; children traced). */
  readonly followsForks: boolean;
  /** strace's exit code: the program's, unless strace itself failed. */
  readonly straceExitCode: number | null;
  /** `strace: ...` error lines strace printed while recording (e.g. -k's libunwind failure
   * when a non-leader thread execs, which ends the trace early on strace 6.1). */
  readonly straceComplaints: readonly string[];
  readonly durationMs: number;
}

export interface UnsupportedVariant {
  readonly label: string;
  readonly reason: string;
}

export interface FlagMatrix {
  /** Temporary directory holding everything (never inside the repository). */
  readonly dir: string;
  readonly straceVersion: string;
  readonly captures: readonly Capture[];
  readonly unsupported: readonly UnsupportedVariant[];
  readonly elapsedMs: number;
  /** Removes the temporary directory. */
  cleanup(): void;
}

/** Flag sets recorded with `-o FILE` unless noted. Most add `-f` so threads and children are
 * traced and every line carries a pid. */
export const FLAG_VARIANTS: readonly FlagVariant[] = [
  v("(no flags)", [], "file"),
  v("-f", ["-f"], "file"),
  v("-ff", ["-ff"], "ff"),
  v("-ff -tt -T -yy", ["-ff", "-tt", "-T", "-yy"], "ff"),
  v("-f -t", ["-f", "-t"], "file"),
  v("-f -tt", ["-f", "-tt"], "file"),
  v("-f -ttt", ["-f", "-ttt"], "file"),
  v("-f -r", ["-f", "-r"], "file"),
  v("-f -T", ["-f", "-T"], "file"),
  v("-f -y", ["-f", "-y"], "file"),
  v("-f -yy", ["-f", "-yy"], "file"),
  v("-f -x", ["-f", "-x"], "file"),
  v("-f -xx", ["-f", "-xx"], "file"),
  v("-f -x -yy", ["-f", "-x", "-yy"], "file"),
  v("-f -xx -yy", ["-f", "-xx", "-yy"], "file"),
  v("-f --strings-in-hex=non-ascii-chars -yy", ["-f", "--strings-in-hex=non-ascii-chars", "-yy"], "file"),
  v("-f -s 0", ["-f", "-s", "0"], "file"),
  v("-f -s 4096", ["-f", "-s", "4096"], "file"),
  v("-f -X raw", ["-f", "-X", "raw"], "file"),
  v("-f -X verbose", ["-f", "-X", "verbose"], "file"),
  v("-f -X raw -ttt -T -yy", ["-f", "-X", "raw", "-ttt", "-T", "-yy"], "file"),
  v("-f -v", ["-f", "-v"], "file"),
  v("-f -v -yy -s 4096", ["-f", "-v", "-yy", "-s", "4096"], "file"),
  v("-f -k", ["-f", "-k"], "file"),
  v("-f -i", ["-f", "-i"], "file"),
  v("-f -n", ["-f", "-n"], "file"),
  v("-f -n -i -tt -T", ["-f", "-n", "-i", "-tt", "-T"], "file"),
  v("-f -Y", ["-f", "-Y"], "file"),
  v("-f -Y -yy", ["-f", "-Y", "-yy"], "file"),
  v("-f -e inject=write:error=EAGAIN:when=3+", ["-f", "-e", "inject=write:error=EAGAIN:when=3+"], "file"),
  v("-f -e inject=write:retval=5", ["-f", "-e", "inject=write:retval=5"], "file"),
  v("-f -e inject=write:delay_exit=200:when=2+4", ["-f", "-e", "inject=write:delay_exit=200:when=2+4"], "file"),
  v("-f -z", ["-f", "-z"], "file"),
  v("-f -Z", ["-f", "-Z"], "file"),
  v("-f --status=unfinished", ["-f", "--status=unfinished"], "file"),
  v("-f -c", ["-f", "-c"], "file"),
  v("-f -C", ["-f", "-C"], "file"),
  v("-f --timestamps=unix,ns", ["-f", "--timestamps=unix,ns"], "file"),
  v("-f --timestamps=unix,s", ["-f", "--timestamps=unix,s"], "file"),
  v("-f --timestamps=time,ms", ["-f", "--timestamps=time,ms"], "file"),
  v("-f --relative-timestamps=ns", ["-f", "--relative-timestamps=ns"], "file"),
  v("-f --syscall-times=ns", ["-f", "--syscall-times=ns"], "file"),
  v("-f -t -r", ["-f", "-t", "-r"], "file"),
  v("-f -tt -T -yy", ["-f", "-tt", "-T", "-yy"], "file"),
  v("-f -e write=1", ["-f", "-e", "write=1"], "file"),
  v("-f -e read=all -e write=all -s 16", ["-f", "-e", "read=all", "-e", "write=all", "-s", "16"], "file"),
  v("-f -qq", ["-f", "-qq"], "file"),
  v("-f -e signal=none", ["-f", "-e", "signal=none"], "file"),
  v("-f -a 0", ["-f", "-a", "0"], "file"),
  v("-f -e trace=%network,%desc", ["-f", "-e", "trace=%network,%desc"], "file"),
  v("--seccomp-bpf -f", ["--seccomp-bpf", "-f", "-e", "trace=%network,%desc,%process"], "file"),
  v("2>&1", [], "stderr"),
  v("-f 2>&1", ["-f"], "stderr"),
  v("-f -tt -T -yy 2>&1", ["-f", "-tt", "-T", "-yy"], "stderr"),
  v("-f -Y 2>&1", ["-f", "-Y"], "stderr"),
  v("-f -s 4096 -x 2>&1", ["-f", "-s", "4096", "-x"], "stderr"),
  v("-f -k 2>&1", ["-f", "-k"], "stderr"),
  v("-f -e write=1,2 2>&1", ["-f", "-e", "write=1,2"], "stderr"),
  v("-f -e inject=close:signal=SIGURG:when=2+5", ["-f", "-e", "inject=close:signal=SIGURG:when=2+5"], "file"),
  v("-f -e status=failed,unfinished -e quiet=all", ["-f", "-e", "status=failed,unfinished", "-e", "quiet=all"], "file"),
  // Newer than strace 6.1, or build-dependent: recorded where the local strace accepts them.
  v("--always-show-pid -f 2>&1", ["--always-show-pid", "-f"], "stderr"),
  v("-f -N", ["-f", "-N"], "file"),
  v("-f --color=always", ["-f", "--color=always"], "file"),
  v("-f --secontext", ["-f", "--secontext"], "file"),
  v("node: -f -yy -tt -T", ["-f", "-yy", "-tt", "-T"], "file", "node"),
  v("node: -f 2>&1", ["-f"], "stderr", "node"),
  v("python: -f -yy -ttt -T", ["-f", "-yy", "-ttt", "-T"], "file", "python"),
];

/** One recording normally takes well under a second; -k is the slowest. */
const RUN_TIMEOUT_MS = 20_000;

function v(label: string, args: readonly string[], mode: CaptureMode, program: ChattyProgram = "c"): FlagVariant {
  return { label, args, mode, program };
}

/** The repository root, from this file's place in `dist/scripts/`. */
export function repoRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url));
}

export interface RecordOptions {
  /** Only variants whose label is listed (default: all). */
  readonly only?: readonly string[];
  /** Parallel strace runs (default 2). */
  readonly concurrency?: number;
  /** Parent for the temporary directory (default: the OS temp dir). */
  readonly tmpParent?: string;
}

/** Builds chatty and records every variant. Throws when gcc or strace is missing. */
export async function recordFlagMatrix(opts: RecordOptions = {}): Promise<FlagMatrix> {
  const started = Date.now();
  const dir = mkdtempSync(join(opts.tmpParent ?? tmpdir(), "strace-race-matrix-"));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const version = spawnSync("strace", ["-V"], { encoding: "utf8" });
    if (version.error || version.status !== 0) {
      throw new Error(`strace not runnable: ${version.error?.message ?? version.stderr}`);
    }
    const straceVersion = version.stdout.split("\n")[0] ?? "";
    // A directory with a space in its name, so execve paths and -y decorations carry one.
    const binDir = join(dir, "bin dir");
    mkdirSync(binDir);
    const program = join(binDir, "chatty");
    const source = join(repoRoot(), "test", "fixtures", "chatty", "chatty.c");
    const cc = spawnSync("gcc", ["-O1", "-pthread", "-o", program, source], { encoding: "utf8" });
    if (cc.error || cc.status !== 0) {
      throw new Error(`building ${source} failed: ${cc.error?.message ?? cc.stderr}`);
    }
    const fixtures = join(repoRoot(), "test", "fixtures", "chatty");
    const python = spawnSync("python3", ["-c", "pass"]);
    const commands: Record<ChattyProgram, readonly string[] | string> = {
      c: [program],
      node: [process.execPath, join(fixtures, "chatty.mjs")],
      // -S: no site imports, so the run stays short under strace.
      python: python.error || python.status !== 0 ? "python3 not found" : ["python3", "-S", join(fixtures, "chatty.py")],
    };
    const variants = FLAG_VARIANTS.filter((x) => !opts.only || opts.only.includes(x.label));
    const results: (Capture | UnsupportedVariant)[] = new Array(variants.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < variants.length) {
        const i = next++;
        const variant = variants[i]!;
        const command = commands[variant.program];
        results[i] =
          typeof command === "string"
            ? { label: variant.label, reason: command }
            : await recordOne(variant, i, dir, command);
      }
    };
    const n = Math.max(1, opts.concurrency ?? 2);
    await Promise.all(Array.from({ length: n }, worker));
    const captures = results.filter((r): r is Capture => "files" in r);
    const unsupported = results.filter((r): r is UnsupportedVariant => !("files" in r));
    return { dir, straceVersion, captures, unsupported, elapsedMs: Date.now() - started, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

function slug(label: string): string {
  return label.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "") || "plain";
}

async function recordOne(
  variant: FlagVariant,
  index: number,
  dir: string,
  command: readonly string[],
): Promise<Capture | UnsupportedVariant> {
  const capDir = join(dir, `${String(index).padStart(2, "0")}-${slug(variant.label)}`);
  const workDir = join(capDir, "work");
  mkdirSync(workDir, { recursive: true });
  const started = Date.now();
  const straceArgs = [...variant.args];
  let stdoutFd: number;
  let stderrFd: number;
  let stderrPath: string;
  if (variant.mode === "stderr") {
    // `strace ... 2>&1`: strace's lines, its messages and the program's output share one fd.
    stderrPath = join(capDir, "trace.txt");
    stdoutFd = openSync(stderrPath, "w");
    stderrFd = stdoutFd;
  } else {
    // -ff files get a directory of their own: `parse DIR` reads every file in it as one set.
    if (variant.mode === "ff") mkdirSync(join(capDir, "ff"));
    const target = variant.mode === "ff" ? join(capDir, "ff", "trace") : join(capDir, "trace.txt");
    straceArgs.push("-o", target);
    stdoutFd = openSync(join(capDir, "program.out"), "w");
    stderrPath = join(capDir, "strace.err");
    stderrFd = openSync(stderrPath, "w");
  }
  straceArgs.push(...command, workDir);
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn("strace", straceArgs, { stdio: ["ignore", stdoutFd, stderrFd], cwd: capDir });
    // A hung run must not hang the suite: strace is killed (its tracees die with it).
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("error", () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  closeSync(stdoutFd);
  if (stderrFd !== stdoutFd) closeSync(stderrFd);

  const files: CaptureFile[] = [];
  if (variant.mode === "ff") {
    for (const name of readdirSync(join(capDir, "ff")).sort()) {
      const m = /^trace\.(\d+)$/.exec(name);
      if (m) files.push({ path: join(capDir, "ff", name), pid: Number(m[1]) });
    }
  } else if (existsSync(join(capDir, "trace.txt"))) {
    files.push({ path: join(capDir, "trace.txt"), pid: null });
  }
  // strace's own complaints (the program's stderr shares the file in -o modes, and may
  // precede one on the same line); attach/detach notices are not complaints.
  const errText = existsSync(stderrPath) ? readFileSync(stderrPath, "utf8") : "";
  const complaints = [...errText.matchAll(/strace: (?!Process \d+ (?:attached|detached))[^\n]*/g)].map((m) => m[0]);
  // In a 2>&1 capture a rejected option is the first line of the "trace" itself.
  const rejectedInline = variant.mode === "stderr" && exitCode !== 0 && /^strace: /.test(errText);
  const empty = files.every((f) => statSync(f.path).size === 0);
  if (exitCode === null || files.length === 0 || rejectedInline || (empty && complaints.length > 0)) {
    return { label: variant.label, reason: complaints[0] ?? `strace exit code ${exitCode}, no output` };
  }
  return {
    label: variant.label,
    args: variant.args,
    mode: variant.mode,
    program: variant.program,
    files,
    programOutput: variant.mode === "stderr",
    followsForks: variant.args.some((a) => a === "-f" || a === "-ff"),
    straceExitCode: exitCode,
    straceComplaints: complaints,
    durationMs: Date.now() - started,
  };
}

// Run directly: record into a kept temporary directory and list what was made.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const m = await recordFlagMatrix();
  for (const c of m.captures) {
    console.log(`${c.label.padEnd(44)} ${c.files.length} file(s) ${c.durationMs} ms exit ${c.straceExitCode}`);
    for (const s of c.straceComplaints) console.log(`  ${s}`);
  }
  for (const u of m.unsupported) console.log(`UNSUPPORTED ${u.label}: ${u.reason}`);
  console.log(`${m.straceVersion}; ${m.captures.length} captures in ${m.elapsedMs} ms under ${m.dir}`);
}
