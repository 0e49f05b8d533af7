// Puts event timestamps on one axis in seconds. `-r` prints the time since the previous line,
// so those deltas are summed; `-t`/`-tt`/`-ttt` are absolute already (a `-t` trace that
// crosses midnight goes backwards: a day is added so elapsed times stay positive).
const DAY_S = 86_400;

export class TimeAxis {
  private mode: "unknown" | "absolute" | "relative" = "unknown";
  private clock = 0;
  /** The last absolute time, NaN before the first: a field that may hold null keeps each time in
   *  a new heap number, whose store here (at every event) took the write barrier's slow path. */
  private last = NaN;
  private dayOffset = 0;

  /** Map a printed entry time to the axis; null stays null. */
  map(time: number | null): number | null {
    if (time === null) return null;
    if (this.mode === "unknown") {
      // strace -r prints the first line as exactly 0.000000; absolute clocks never do.
      this.mode = time === 0 ? "relative" : "absolute";
    }
    if (this.mode === "relative") {
      this.clock += time;
      return this.clock;
    }
    // (Never true before the first time: NaN compares false.)
    if (time + this.dayOffset < this.last - DAY_S / 2 && time < DAY_S) this.dayOffset += DAY_S;
    const t = time + this.dayOffset;
    this.last = t;
    return t;
  }

  get hasTimestamps(): boolean {
    return this.mode !== "unknown";
  }
}
