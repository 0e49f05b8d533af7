// Numbers as people read them in reports: grouped digits, bytes with a unit.

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatBytes(n: number, exact = true): string {
  return `${exact ? "" : "≥"}${formatCount(n)} B`;
}
