import { CompareSample, COMPARE_STREAMS, Side } from './compare';
import { median } from './stats';

export interface CompareSetup {
  model: string;
  maxTokens: number;
  rounds: number;
  sequences: number;
  cpus: number;
  /** Compute threads given to llama-server (-t/-tb). */
  llamaServerThreads: number;
  /** What llamanest chose by itself (threads of its context). */
  llamanestThreads: string;
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
  goal: string;
  met: boolean;
}

export interface CompareResults extends CompareSetup {
  rows: CompareRow[];
}

const GOALS = { decode: 0.95, aggregate: 1.0, prefill: 0.95, ttftMs: 5 };

export function summarizeComparison(setup: CompareSetup, samples: Record<Side, CompareSample[]>): CompareResults {
  const m = (side: Side, pick: (s: CompareSample) => number) => median(samples[side].map(pick));
  const speed = (measure: string, pick: (s: CompareSample) => number, goal: number): CompareRow => {
    const llamaServer = m('llama-server', pick);
    const llamanest = m('llamanest', pick);
    const versus = llamanest / llamaServer;
    return { measure, unit: 'tokens/s', llamaServer, llamanest, versus, higherIsBetter: true, goal: `≥ ${goal.toFixed(2)}×`, met: versus >= goal };
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
        goal: `≤ +${GOALS.ttftMs} ms`,
        met: ttftNest - ttftServer <= GOALS.ttftMs,
      },
    ],
  };
}

export function formatComparison(r: CompareResults): string {
  const num = (n: number, digits = 1) => n.toFixed(digits);
  const rows: string[][] = [
    ['', 'llama-server', 'llamanest', 'llamanest vs', 'goal', ''],
    ...r.rows.map((row) => [
      `${row.measure}, ${row.unit}`,
      num(row.llamaServer),
      num(row.llamanest),
      row.higherIsBetter ? `${num(row.versus, 2)}×` : `${row.versus >= 0 ? '+' : ''}${num(row.versus)} ms`,
      row.goal,
      row.met ? 'met' : 'MISSED',
    ]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const lines = rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('   ').trimEnd());
  return [compareTitle(r), '', ...lines].join('\n');
}

export function compareTitle(r: CompareSetup): string {
  return (
    `llamanest vs llama-server: ${r.model}, max ${r.maxTokens} tokens, temperature 0, ${r.sequences} sequences/slots, ${r.cpus} CPUs ` +
    `(llama-server -t ${r.llamaServerThreads}, llamanest threads ${r.llamanestThreads}), medians of ${r.rounds} alternating rounds`
  );
}
