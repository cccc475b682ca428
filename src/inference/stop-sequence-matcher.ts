/**
 * Streams text while cutting it at the first stop sequence. Text that could still become a stop
 * sequence is held back until it is certain, so a stop sequence never reaches the client.
 */
export class StopSequenceMatcher {
  private held = '';
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = Math.max(0, ...stops.map((s) => s.length));
  }

  /** Returns the text that is safe to emit and whether (and which) stop sequence was hit. */
  push(text: string): { text: string; stopped: boolean; stop?: string } {
    if (this.stops.length === 0) return { text, stopped: false };
    const buffer = this.held + text;
    let cut = -1;
    let hit: string | undefined;
    for (const stop of this.stops) {
      const at = buffer.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) {
        cut = at;
        hit = stop;
      }
    }
    if (cut !== -1) {
      this.held = '';
      return { text: buffer.slice(0, cut), stopped: true, stop: hit };
    }
    const keep = this.partialStopSuffix(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return { text: buffer.slice(0, buffer.length - keep), stopped: false };
  }

  /** Text held back at the end of generation (it did not turn into a stop sequence). */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of a stop sequence. */
  private partialStopSuffix(buffer: string): number {
    for (let len = Math.min(this.longest - 1, buffer.length); len > 0; len--) {
      const suffix = buffer.slice(buffer.length - len);
      if (this.stops.some((s) => s.startsWith(suffix))) return len;
    }
    return 0;
  }
}
