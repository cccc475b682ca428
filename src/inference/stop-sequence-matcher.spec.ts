import { StopSequenceMatcher } from './stop-sequence-matcher';

describe('StopSequenceMatcher', () => {
  it('passes text through untouched when there are no stop sequences', () => {
    const matcher = new StopSequenceMatcher([]);
    expect(matcher.push('Hello! END')).toEqual({ text: 'Hello! END', stopped: false });
    expect(matcher.flush()).toBe('');
  });

  it('cuts at a stop sequence inside one chunk and drops the stop and what follows', () => {
    const matcher = new StopSequenceMatcher(['END']);
    expect(matcher.push('Hello END world')).toEqual({ text: 'Hello ', stopped: true, stop: 'END' });
  });

  it('emits text that cannot start a stop sequence at once', () => {
    const matcher = new StopSequenceMatcher(['END']);
    expect(matcher.push('Hello')).toEqual({ text: 'Hello', stopped: false });
    expect(matcher.push(' world')).toEqual({ text: ' world', stopped: false });
  });

  it('detects a stop sequence split across chunks without leaking any part of it', () => {
    const matcher = new StopSequenceMatcher(['<|end|>']);
    expect(matcher.push('Hi <|')).toEqual({ text: 'Hi ', stopped: false });
    expect(matcher.push('en')).toEqual({ text: '', stopped: false });
    expect(matcher.push('d|> trailing')).toEqual({ text: '', stopped: true, stop: '<|end|>' });
  });

  it('holds back a partial prefix and releases it once it cannot become a stop', () => {
    const matcher = new StopSequenceMatcher(['stop']);
    expect(matcher.push('non-st')).toEqual({ text: 'non-', stopped: false });
    expect(matcher.push('art')).toEqual({ text: 'start', stopped: false });
    expect(matcher.flush()).toBe('');
  });

  it('keeps the longest held suffix that may still become a stop', () => {
    const matcher = new StopSequenceMatcher(['abab']);
    expect(matcher.push('xaba')).toEqual({ text: 'x', stopped: false });
    // "abaa" is no longer a prefix of "abab"; the last "a" still might be.
    expect(matcher.push('a')).toEqual({ text: 'aba', stopped: false });
    expect(matcher.push('bab')).toEqual({ text: '', stopped: true, stop: 'abab' });
  });

  it('cuts at the earliest of several stop sequences, whatever their order in the list', () => {
    const matcher = new StopSequenceMatcher(['three', 'two', 'one']);
    expect(matcher.push('zero two one three')).toEqual({ text: 'zero ', stopped: true, stop: 'two' });
  });

  it('cuts where the earliest stop starts, even if a shorter stop inside it ends first', () => {
    const matcher = new StopSequenceMatcher(['bc', 'abcd']);
    expect(matcher.push('xab')).toEqual({ text: 'x', stopped: false });
    expect(matcher.push('cd!')).toEqual({ text: '', stopped: true, stop: 'abcd' });
  });

  it('flush returns the held-back text at the end of generation, once', () => {
    const matcher = new StopSequenceMatcher(['</s>']);
    expect(matcher.push('done </')).toEqual({ text: 'done ', stopped: false });
    expect(matcher.flush()).toBe('</');
    expect(matcher.flush()).toBe('');
  });
});
