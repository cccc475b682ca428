import { formatResetDuration, retryAfterSeconds } from './rate-limit-format';
import { parseDuration, parseMoment } from './time-range';

describe('rate limit formats', () => {
  it.each([
    [0, '0ms'],
    [20, '20ms'],
    [1500, '1.5s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [3_723_000, '1h2m3s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatResetDuration(ms)).toBe(text);
  });

  it('gives Retry-After in whole seconds, at least 1', () => {
    expect(retryAfterSeconds(10)).toBe('1');
    expect(retryAfterSeconds(59_001)).toBe('60');
  });
});

describe('time ranges', () => {
  it('reads durations', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('0d')).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('reads dates, date-times and durations back from now', () => {
    expect(parseMoment('2025-06-01')).toBe(Date.UTC(2025, 5, 1));
    expect(parseMoment('2025-06-01T12:00:00Z')).toBe(Date.UTC(2025, 5, 1, 12));
    expect(parseMoment('24h', 100_000_000)).toBe(100_000_000 - 86_400_000);
    expect(parseMoment('yesterday')).toBeUndefined();
    expect(parseMoment('2025-13-45')).toBeUndefined();
  });
});
