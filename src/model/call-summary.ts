// A call reduced to the short form the evidence lines show: `writev(8, …, 2) = 219264`.
// Numbers and symbolic names stay, buffers and structs become `…`, decorations are dropped.
import type { ExitEvent, SyscallEvent, Value } from "../syntax/events.js";

function short(v: Value): string {
  switch (v.kind) {
    case "int":
      return v.text;
    case "fd":
      return String(v.fd);
    case "ident":
      return v.name;
    case "flags": {
      if (v.parts.length === 0) return "";
      let text = short(v.parts[0]!);
      for (let i = 1; i < v.parts.length; i++) text += `|${short(v.parts[i]!)}`;
      return text;
    }
    case "named":
      return `${v.name}=${short(v.value)}`;
    case "indirect": {
      const inner = short(v.value);
      return inner === "…" ? "…" : `[${inner}]`;
    }
    case "array":
      // socketpair/pipe fd pairs are worth showing; iovecs are not.
      if (v.items.length <= 2 && v.items.every((i) => i.kind === "fd" || i.kind === "int")) {
        return `[${v.items.map(short).join(", ")}]`;
      }
      return "…";
    default:
      return "…";
  }
}

function retText(ev: SyscallEvent): string {
  if (ev.errno !== null) return ev.ret === null ? `? ${ev.errno}` : `-1 ${ev.errno}`;
  if (ev.ret === null) return "?";
  return String(ev.ret);
}

export function syscallResult(ev: SyscallEvent): string {
  return retText(ev);
}

export function summarizeSyscall(ev: SyscallEvent): string {
  // One string built in place (no array of parts, no join): this runs for most calls the model
  // reads.
  const args = ev.args;
  let text = `${ev.name}(`;
  for (let i = 0; i < args.length; i++) text += i === 0 ? short(args[i]!) : `, ${short(args[i]!)}`;
  return `${text}) = ${retText(ev)}`;
}

export function summarizeExit(ev: ExitEvent): string {
  if (ev.how === "exited") return `+++ exited with ${ev.code ?? "?"} +++`;
  if (ev.how === "killed") return `+++ killed by ${ev.signal ?? "?"}${ev.coreDumped === true ? " (core dumped)" : ""} +++`;
  return `+++ superseded by execve in pid ${ev.newPid ?? "?"} +++`;
}
