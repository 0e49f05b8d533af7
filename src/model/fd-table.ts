// An fd table belongs to a process; threads (CLONE_FILES) share it, fork copies it. Entries
// point at streams and count as references; every removal goes through the model so it can
// tell the rules whether the last reference to a stream just went away.
import type { Stream } from "./stream.js";

export interface FdEntry {
  readonly stream: Stream;
  cloexec: boolean;
}

let nextTableId = 1;

export class FdTable {
  readonly id = nextTableId++;
  readonly entries = new Map<number, FdEntry>();
  /** Live tasks (threads/processes) using this table. */
  users = 0;

  get(fd: number): FdEntry | undefined {
    return this.entries.get(fd);
  }
}
