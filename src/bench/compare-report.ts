import { CompareSample, COMPARE_STREAMS, Side } from './compare';
import { median, medianInterval } from './stats';

export interface CompareSetup {
  model: string;
  maxTokens: number;
  rounds: number;
  /** A fresh pair of server processes every this many rounds (see `restartPlan`). */
  restartEvery?: number;
  sequences: number;
  cpus: number;
  /** Compute threads given to llama-server (-t/-tb). */
  llamaServerThreads: number;
  /** What llamanest chose by itself (threads of its context). */
  llamanestThreads: string;
  /** A/A control: a second llama-server stands in the llamanest column, so every ratio away from 1 is the machine's noise. */
  control?: boolean;
}

/** One compared measure: medians per server and llamanest's ratio (or difference, for times). */
export interface CompareRow {
  measure: string;
  unit: string;
  llamaServer: number;
  llamanest: number;
  /** llamanest / llama-server for speeds; llamanest - llama-server (ms) for times. */
  versus: number;
  higherIsBetter: boolean;
  /**
   * The same comparison made within each round (the two servers measured back to back), then its
   * median and range over the rounds: it follows the machine's drift less than the ratio of medians.
   * `interval` is the median's 95% confidence interval (absent with fewer than 6 rounds).
   */
  perRound: { median: number; min: number; max: number; interval?: { low: number; high: number } };
  goal: string;
  met: boolean;
}

export interface CompareResults extends CompareSetup {
  rows: CompareRow[];
}

const GOALS = { decode: 0.95, aggregate: 1.0, prefill: 0.95, ttftMs: 5 };

export function summarizeComparison(setup: CompareSetup, samples: Record<Side, CompareSample[]>): CompareResults {
  const m = (side: Side, pick: (s: CompareSample) => number) => median(samples[side].map(pick));
  const perRound = (pick: (s: CompareSample) => number, versus: (nest: number, server: number) => number) => {
    const values = samples.llamanest.map((s, round) => versus(pick(s), pick(samples['llama-server'][round])));
    return { median: median(values), min: Math.min(...values), max: Math.max(...values), interval: medianInterval(values) };
  };
  const speed = (measure: string, pick: (s: CompareSample) => number, goal: number): CompareRow => {
    const llamaServer = m('llama-server', pick);
    const llamanest = m('llamanest', pick);
    const versus = llamanest / llamaServer;
    const perRoundRatio = perRound(pick, (nest, server) => nest / server);
    return { measure, unit: 'tokens/s', llamaServer, llamanest, versus, higherIsBetter: true, perRound: perRoundRatio, goal: `≥ ${goal.toFixed(2)}×`, met: versus >= goal };
  };
  const ttftServer = m('llama-server', (s) => s.ttftMs);
  const ttftNest = m('llamanest', (s) => s.ttftMs);
  const prefillTokens = m('llamanest', (s) => s.prefillPromptTokens);
  return {
    ...setup,
    rows: [
      speed('decode, 1 stream', (s) => s.decode, GOALS.decode),
      ...COMPARE_STREAMS.map((n) => speed(`aggregate, ${n} streams`, (s) => s.aggregate[n], GOALS.aggregate)),
      speed(`prefill, ${Math.round(prefillTokens)}-token prompt`, (s) => s.prefill, GOALS.prefill),
      {
        measure: 'time to first token',
        unit: 'ms',
        llamaServer: ttftServer,
        llamanest: ttftNest,
        versus: ttftNest - ttftServer,
        higherIsBetter: false,
        perRound: perRound((s) => s.ttftMs, (nest, server) => nest - server),
        goal: `≤ +${GOALS.ttftMs} ms`,
        met: ttftNest - ttftServer <= GOALS.ttftMs,
      },
    ],
  };
}

/** llamanest's ratio (speeds) or difference (times) to llama-server, as the report prints it. */
export function versusText(row: Pick<CompareRow, 'higherIsBetter'>, value: number): string {
  return row.higherIsBetter ? `${value.toFixed(2)}×` : `${value >= 0 ? '+' : ''}${value.toFixed(1)} ms`;
}

/** The per-round median with its confidence interval, e.g. "1.02× [0.97× to 1.05×]". */
export function perRoundText(row: Pick<CompareRow, 'higherIsBetter' | 'perRound'>): string {
  const { median: middle, interval } = row.perRound;
  return `${versusText(row, middle)}${interval ? ` [${versusText(row, interval.low)} to ${versusText(row, interval.high)}]` : ''}`;
}

export function formatComparison(r: CompareResults): string {
  const num = (n: number, digits = 1) => n.toFixed(digits);
  const rows: string[][] = [
    ['', 'llama-server', 'llamanest', 'llamanest vs', 'per round: median [95% CI] (range)', 'goal', ''],
    ...r.rows.map((row) => [
      `${row.measure}, ${row.unit}`,
      num(row.llamaServer),
      num(row.llamanest),
      versusText(row, row.versus),
      `${perRoundText(row)} (${versusText(row, row.perRound.min)} to ${versusText(row, row.perRound.max)})`,
      row.goal,
      row.met ? 'met' : 'MISSED',
    ]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const lines = rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('   ').trimEnd());
  return [compareTitle(r), '', ...lines].join('\n');
}

export function compareTitle(r: CompareSetup): string {
  const sides = r.control ? 'A/A control, llama-server vs a second llama-server (in the llamanest column)' : 'llamanest vs llama-server';
  const threads = r.control ? `both -t ${r.llamaServerThreads}` : `llama-server -t ${r.llamaServerThreads}, llamanest threads ${r.llamanestThreads}`;
  return (
    `${sides}: ${r.model}, max ${r.maxTokens} tokens, temperature 0, ${r.sequences} sequences/slots, ${r.cpus} CPUs ` +
    `(${threads}), medians of ${r.rounds} alternating rounds${r.restartEvery && r.restartEvery < r.rounds ? `, both servers started afresh every ${r.restartEvery === 1 ? 'round' : `${r.restartEvery} rounds`}` : ''}`
  );
}
