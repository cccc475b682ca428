import { PromptCacheSample } from './prompt-cache';
import { median, StreamStats } from './stats';

export interface BenchSamples {
  inProcess: StreamStats[];
  http: StreamStats[];
  /** Aggregate tokens/s over HTTP per number of concurrent streams. */
  aggregate: Map<number, number[]>;
  promptCache: PromptCacheSample[];
}

export interface BenchSetup {
  model: string;
  maxTokens: number;
  rounds: number;
  /** Context sequences of the model, in the server and in-process alike. */
  sequences: number;
  cpus: number;
}

interface SideResults {
  decodeTokensPerSecond: number;
  ttftMs: number;
  tokensPerStream: number;
}

export interface BenchResults extends BenchSetup {
  inProcess: SideResults;
  http: SideResults & { aggregateTokensPerSecond: Record<string, number> };
  /** HTTP single-stream decode tokens/s divided by in-process. */
  httpVsInProcess: number;
  promptCache: PromptCacheSample;
}

/** Medians of every measure over the rounds. */
export function summarize(setup: BenchSetup, samples: BenchSamples): BenchResults {
  const side = (runs: StreamStats[]): SideResults => ({
    decodeTokensPerSecond: median(runs.map((r) => r.decodeTokensPerSecond)),
    ttftMs: median(runs.map((r) => r.ttftMs)),
    tokensPerStream: median(runs.map((r) => r.tokens)),
  });
  const inProcess = side(samples.inProcess);
  const http = side(samples.http);
  const aggregateTokensPerSecond = Object.fromEntries([...samples.aggregate].map(([streams, values]) => [streams, median(values)]));
  const cache = (pick: (s: PromptCacheSample) => number) => median(samples.promptCache.map(pick));
  const promptCache: PromptCacheSample = {
    coldTtftMs: cache((s) => s.coldTtftMs),
    secondTurnTtftMs: cache((s) => s.secondTurnTtftMs),
    promptTokens: cache((s) => s.promptTokens),
    coldCachedTokens: cache((s) => s.coldCachedTokens),
    secondTurnCachedTokens: cache((s) => s.secondTurnCachedTokens),
  };
  return {
    ...setup,
    inProcess,
    http: { ...http, aggregateTokensPerSecond },
    httpVsInProcess: http.decodeTokensPerSecond / inProcess.decodeTokensPerSecond,
    promptCache,
  };
}

export function formatTable(r: BenchResults): string {
  const num = (n: number, digits = 1) => n.toFixed(digits);
  const rows: string[][] = [
    ['', 'in-process', 'HTTP', 'HTTP/in-process'],
    ['decode tokens/s, 1 stream', num(r.inProcess.decodeTokensPerSecond), num(r.http.decodeTokensPerSecond), num(r.httpVsInProcess, 2)],
    ['time to first token, ms', num(r.inProcess.ttftMs), num(r.http.ttftMs), ''],
    ['tokens per stream', num(r.inProcess.tokensPerStream, 0), num(r.http.tokensPerStream, 0), ''],
    ...Object.entries(r.http.aggregateTokensPerSecond).map(([streams, value]) => {
      const queued = Number(streams) > r.sequences ? ` (${r.sequences} at a time)` : '';
      return [`aggregate tokens/s, ${streams} stream${streams === '1' ? '' : 's'}${queued}`, '-', num(value), ''];
    }),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const lines = rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('   ').trimEnd());
  const c = r.promptCache;
  const cacheRows: string[][] = [
    ['prompt cache (HTTP)', 'cold', '2nd turn', '2nd/cold'],
    ['time to first token, ms', num(c.coldTtftMs), num(c.secondTurnTtftMs), num(c.secondTurnTtftMs / c.coldTtftMs, 2)],
    [`cached of ${num(c.promptTokens, 0)} prompt tokens`, num(c.coldCachedTokens, 0), num(c.secondTurnCachedTokens, 0), ''],
  ];
  const cacheWidths = cacheRows[0].map((_, col) => Math.max(...cacheRows.map((row) => row[col].length)));
  const cacheLines = cacheRows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(cacheWidths[col]) : cell.padStart(cacheWidths[col]))).join('   ').trimEnd());
  const title =
    `llamanest bench: ${r.model}, max ${r.maxTokens} tokens, temperature 0, ${r.sequences} sequences, ` +
    `${r.cpus} CPUs, medians of ${r.rounds} rounds`;
  return [title, '', ...lines, '', ...cacheLines].join('\n');
}
