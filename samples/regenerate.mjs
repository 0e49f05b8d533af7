#!/usr/bin/env node
// Regenerates every sample: compiles the programs into a neutral temp dir, records each one
// under the real strace with every flag set, and writes samples/<case>/expected.json from the
// programs' own truth files. Usage: node samples/regenerate.mjs [case...] [--only=recording,...]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CASES, SAMPLES_DIR, buildCase, caseByName, commandLines, recordCase, recordingsFor, straceWorks } from "./tools/recorder.mjs";

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const names = args.filter((a) => !a.startsWith("--"));
const cases = names.length > 0 ? names.map(caseByName) : CASES;
const pick = (c) => (only ? recordingsFor(c).filter((r) => only.includes(r.name)) : recordingsFor(c));

if (!straceWorks()) {
  console.error("regenerate: strace cannot trace here (is ptrace permitted?)");
  process.exit(2);
}

// A fixed, neutral directory so traces carry no personal paths (-yy and -k print them).
const workDir = path.join(os.tmpdir(), "sr-sample");
fs.rmSync(workDir, { recursive: true, force: true });

for (const c of cases) {
  buildCase(c, workDir);
  const dir = path.join(SAMPLES_DIR, c.name);
  const expectedPath = path.join(dir, "expected.json");
  const previous = fs.existsSync(expectedPath) ? JSON.parse(fs.readFileSync(expectedPath, "utf8")) : null;
  const out = {
    description: c.description,
    recordings: { ...(previous?.recordings ?? {}) },
    truth: { ...(previous?.truth ?? {}) },
  };
  for (const rec of pick(c)) {
    const outPath = path.join(dir, rec.output === "ff" ? "ff" : `${rec.name}.strace`);
    const { truth, expected } = await recordCase(c, rec, { workDir, outPath });
    out.recordings[rec.name] = expected;
    out.truth[rec.name] = truth;
    const summary = expected.length === 0 ? "clean" : expected.map((e) => `${e.rule}@${e.file ? `${e.file}:` : ""}${e.line} ${e.unsentBytes}B`).join(", ");
    console.log(`${c.name}/${rec.name}: ${summary}`);
  }
  // Keep the recordings in the documented order.
  const ordered = (o) => Object.fromEntries(recordingsFor(c).filter((r) => r.name in o).map((r) => [r.name, o[r.name]]));
  out.recordings = ordered(out.recordings);
  out.truth = ordered(out.truth);
  fs.writeFileSync(expectedPath, `${JSON.stringify(out, null, 2)}\n`);
  writeCommands(path.join(dir, "README.md"), c);
}
fs.rmSync(workDir, { recursive: true, force: true });

/** Rewrite the generated "how it was recorded" block of a case README (between the markers). */
function writeCommands(readme, c) {
  if (!fs.existsSync(readme)) return;
  const text = fs.readFileSync(readme, "utf8");
  const begin = "<!-- commands:begin (written by samples/regenerate.mjs) -->";
  const end = "<!-- commands:end -->";
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  const block = `${begin}\n\`\`\`sh\n${commandLines(c).join("\n")}\n\`\`\`\n`;
  fs.writeFileSync(readme, text.slice(0, i) + block + text.slice(j));
}
