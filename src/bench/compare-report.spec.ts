import { CompareSample } from './compare';
import { formatComparison, summarizeComparison } from './compare-report';

const sample = (decode: number, ttftMs: number): CompareSample => ({ decode, ttftMs, aggregate: { 4: decode * 2, 8: decode * 3 }, prefill: decode * 4, prefillPromptTokens: 529 });
const setup = { model: 'm.gguf', maxTokens: 256, rounds: 3, sequences: 4, cpus: 2, llamaServerThreads: 2, llamanestThreads: 'automatic' };

describe('the comparison report', () => {
  // The machine slows down over the rounds; within each round llamanest is 0.9×, 1.0×, 1.1× the server.
  const samples = {
    'llama-server': [sample(400, 50), sample(300, 60), sample(200, 70)],
    llamanest: [sample(360, 40), sample(300, 65), sample(220, 90)],
  };
  const results = summarizeComparison(setup, samples);

  it('gives the ratio of the medians and, per round, the median and range of the side-by-side ratios', () => {
    const decode = results.rows[0];
    expect(decode.measure).toBe('decode, 1 stream');
    expect(decode.versus).toBeCloseTo(300 / 300);
    expect(decode.perRound.median).toBeCloseTo(1.0);
    expect(decode.perRound.min).toBeCloseTo(0.9);
    expect(decode.perRound.max).toBeCloseTo(1.1);
    expect(decode.met).toBe(true);
  });

  it('compares times as differences, per round too', () => {
    const ttft = results.rows.find((row) => row.measure === 'time to first token')!;
    expect(ttft.versus).toBeCloseTo(65 - 60);
    expect(ttft.perRound).toEqual({ median: 5, min: -10, max: 20 });
    expect(ttft.met).toBe(true);
  });

  it('prints both in its table', () => {
    const text = formatComparison(results);
    expect(text).toContain('per round: median (range)');
    expect(text).toMatch(/decode, 1 stream, tokens\/s\s+300\.0\s+300\.0\s+1\.00×\s+1\.00× \(0\.90× to 1\.10×\)\s+≥ 0\.95×\s+met/);
    expect(text).toMatch(/time to first token, ms\s+60\.0\s+65\.0\s+\+5\.0 ms\s+\+5\.0 ms \(-10\.0 ms to \+20\.0 ms\)/);
  });
});
