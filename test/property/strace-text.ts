// Generators of hostile strace text for the property tests and `npm run fuzz`: real sample lines
// cut, duplicated, shuffled, with bytes flipped, control and ESC bytes inserted, numbers made
// giant and brackets nested deep, plus plain arbitrary bytes. Inputs are Buffers: a flipped byte
// may make invalid UTF-8, which the line reader must take too.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";

/** dist/test/property/ → the repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Every `.strace` recording under samples/ (not the -ff directories), as text. */
export function sampleTraces(): { name: string; text: string }[] {
  const samples = join(ROOT, "samples");
  const out: { name: string; text: string }[] = [];
  for (const c of readdirSync(samples).sort()) {
    const dir = join(samples, c);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith(".strace")) out.push({ name: `${c}/${f}`, text: readFileSync(join(dir, f), "utf8") });
    }
  }
  return out;
}

const TRACES = sampleTraces();
const LINES = [...new Set(TRACES.flatMap((t) => t.text.split("\n")).filter((l) => l !== ""))];

/** Bytes a hostile or damaged log may carry. */
const NASTY = [
  "\x1b", "\x1b[2J", "\x1b]0;x\x07", "\x9b", "\x9d", "\x07", "\x08", "\r", "\x00", "\x7f", "\u202e", "\u2066",
  "\ufffd", "\ud800", "<unfinished ...>", "<... write resumed>", " = ", ") = ?", "\"", "\\", "...", "/*", "*/",
  "--- ", " ---", "+++ ", " +++", "strace: Process 1 attached", "[pid  1] ", "<", ">", "=>", "\n", "\t",
];

type Mutation = (lines: string[]) => string[];

const cutLine = fc.tuple(fc.nat(), fc.nat()).map(([i, at]): Mutation => (lines) => {
  if (lines.length === 0) return lines;
  const k = i % lines.length;
  const l = lines[k]!;
  return [...lines.slice(0, k), l.slice(0, at % (l.length + 1)), ...lines.slice(k + 1)];
});
const duplicate = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 50 })).map(([i, n]): Mutation => (lines) => {
  if (lines.length === 0) return lines;
  const k = i % lines.length;
  return [...lines.slice(0, k), ...Array<string>(n).fill(lines[k]!), ...lines.slice(k)];
});
const swap = fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (lines) => {
  if (lines.length < 2) return lines;
  const out = [...lines];
  const i = a % out.length;
  const j = b % out.length;
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
});
const insertAt = (text: fc.Arbitrary<string>) =>
  fc.tuple(fc.nat(), fc.nat(), text).map(([i, at, s]): Mutation => (lines) => {
    if (lines.length === 0) return [s];
    const k = i % lines.length;
    const l = lines[k]!;
    const p = at % (l.length + 1);
    return [...lines.slice(0, k), l.slice(0, p) + s + l.slice(p), ...lines.slice(k + 1)];
  });
const giantNumber = fc.tuple(fc.nat(), fc.integer({ min: 20, max: 2000 })).map(([i, n]): Mutation => (lines) => {
  if (lines.length === 0) return lines;
  const k = i % lines.length;
  return lines.map((l, j) => (j === k ? l.replace(/\d+/g, (d) => d + "9".repeat(n)) : l));
});
const deepNesting = fc.tuple(fc.integer({ min: 10, max: 20000 }), fc.constantFrom("{", "[", "(", "{[(", "<")).map((
  [n, open],
): string => open.repeat(Math.ceil(n / open.length)));
const replaceLine = fc.tuple(fc.nat(), fc.string({ unit: "binary", maxLength: 80 })).map(([i, s]): Mutation => (lines) => {
  if (lines.length === 0) return [s];
  const k = i % lines.length;
  return [...lines.slice(0, k), s, ...lines.slice(k + 1)];
});

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  cutLine,
  duplicate,
  swap,
  insertAt(fc.constantFrom(...NASTY)),
  insertAt(fc.string({ unit: "binary", maxLength: 16 })),
  insertAt(deepNesting),
  giantNumber,
  replaceLine,
);

/** Byte-level damage after the text is encoded: flipped bits, a cut anywhere. */
const byteFlips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 });

/** A window of consecutive lines of one real sample, mutated. */
export const mutatedTrace: fc.Arbitrary<Buffer> = fc
  .record({
    trace: fc.nat(TRACES.length - 1),
    start: fc.nat(),
    length: fc.integer({ min: 1, max: 120 }),
    mutations: fc.array(mutation, { maxLength: 8 }),
    flips: byteFlips,
    cutEnd: fc.option(fc.nat(), { nil: undefined }),
    finalNewline: fc.boolean(),
    crlf: fc.boolean(),
  })
  .map((r) => {
    const all = TRACES[r.trace]!.text.split("\n");
    const start = r.start % Math.max(1, all.length);
    let lines = all.slice(start, start + r.length);
    for (const m of r.mutations) lines = m(lines);
    const text = lines.join(r.crlf ? "\r\n" : "\n") + (r.finalNewline ? "\n" : "");
    let bytes = Buffer.from(text, "utf8");
    for (const [at, x] of r.flips) if (bytes.length > 0) bytes[at % bytes.length]! ^= x;
    if (r.cutEnd !== undefined && bytes.length > 0) bytes = bytes.subarray(0, r.cutEnd % bytes.length);
    return Buffer.from(bytes);
  });

/** Lines picked from every sample in any order: a trace that never existed but looks real. */
export const shuffledLines: fc.Arbitrary<Buffer> = fc
  .array(fc.constantFrom(...LINES), { minLength: 1, maxLength: 150 })
  .map((lines) => Buffer.from(lines.join("\n") + "\n", "utf8"));

/** Any bytes, and any text. */
export const arbitraryBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
  fc.string({ unit: "binary", maxLength: 2000 }).map((s) => Buffer.from(s, "utf8")),
);

/** Everything above, mutated real text weighted most. */
export const hostileTrace: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: mutatedTrace, weight: 6 },
  { arbitrary: shuffledLines, weight: 2 },
  { arbitrary: arbitraryBytes, weight: 1 },
);

/** Lines of one real sample, for tests that need a whole trace. */
export function sampleTrace(name: string): string {
  const t = TRACES.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no sample ${name}`);
  return t.text;
}
