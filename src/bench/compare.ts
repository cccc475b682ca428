import { setTimeout as sleep } from 'node:timers/promises';
import { BenchServer } from './server';
import { streamChat } from './sse-client';

export const COMPARE_STREAMS = [4, 8];
/** The prefill measure: a prompt of about this many tokens, answered with two tokens. */
export const PREFILL_TOKENS = 512;

export type Side = 'llama-server' | 'llamanest';
export const SIDES: Side[] = ['llama-server', 'llamanest'];

/** One round's measures of one server. */
export interface CompareSample {
  /** Single stream, tokens/s after the first token. */
  decode: number;
  /** Single stream with a short prompt. */
  ttftMs: number;
  /** Aggregate tokens/s per number of concurrent streams. */
  aggregate: Record<number, number>;
  /** Prompt tokens/s of a long prompt: its tokens over its time to first token. */
  prefill: number;
  prefillPromptTokens: number;
}

export interface CompareTarget {
  side: Side;
  server: BenchServer;
}

/**
 * Pause before each measure: both servers' ggml workers keep spinning for the next graph (poll 50) for
 * up to ~150 ms after their last one, and would otherwise take a core from the other server's measure.
 */
const SETTLE_MS = 300;

/** A different text for every request, so no request reuses another's KV cache (both servers cache prompts). */
const shortPrompt = (tag: string) => `Request ${tag}. Write a long story about a lighthouse keeper and a storm.`;
const SENTENCE = 'The quick brown fox jumps over the lazy dog. ';

/** A text of about `tokens` tokens for this model (sized with the server's /tokenize), unique per tag. */
async function longPromptFor(baseUrl: string, model: string, tokens: number): Promise<(tag: string) => string> {
  const res = await fetch(`${baseUrl}/tokenize`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model, content: SENTENCE.repeat(10) }) });
  if (!res.ok) throw new Error(`POST /tokenize: HTTP ${res.status}`);
  const perSentence = ((await res.json()) as { tokens: number[] }).tokens.length / 10;
  // The chat template and the tag take a few tokens of their own.
  const repeats = Math.max(1, Math.round((tokens - 16) / perSentence));
  return (tag) => `Request ${tag}. ${SENTENCE.repeat(repeats)}`;
}

/** Rounds `firstRound`… (`rounds` of them) on one fresh pair of servers, `first` started first. */
export interface RestartPart {
  firstRound: number;
  rounds: number;
  first: Side;
}

/**
 * Which server processes measure which rounds: a fresh pair every `every` rounds, the side started
 * first alternating from one pair to the next. On this VM a server measured 3–19% faster or slower
 * depending on whether its process was started first or second (README, "Start order"), so one pair
 * of processes for a whole run carries that bias into every round; fresh pairs in both orders spread
 * it over both sides and into the per-round interval.
 */
export function restartPlan(rounds: number, every: number): RestartPart[] {
  const plan: RestartPart[] = [];
  for (let start = 1; start <= rounds; start += every) {
    plan.push({ firstRound: start, rounds: Math.min(every, rounds - start + 1), first: SIDES[plan.length % 2] });
  }
  return plan;
}

/**
 * Drives llama-server and llamanest with the same streaming client, alternately: every measure
 * runs on one server and then the other, and the order flips every round, so that load from
 * elsewhere on the machine hits both sides alike. Returns every round's samples per server.
 */
export async function compareServers(
  targets: CompareTarget[],
  opts: { model: string; tokens: number; rounds: number; firstRound?: number; totalRounds?: number },
): Promise<Record<Side, CompareSample[]>> {
  const prefillText = await longPromptFor(targets[targets.length - 1].server.baseUrl, opts.model, PREFILL_TOKENS);
  const stream = (t: CompareTarget, tag: string) => streamChat(t.server.baseUrl, opts.model, shortPrompt(`${t.side} ${tag}`), opts.tokens);
  const measures = {
    single: async (t: CompareTarget, tag: string) => {
      await sleep(SETTLE_MS);
      return stream(t, tag);
    },
    aggregate: async (t: CompareTarget, tag: string, streams: number) => {
      await sleep(SETTLE_MS);
      const started = performance.now();
      const runs = await Promise.all(Array.from({ length: streams }, (_, i) => stream(t, `${tag}.${streams}.${i}`)));
      return (runs.reduce((sum, run) => sum + run.tokens, 0) * 1000) / (performance.now() - started);
    },
    prefill: async (t: CompareTarget, tag: string) => {
      await sleep(SETTLE_MS);
      return streamChat(t.server.baseUrl, opts.model, prefillText(`${t.side} ${tag}`), 2);
    },
  };
  for (const t of targets) {
    await measures.single(t, 'warm-up');
    await measures.aggregate(t, 'warm-up', Math.max(...COMPARE_STREAMS));
    await measures.prefill(t, 'warm-up');
  }
  const samples = Object.fromEntries(targets.map((t) => [t.side, [] as CompareSample[]])) as Record<Side, CompareSample[]>;
  const first = opts.firstRound ?? 1;
  for (let round = first; round < first + opts.rounds; round++) {
    process.stderr.write(`round ${round}/${opts.totalRounds ?? opts.rounds}\n`);
    const order = round % 2 ? targets : [...targets].reverse();
    const partial = new Map<Side, Partial<CompareSample>>(targets.map((t) => [t.side, { aggregate: {} }]));
    for (const t of order) {
      const single = await measures.single(t, `${round}`);
      Object.assign(partial.get(t.side)!, { decode: single.decodeTokensPerSecond, ttftMs: single.ttftMs });
    }
    for (const streams of COMPARE_STREAMS) {
      for (const t of order) partial.get(t.side)!.aggregate![streams] = await measures.aggregate(t, `${round}`, streams);
    }
    for (const t of order) {
      const run = await measures.prefill(t, `${round}`);
      Object.assign(partial.get(t.side)!, { prefill: (run.promptTokens * 1000) / run.ttftMs, prefillPromptTokens: run.promptTokens });
    }
    for (const t of targets) samples[t.side].push(partial.get(t.side) as CompareSample);
  }
  return samples;
}
