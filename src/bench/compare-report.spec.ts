import { CompareSample } from './compare';
import { compareChart } from './compare-chart';
import { formatComparison, summarizeComparison } from './compare-report';
import { medianInterval } from './stats';

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
    expect(text).toContain('per round: median');
    expect(text).toMatch(/decode, 1 stream, tokens\/s\s+300\.0\s+300\.0\s+1\.00×\s+1\.00× \(0\.90× to 1\.10×\)\s+≥ 0\.95×\s+met/);
    expect(text).toMatch(/time to first token, ms\s+60\.0\s+65\.0\s+\+5\.0 ms\s+\+5\.0 ms \(-10\.0 ms to \+20\.0 ms\)/);
  });
});

describe('the per-round confidence interval', () => {
  it('is the sign test interval of the median: the 2nd and 8th of 9 rounds, the 16th and 30th of 45, none below 6', () => {
    const rounds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(medianInterval(rounds(9))).toEqual({ low: 2, high: 8 });
    expect(medianInterval(rounds(20))).toEqual({ low: 6, high: 15 });
    expect(medianInterval(rounds(45).reverse())).toEqual({ low: 16, high: 30 });
    expect(medianInterval(rounds(6))).toEqual({ low: 1, high: 6 });
    expect(medianInterval(rounds(5))).toBeUndefined();
  });

  // Nine rounds with llamanest at 0.91×, 0.92×, … 0.99× of the server, and 0 to 8 ms later.
  const nine = summarizeComparison(
    { ...setup, rounds: 9 },
    { 'llama-server': Array.from({ length: 9 }, () => sample(100, 50)), llamanest: Array.from({ length: 9 }, (_, i) => sample(91 + i, 50 + i)) },
  );

  it('is printed beside the per-round median once there are enough rounds', () => {
    const text = formatComparison(nine);
    expect(text).toContain('per round: median [95% CI] (range)');
    expect(text).toMatch(/decode, 1 stream, tokens\/s.*0\.95× \[0\.92× to 0\.98×\] \(0\.91× to 0\.99×\)/);
    expect(text).toMatch(/time to first token, ms.*\+4\.0 ms \[\+1\.0 ms to \+7\.0 ms\] \(\+0\.0 ms to \+8\.0 ms\)/);
  });

  it('is written on the chart too', () => {
    const svg = compareChart(nine);
    expect(svg).toContain('per round 0.95× [0.92× to 0.98×]');
    expect(svg).toContain('per round +4.0 ms [+1.0 ms to +7.0 ms]');
  });
});
