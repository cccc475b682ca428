import { restartPlan } from './compare';

describe('restartPlan', () => {
  it('splits the rounds into fresh server pairs, alternating the side started first', () => {
    expect(restartPlan(8, 3)).toEqual([
      { firstRound: 1, rounds: 3, first: 'llama-server' },
      { firstRound: 4, rounds: 3, first: 'llamanest' },
      { firstRound: 7, rounds: 2, first: 'llama-server' },
    ]);
  });

  it('keeps one pair when the rounds fit in one', () => {
    expect(restartPlan(3, 5)).toEqual([{ firstRound: 1, rounds: 3, first: 'llama-server' }]);
  });
});
