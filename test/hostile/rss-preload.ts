// Preloaded into a child CLI process (`node --import`): writes its peak resident set size in
// bytes to the file named by STRACE_RACE_TEST_RSS_FILE when it exits.
import { writeFileSync } from "node:fs";

const target = process.env.STRACE_RACE_TEST_RSS_FILE;
if (target) {
  process.on("exit", () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
