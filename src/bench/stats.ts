/** Timing of one generated stream. */
export interface StreamStats {
  /** Generated tokens. */
  tokens: number;
  /** From sending the request to the first generated text. */
  ttftMs: number;
  /** Tokens per second after the first one (prompt processing excluded). */
  decodeTokensPerSecond: number;
  /** From sending the request to the end of the stream. */
  totalMs: number;
}

/** Builds the stats of a stream from `performance.now()` marks: start, first and last token, end. */
export function streamStats(started: number, first: number | undefined, last: number | undefined, ended: number, tokens: number): StreamStats {
  if (first === undefined || last === undefined || tokens < 2) throw new Error(`the model generated only ${tokens} token(s); a benchmark needs more`);
  return { tokens, ttftMs: first - started, decodeTokensPerSecond: ((tokens - 1) * 1000) / (last - first), totalMs: ended - started };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
