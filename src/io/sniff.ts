// Tells from the first bytes of an input what it is: gzip to unpack, text to parse, or a
// binary format we can name in the error message (a pcap attached instead of the strace log).

export type Sniffed =
  | { readonly kind: "gzip" }
  | { readonly kind: "text" }
  | { readonly kind: "binary"; readonly looksLike: string };

const MAGICS: readonly (readonly [readonly number[], string])[] = [
  [[0xd4, 0xc3, 0xb2, 0xa1], "a pcap packet capture"],
  [[0xa1, 0xb2, 0xc3, 0xd4], "a pcap packet capture"],
  [[0x4d, 0x3c, 0xb2, 0xa1], "a pcap packet capture"],
  [[0x0a, 0x0d, 0x0d, 0x0a], "a pcapng packet capture"],
  [[0x7f, 0x45, 0x4c, 0x46], "an ELF executable or core file"],
  [[0x89, 0x50, 0x4e, 0x47], "a PNG image"],
  [[0xff, 0xd8, 0xff], "a JPEG image"],
  [[0x50, 0x4b, 0x03, 0x04], "a zip archive"],
  [[0x28, 0xb5, 0x2f, 0xfd], "zstd-compressed data (unpack it with `zstd -d` first)"],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a], "xz-compressed data (unpack it with `xz -d` first)"],
  [[0x42, 0x5a, 0x68], "bzip2-compressed data (unpack it with `bzip2 -d` first)"],
  [[0x25, 0x50, 0x44, 0x46], "a PDF document"],
];

/** Classify by magic bytes, then by the share of control bytes in the first block. */
export function sniff(head: Uint8Array): Sniffed {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { kind: "gzip" };
  for (const [magic, name] of MAGICS) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) {
      return { kind: "binary", looksLike: name };
    }
  }
  const n = Math.min(head.length, 4096);
  let control = 0;
  let nul = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b === 0) nul++;
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b) control++;
  }
  // strace escapes every byte it prints, so NULs or control bytes in any number mean binary
  // data; a few can be program output spliced into a 2>&1 capture, and must not refuse it.
  if (n > 0 && (nul / n > 0.01 || (nul + control) / n > 0.1)) {
    return { kind: "binary", looksLike: "binary data, not text" };
  }
  return { kind: "text" };
}

/** What a text file that held no strace line looks like, for the error message. */
export function describeText(sample: string): string {
  const s = sample.trimStart().slice(0, 512).toLowerCase();
  if (s.startsWith("<!doctype html") || s.startsWith("<html")) return "an HTML page";
  if (s.startsWith("<?xml")) return "an XML document";
  if (s.startsWith("{") || s.startsWith("[")) return "JSON data";
  return "text that is not strace output";
}
