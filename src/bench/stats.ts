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

/**
 * A distribution-free confidence interval of the median (the sign test's): the pair of order statistics
 * around the median that holds it with at least `confidence`, whatever the distribution; undefined
 * when there are too few values for that (fewer than 6 at 95%).
 */
export function medianInterval(values: number[], confidence = 0.95): { low: number; high: number } | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  // P(X <= k) for X ~ Binomial(n, 1/2): the chance that at most k values fall below the median.
  let below = 0;
  let choose = 1;
  let k = -1;
  while (k + 1 < n / 2) {
    const next = below + choose / 2 ** n;
    if (next > (1 - confidence) / 2) break;
    below = next;
    k += 1;
    choose = (choose * (n - k)) / (k + 1);
  }
  return k < 0 ? undefined : { low: sorted[k], high: sorted[n - 1 - k] };
}
