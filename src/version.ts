// The tool's name and version, read once from package.json (dist/src/version.js → ../../).
import { readFileSync } from "node:fs";

export const TOOL_NAME = "strace-race";

export const TOOL_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
})();
