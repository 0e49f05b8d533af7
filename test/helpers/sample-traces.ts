// The sample recordings the tests read every one of: each .strace file and each -ff set (an
// `ff` folder) under samples/.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", ".."), "samples");

/** Every recording in the samples' folders, in order; `judged`: only folders with an
 *  expected.json (the findings the recording must give). */
export function sampleTraces(judged = false): string[] {
  const traces: string[] = [];
  for (const c of existsSync(SAMPLES) ? readdirSync(SAMPLES).sort() : []) {
    const dir = join(SAMPLES, c);
    if (!statSync(dir).isDirectory() || (judged && !existsSync(join(dir, "expected.json")))) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith(".strace") || f === "ff") traces.push(join(dir, f));
  }
  return traces;
}
