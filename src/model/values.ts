// Small readers over the parser's structured `Value`s, tolerant of every spelling strace
// uses for the same thing: plain, `-X raw` (hex ints), `-X verbose` (int + comment) and
// `-N` (`name=value`). The model never looks at raw text when a Value says it already.
import type { Value } from "../syntax/events.js";

/** Strip a `-N`/`--arg-names` (or `flags=`-style clone argument) name. */
export function unnamed(v: Value | undefined): Value | undefined {
  let cur = v;
  while (cur !== undefined && cur.kind === "named") cur = cur.value;
  return cur;
}

/** The argument at a position, with any `name=` prefix removed. */
export function arg(args: readonly Value[], index: number): Value | undefined {
  return unnamed(args[index]);
}

/** The argument strace printed as `name=value` (clone's `flags=`), searched by name. */
export function namedArg(args: readonly Value[], name: string): Value | undefined {
  for (const a of args) {
    if (a.kind === "named" && a.name === name) return unnamed(a.value);
  }
  return undefined;
}

/** An integer as printed (`3`, `0x10000`, `3<pipe:[9]>` counts as 3), or null. */
export function intOf(v: Value | undefined): number | null {
  const u = unnamed(v);
  if (u === undefined) return null;
  switch (u.kind) {
    case "int":
      return u.value;
    case "fd":
      return u.fd;
    case "indirect":
      return intOf(u.value);
    case "changed":
      // `[in => out]`: what the kernel left there is the answer.
      return intOf(u.after);
    default:
      return null;
  }
}

/** An fd argument: its number and decoration (null when `-y` was not used). */
export function fdOf(v: Value | undefined): { fd: number; path: string | null } | null {
  const u = unnamed(v);
  if (u === undefined) return null;
  if (u.kind === "fd") return { fd: u.fd, path: u.path };
  if (u.kind === "int" && Number.isInteger(u.value)) return { fd: u.value, path: null };
  return null;
}

/**
 * The symbolic names a flags-like value carries: identifiers (`SHUT_WR`), and the names in
 * `-X verbose` comments (`0x1 /* SHUT_WR *\/`, `0x80800 /* SOCK_CLOEXEC|SOCK_NONBLOCK *\/`).
 */
export function flagNames(v: Value | undefined): string[] {
  const out: string[] = [];
  findFlagName(v, (name) => {
    out.push(name);
    return false;
  });
  return out;
}

/** The first of flagNames(v) that `test` accepts, found without building the list (the model
 *  asks this of most calls it reads: openat's flags, ioctl's request, fstat's mode). */
export function findFlagName(v: Value | undefined, test: (name: string) => boolean): string | undefined {
  const x = unnamed(v);
  if (x === undefined) return undefined;
  switch (x.kind) {
    case "ident":
      return test(x.name) ? x.name : commentName(x.comment, test);
    case "int":
      return commentName(x.comment, test);
    case "flags":
      for (const p of x.parts) {
        const found = findFlagName(p, test);
        if (found !== undefined) return found;
      }
      return commentName(x.comment, test);
    case "alternatives":
      for (const o of x.options) {
        const found = findFlagName(o, test);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The first name in a `-X verbose` comment that `test` accepts. */
function commentName(c: string | undefined, test: (name: string) => boolean): string | undefined {
  if (c === undefined) return undefined;
  for (const part of c.split(/[|\s]+/)) if (/^[A-Z_][A-Z0-9_]*$/.test(part) && test(part)) return part;
  return undefined;
}

/** The numeric bits of a flags-like value (`0x400|17` → 0x411); idents contribute nothing. */
export function flagBits(v: Value | undefined): number {
  const u = unnamed(v);
  if (u === undefined) return 0;
  if (u.kind === "int") return u.value;
  if (u.kind === "flags") {
    let bits = 0;
    for (const p of u.parts) if (p.kind === "int") bits = orBits(bits, p.value);
    return bits;
  }
  return 0;
}

/** Bitwise OR that stays correct above 2^31 (clone flags such as CLONE_IO = 0x80000000). */
export function orBits(a: number, b: number): number {
  return Number(BigInt(Math.trunc(a)) | BigInt(Math.trunc(b)));
}

export function hasBit(bits: number, mask: number): boolean {
  return (BigInt(Math.trunc(bits)) & BigInt(mask)) !== 0n;
}

/** True when a flags value names `name` or, numerically, has `mask` set. */
export function hasFlag(v: Value | undefined, name: string, mask: number): boolean {
  return flagNames(v).includes(name) || hasBit(flagBits(v), mask);
}

/** A struct field by name (first match), looking through `{...} => {...}` changes. */
export function field(v: Value | undefined, name: string): Value | undefined {
  const u = unnamed(v);
  if (u === undefined) return undefined;
  if (u.kind === "changed") return field(u.before, name) ?? field(u.after, name);
  if (u.kind !== "struct") return undefined;
  for (const f of u.fields) if (f.name === name) return unnamed(f.value);
  return undefined;
}

/** Struct fields whose name starts with `prefix` (old 4.x `msg_iov(1)=[...]`). */
export function fieldByPrefix(v: Value | undefined, prefix: string): Value | undefined {
  const u = unnamed(v);
  if (u === undefined) return undefined;
  if (u.kind === "changed") return fieldByPrefix(u.before, prefix) ?? fieldByPrefix(u.after, prefix);
  if (u.kind !== "struct") return undefined;
  for (const f of u.fields) if (f.name !== null && f.name.startsWith(prefix)) return unnamed(f.value);
  return undefined;
}

/** The items of an array value, looking through `changed` (the kernel's view wins). A
 * one-item array prints like a pointer-to-value (`[7]`), so an `indirect` is a one-item list. */
export function arrayOf(v: Value | undefined): { items: readonly Value[]; elided: boolean } | null {
  const u = unnamed(v);
  if (u === undefined) return null;
  if (u.kind === "array") return { items: u.items, elided: u.elided };
  if (u.kind === "indirect") return { items: [u.value], elided: false };
  if (u.kind === "changed") return arrayOf(u.after) ?? arrayOf(u.before);
  return null;
}

/** The elements of a list, or none. */
export function listItems(v: Value | undefined): readonly Value[] {
  return arrayOf(v)?.items ?? [];
}
