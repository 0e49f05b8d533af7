// Numbers as people read them in reports: grouped digits, bytes with a unit.
import { fmt } from "../rules/wording.js";

export function formatCount(n: number): string {
  return fmt(n);
}

export function formatBytes(n: number, exact = true): string {
  return `${exact ? "" : "≥"}${formatCount(n)} B`;
}
